# coderoom_warnings(<target>): the project's warning set, applied per target (no directory-wide
# flags). CODEROOM_WERROR turns them into errors; CI builds with it on.
option(CODEROOM_WERROR "Treat compiler warnings as errors" OFF)

# coderoom_warnings(<target> [TESTCODE]): TESTCODE lets string literals (only literals) convert
# to QString, which keeps data tables in tests readable.
function(coderoom_warnings target)
    cmake_parse_arguments(W "TESTCODE" "" "" ${ARGN})
    if(W_TESTCODE)
        set(_cast QT_RESTRICTED_CAST_FROM_ASCII)
    else()
        set(_cast QT_NO_CAST_FROM_ASCII)
    endif()
    target_compile_options(${target} PRIVATE
        -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
        -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough
        $<$<BOOL:${CODEROOM_WERROR}>:-Werror>)
    target_compile_definitions(${target} PRIVATE
        ${_cast} QT_NO_CAST_TO_ASCII QT_NO_URL_CAST_FROM_STRING
        QT_NO_NARROWING_CONVERSIONS_IN_CONNECT QT_USE_QSTRINGBUILDER)
endfunction()
