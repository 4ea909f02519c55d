#pragma once

#include <QLoggingCategory>

// coderoom.server.accounts: users, tokens, quotas and the hello limiter.
Q_DECLARE_LOGGING_CATEGORY(lcAccounts)
