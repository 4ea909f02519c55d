#include "syntaxstyler.h"

#include "qscilexerstyler.h"
#ifdef CODEROOM_HAVE_KSYNTAXHIGHLIGHTING
#include "ksyntaxstyler.h"
#endif

namespace coderoom::editor {

std::unique_ptr<SyntaxStyler> createDefaultStyler()
{
#ifdef CODEROOM_HAVE_KSYNTAXHIGHLIGHTING
    return std::make_unique<KSyntaxStyler>();
#else
    return std::make_unique<QsciLexerStyler>();
#endif
}

} // namespace coderoom::editor
