#pragma once

#include <QLoggingCategory>

namespace coderoom::restapi {
Q_DECLARE_LOGGING_CATEGORY(lcRestApi)
} // namespace coderoom::restapi
