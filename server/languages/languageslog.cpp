#include "languageslog.h"

Q_LOGGING_CATEGORY(lcLanguages, "coderoom.server.languages")
