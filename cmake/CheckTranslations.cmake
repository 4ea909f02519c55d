# ctest translations_complete: runs lupdate over the UI's sources into copies of the .ts files
# and fails when any message has no translation. So a new tr() string without its German and
# Spanish translation fails the suite instead of showing up in English for those students.
# Inputs: LUPDATE (path), SOURCES_LIST (a file naming one source per line), TS_FILES (;-list),
# WORK_DIR.
file(MAKE_DIRECTORY "${WORK_DIR}")
set(_failed "")
foreach(_ts IN LISTS TS_FILES)
    get_filename_component(_name "${_ts}" NAME)
    set(_copy "${WORK_DIR}/${_name}")
    configure_file("${_ts}" "${_copy}" COPYONLY)
    execute_process(
        COMMAND "${LUPDATE}" -silent -no-obsolete -locations none "@${SOURCES_LIST}" -ts "${_copy}"
        RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
    if(NOT _rc EQUAL 0)
        message(FATAL_ERROR "lupdate failed for ${_name}: ${_err}")
    endif()
    file(READ "${_copy}" _text)
    string(REGEX MATCHALL "<source>[^<]*</source>[ \n\r\t]*(<comment>[^<]*</comment>[ \n\r\t]*)?<translation type=\"unfinished\"" _missing "${_text}")
    list(LENGTH _missing _count)
    if(_count GREATER 0)
        string(REGEX REPLACE "<translation type=\"unfinished\"" "" _missing "${_missing}")
        list(APPEND _failed "${_name}: ${_count} untranslated: ${_missing}")
    endif()
endforeach()
if(_failed)
    message(FATAL_ERROR "Translations incomplete (run: cmake --build build --target update_translations, then translate):\n${_failed}")
endif()
message(STATUS "every UI string has a German and a Spanish translation")
