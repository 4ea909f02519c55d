# CoderoomPackaging: what a system install adds beyond the programs, and the Debian package.
#
# Included once at the end of the top-level CMakeLists.txt, after every target exists. The
# programs, languages.json, the .desktop file, the AppStream metadata and the icon are installed
# by their own modules; this file adds the REPL drivers, the systemd unit, the service's
# configuration file, the man pages and the maintainer scripts, and sets up CPack.
#
#   cmake --preset package                    # build-package/: prefix /usr, no tests
#   cmake --build build-package && (cd build-package && cpack -G DEB)
#                                             # -> coderoom_<version>-1_<arch>.deb
#
# One package, `coderoom`, holds the server and (with CODEROOM_BUILD_APP) the IDE: the IDE's
# local mode starts coderoomd itself, so it needs the server anyway, and the same .deb serves a
# teacher's laptop and a classroom server.
#
# The server finds its resources through a path compiled into it from CMAKE_INSTALL_PREFIX
# (server/languages), so every path here follows the same prefix and the package is consistent
# whatever the prefix; only /usr gives a package that follows Debian policy, and cpack -G DEB
# refuses any other (see coderoompackagecheck.cmake.in).
include(GNUInstallDirs)

set(_pkg_dir "${PROJECT_SOURCE_DIR}/packaging")
set(_pkg_out "${PROJECT_BINARY_DIR}/packaging")

