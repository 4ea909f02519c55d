// The interface classes are header-only apart from their meta-objects, which AUTOMOC builds here.
#include "codeservice.h"
