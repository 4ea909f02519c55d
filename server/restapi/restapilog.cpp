#include "restapilog.h"

namespace coderoom::restapi {
Q_LOGGING_CATEGORY(lcRestApi, "coderoom.server.restapi", QtInfoMsg)
} // namespace coderoom::restapi