if(NOT CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    message(STATUS "Coderoom package: prefix is ${CMAKE_INSTALL_PREFIX}; a Debian package "
                   "needs /usr (cmake --preset package)")
endif()

set(CODEROOM_FULL_RESOURCES_DIR "${CMAKE_INSTALL_FULL_DATADIR}/coderoom")
set(CODEROOM_STATE_DIR "/var/lib/coderoom")
set(CODEROOM_CONFIG_FILE "${CMAKE_INSTALL_FULL_SYSCONFDIR}/coderoom/coderoomd.conf")
# Debian 12's dpkg is not /usr-merge aware: units of packages for bookworm go under /lib.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    set(CODEROOM_UNIT_DIR "/lib/systemd/system")
else()
    set(CODEROOM_UNIT_DIR "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
endif()
set(CODEROOM_VERSION "${PROJECT_VERSION}")

# --- REPL drivers (languages.json itself is installed by server/languages) -----------------
install(DIRECTORY "${CODEROOM_RESOURCES_DIR}/drivers/"
        DESTINATION "${CODEROOM_FULL_RESOURCES_DIR}/drivers"
        FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

# --- systemd unit ---------------------------------------------------------------------------
# The unit reads the configuration file once coderoomd understands --config (server/config,
# switched on in server/main.cpp); until then it passes the same settings as flags, and the
# configuration file is documentation only.
file(READ "${PROJECT_SOURCE_DIR}/server/main.cpp" _main_source)
set_property(DIRECTORY APPEND PROPERTY
    CMAKE_CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/server/main.cpp")
string(FIND "${_main_source}" "loadServerConfig" _has_config)
if(_has_config GREATER -1)
    set(CODEROOM_UNIT_EXEC_START
        "ExecStart=${CMAKE_INSTALL_FULL_BINDIR}/coderoomd --config ${CODEROOM_CONFIG_FILE}")
else()
    set(CODEROOM_UNIT_EXEC_START
        "# coderoomd has no --config yet: the settings of ${CODEROOM_CONFIG_FILE} as flags.\n\
ExecStart=${CMAKE_INSTALL_FULL_BINDIR}/coderoomd --listen 127.0.0.1:8765 \
--data-dir ${CODEROOM_STATE_DIR}")
endif()
configure_file("${_pkg_dir}/coderoomd.service.in" "${_pkg_out}/coderoomd.service" @ONLY)
install(FILES "${_pkg_out}/coderoomd.service" DESTINATION "${CODEROOM_UNIT_DIR}")

# --- configuration file (a conffile in the package) -------------------------------------------
# packaging/coderoomd.conf is the documented default (server/config); the minimal stand-in is
# only for trees that do not have it yet.
if(EXISTS "${_pkg_dir}/coderoomd.conf")
    set(_conf "${_pkg_dir}/coderoomd.conf")
else()
    set(_conf "${_pkg_out}/coderoomd.conf")
    configure_file("${_pkg_dir}/coderoomd.conf.in" "${_conf}" @ONLY)
endif()
install(FILES "${_conf}" DESTINATION "${CMAKE_INSTALL_FULL_SYSCONFDIR}/coderoom"
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

# --- man pages, gzipped at build time (-n: no name or time stamp, so builds are reproducible) --
set(_man_pages "coderoomd.8" "coderoom.1")
set(_man_outputs "")
foreach(_page IN LISTS _man_pages)
    string(REGEX REPLACE ".*\\.([0-9])$" "\\1" _section "${_page}")
    if(_page STREQUAL "coderoom.1" AND NOT CODEROOM_BUILD_APP)
        continue()
    endif()
    configure_file("${_pkg_dir}/man/${_page}" "${_pkg_out}/man/${_page}" @ONLY)
    add_custom_command(OUTPUT "${_pkg_out}/man/${_page}.gz"
        COMMAND gzip -9 -n -f -k "${_pkg_out}/man/${_page}"
        DEPENDS "${_pkg_out}/man/${_page}"
        COMMENT "Compressing man page ${_page}"
        VERBATIM)
    list(APPEND _man_outputs "${_pkg_out}/man/${_page}.gz")
    install(FILES "${_pkg_out}/man/${_page}.gz"
        DESTINATION "${CMAKE_INSTALL_MANDIR}/man${_section}")
endforeach()
add_custom_target(coderoom_manpages ALL DEPENDS ${_man_outputs})

# Debian keeps it under the package name (CMAKE_INSTALL_DOCDIR would say "Coderoom").
install(FILES "${_pkg_dir}/debian/copyright" DESTINATION "${CMAKE_INSTALL_DATADIR}/doc/coderoom")
# A package whose version has a Debian revision (-1) must carry changelog.Debian.gz; its one
# entry names the same version as the package.
set(CODEROOM_DEBIAN_REVISION "1")
configure_file("${_pkg_dir}/debian/changelog.in" "${_pkg_out}/debian/changelog.Debian" @ONLY)
add_custom_command(OUTPUT "${_pkg_out}/debian/changelog.Debian.gz"
    COMMAND gzip -9 -n -f -k "${_pkg_out}/debian/changelog.Debian"
    DEPENDS "${_pkg_out}/debian/changelog.Debian"
    COMMENT "Compressing the Debian changelog"
    VERBATIM)
add_custom_target(coderoom_debian_changelog ALL DEPENDS "${_pkg_out}/debian/changelog.Debian.gz")
install(FILES "${_pkg_out}/debian/changelog.Debian.gz"
    DESTINATION "${CMAKE_INSTALL_DATADIR}/doc/coderoom")

# --- maintainer scripts ---------------------------------------------------------------------
foreach(_script postinst prerm postrm)
    configure_file("${_pkg_dir}/debian/${_script}.in" "${_pkg_out}/debian/${_script}" @ONLY)
endforeach()
# Files under /etc are conffiles: dpkg keeps an admin's edits across upgrades.
file(WRITE "${_pkg_out}/debian/conffiles" "${CODEROOM_CONFIG_FILE}\n")

# --- CPack: Debian package ------------------------------------------------------------------
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "coderoom")
set(CPACK_PACKAGE_VENDOR "Coderoom")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Write and run code: a desktop IDE and a sandboxed server")
set(CPACK_PACKAGE_CONTACT "Coderoom maintainers <maintainers@coderoom.invalid>")
set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
# The unit and the conffile have absolute destinations (/lib, /etc): DESTDIR keeps them inside
# CPack's staging directory instead of the build machine's own /etc.
set(CPACK_SET_DESTDIR ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME "DEB-DEFAULT")
set(CPACK_DEBIAN_PACKAGE_RELEASE "${CODEROOM_DEBIAN_REVISION}")
set(CPACK_DEBIAN_PACKAGE_SECTION "devel")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
# The extended description only: CPack puts CPACK_PACKAGE_DESCRIPTION_SUMMARY in front as the
# synopsis, indents each line by one space and turns the empty line into " ." (already indented
# lines would be taken as formatted and left alone, and "  ." is not a paragraph break).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "Coderoom is a simple editor for learning to program in Python, C++, Java and
JavaScript, with a Run button and an interactive prompt that survives crashes.

coderoomd runs every program in a bubblewrap sandbox (no network, limited
time, memory and output). The IDE starts a private one for local use; a
classroom runs one as a system service (coderoomd.service) that every IDE in
the room connects to with a personal token.")
# Libraries the programs link come from dpkg-shlibdeps; these are what they start or load at
# run time: bwrap and python3 for every job (and the REPL drivers), the Qt SQLite driver (a
# plugin), adduser for the postinst. Compilers and runtimes for the other languages are only
# recommended: the server offers whatever is installed.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "bubblewrap, python3, libqt6sql6-sqlite, adduser")
if(CODEROOM_BUILD_APP)
    # The IDE's SVG icons need Qt's SVG image format and icon engine plugins (in libqt6svg6).
    string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS ", libqt6svg6")
endif()
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "g++, openjdk-17-jdk-headless, nodejs")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${_pkg_out}/debian/postinst;${_pkg_out}/debian/prerm;${_pkg_out}/debian/postrm;\
${_pkg_out}/debian/conffiles")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# Read by cpack at package time, when the generator is known: a .deb with another prefix than
# /usr installs but is broken (its unit under /usr/local is invisible to deb-systemd-helper, so
# the service is never enabled, and files under /usr/local break Debian policy).
configure_file("${PROJECT_SOURCE_DIR}/cmake/coderoompackagecheck.cmake.in"
    "${_pkg_out}/coderoompackagecheck.cmake" @ONLY)
set(CPACK_PROJECT_CONFIG_FILE "${_pkg_out}/coderoompackagecheck.cmake")
include(CPack)
