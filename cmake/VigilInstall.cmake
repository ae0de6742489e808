# Installing and packaging Vigil as a Linux service: the binaries (each
# directory installs its own: server/, client/, gui/ with the .desktop file
# and icons), the systemd unit, the example config, the man page, and a
# CPack DEB packages (`cpack -G DEB` in the build directory): `vigil`, the
# programs (component runtime), and `vigil-dev`, the libraries, headers and
# CMake package for applications (component development, VigilPackage.cmake).
#
# A service lives under /usr with its config in /etc, so /usr is the
# default prefix; pass -DCMAKE_INSTALL_PREFIX=... for anything else (the
# unit's ExecStart and --config follow it).
if(CMAKE_INSTALL_PREFIX_INITIALIZED_TO_DEFAULT)
    set(CMAKE_INSTALL_PREFIX /usr CACHE PATH "Install prefix" FORCE)
endif()
# Debian names the documentation directory after the package, in lower case.
if(NOT CMAKE_INSTALL_DOCDIR OR CMAKE_INSTALL_DOCDIR MATCHES "/doc/Vigil$")
    set(CMAKE_INSTALL_DOCDIR share/doc/vigil CACHE PATH "Documentation (DATAROOTDIR/doc/vigil)" FORCE)
endif()
include(GNUInstallDirs)
# Every install() without a COMPONENT is part of the programs' package.
set(CMAKE_INSTALL_DEFAULT_COMPONENT_NAME runtime)

set(VIGIL_CONFIG_DIR "${CMAKE_INSTALL_FULL_SYSCONFDIR}/vigil")
set(VIGIL_SYSTEMD_UNIT_DIR "lib/systemd/system" CACHE STRING
    "Where the systemd unit goes, relative to the prefix")

# The unit names the installed vigild and config: rewrite the paths the
# checked-in unit spells for the /usr layout.
file(READ ${PROJECT_SOURCE_DIR}/resources/vigild.service vigil_unit)
string(REPLACE "/usr/bin/vigild" "${CMAKE_INSTALL_FULL_BINDIR}/vigild" vigil_unit "${vigil_unit}")
string(REPLACE "/etc/vigil/vigild.conf" "${VIGIL_CONFIG_DIR}/vigild.conf" vigil_unit "${vigil_unit}")
file(GENERATE OUTPUT ${PROJECT_BINARY_DIR}/packaging/vigild.service CONTENT "${vigil_unit}")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/resources/vigild.service)

install(FILES ${PROJECT_BINARY_DIR}/packaging/vigild.service DESTINATION ${VIGIL_SYSTEMD_UNIT_DIR})

# The fleet template (docs/deploy.md), with the same path rewrite.
file(READ ${PROJECT_SOURCE_DIR}/resources/deploy/vigild@.service vigil_fleet_unit)
string(REPLACE "/usr/bin/vigild" "${CMAKE_INSTALL_FULL_BINDIR}/vigild" vigil_fleet_unit "${vigil_fleet_unit}")
string(REPLACE "/etc/vigil/" "${VIGIL_CONFIG_DIR}/" vigil_fleet_unit "${vigil_fleet_unit}")
string(REPLACE "file:///usr/share/doc/vigil/" "file://${CMAKE_INSTALL_FULL_DOCDIR}/" vigil_fleet_unit "${vigil_fleet_unit}")
file(GENERATE OUTPUT ${PROJECT_BINARY_DIR}/packaging/vigild@.service CONTENT "${vigil_fleet_unit}")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/resources/deploy/vigild@.service)
install(FILES ${PROJECT_BINARY_DIR}/packaging/vigild@.service DESTINATION ${VIGIL_SYSTEMD_UNIT_DIR})
# The other deploy files are examples to copy and edit, next to the runbook.
install(FILES ${PROJECT_SOURCE_DIR}/resources/deploy/haproxy.cfg ${PROJECT_SOURCE_DIR}/resources/deploy/prometheus.yml
              ${PROJECT_SOURCE_DIR}/resources/deploy/alerts.yml
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/deploy)
install(FILES ${PROJECT_SOURCE_DIR}/resources/vigild.conf DESTINATION ${VIGIL_CONFIG_DIR})

# Debian ships man pages gzipped (-n: no name or time stamp, reproducible).
find_program(VIGIL_GZIP gzip)
if(VIGIL_GZIP)
    add_custom_command(OUTPUT ${PROJECT_BINARY_DIR}/packaging/vigild.1.gz
        COMMAND ${VIGIL_GZIP} -9nc ${PROJECT_SOURCE_DIR}/docs/vigild.1 > ${PROJECT_BINARY_DIR}/packaging/vigild.1.gz
        DEPENDS ${PROJECT_SOURCE_DIR}/docs/vigild.1
        COMMENT "Compressing the vigild(1) man page")
    add_custom_target(vigil_manpage ALL DEPENDS ${PROJECT_BINARY_DIR}/packaging/vigild.1.gz)
    install(FILES ${PROJECT_BINARY_DIR}/packaging/vigild.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
    install(FILES ${PROJECT_SOURCE_DIR}/docs/vigild.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/admin.md
              ${PROJECT_SOURCE_DIR}/docs/packaging.md ${PROJECT_SOURCE_DIR}/docs/deploy.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

# CPack: two binary packages with Debian names and dependencies:
# "vigil" (dpkg-shlibdeps turns the linked Qt libraries into libqt6*6
# depends) and "vigil-dev" (static archives: it needs Qt's -dev packages).
set(CPACK_PACKAGE_NAME vigil)
set(CPACK_PACKAGE_VENDOR "Vigil")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "TCP server with per-connection watchdogs")
set(CPACK_PACKAGE_DESCRIPTION
    "vigild is a TCP server in which every connection carries idle, lifetime,
write and probe watchdogs. It speaks the Vigil framing, a legacy framing,
line and raw streams, serves Prometheus metrics and a JSON admin API, and
runs as a hardened systemd service. vigil-client sends and benchmarks;
vigil-monitor, when built, shows every connection's watchdogs live.")
set(CPACK_PACKAGE_CONTACT "Vigil maintainers <vigil-maintainers@example.org>" CACHE STRING
    "Maintainer field of the packages")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR DEB)
set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_IGNORE_FILES "/build/" "/\\\\.git/")

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime development)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME vigil)
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_NAME vigil-dev)
set(CPACK_COMPONENT_DEVELOPMENT_DESCRIPTION
    "Vigil's core library for applications: headers under <vigil/...>,
static libraries and the CMake package (find_package(Vigil 1.1) gives
Vigil::Core and Vigil::Daemon). See /usr/share/doc/vigil/embedding.md.")
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_SECTION libdevel)
# Vigil::Daemon carries the admin endpoint, built on Qt HttpServer.
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_DEPENDS "qt6-base-dev (>= 6.4), qt6-httpserver-dev, libssl-dev (>= 3.0)")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://example.org/vigil" CACHE STRING "Homepage field of the packages")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SUGGESTS "prometheus")
if(VIGIL_BUILD_GUI)
    # vigil-monitor needs a platform plugin (xcb, wayland) to open a window.
    set(CPACK_DEBIAN_RUNTIME_PACKAGE_RECOMMENDS "qt6-qpa-plugins")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/debian/conffiles.in ${PROJECT_BINARY_DIR}/packaging/debian/conffiles @ONLY)
foreach(script postinst prerm postrm)
    configure_file(${PROJECT_SOURCE_DIR}/cmake/debian/${script} ${PROJECT_BINARY_DIR}/packaging/debian/${script}
                   COPYONLY FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                   WORLD_READ WORLD_EXECUTE)
endforeach()
set(CPACK_DEBIAN_RUNTIME_PACKAGE_CONTROL_EXTRA
    ${PROJECT_BINARY_DIR}/packaging/debian/conffiles
    ${PROJECT_BINARY_DIR}/packaging/debian/postinst
    ${PROJECT_BINARY_DIR}/packaging/debian/prerm
    ${PROJECT_BINARY_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)

# The packaging test: install into a DESTDIR, build the .deb, check both
# layouts, and run systemd-analyze verify on the unit when it is there.
# Deferred to the end of the top directory, when every target is known.
function(vigil_add_packaging_test)
    if(NOT BUILD_TESTING)
        return()
    endif()
    # Absolute paths as installed (globs allowed).
    set(expect "${CMAKE_INSTALL_FULL_BINDIR}/vigild"
               "${CMAKE_INSTALL_PREFIX}/${VIGIL_SYSTEMD_UNIT_DIR}/vigild.service"
               "${VIGIL_CONFIG_DIR}/vigild.conf"
               "${CMAKE_INSTALL_FULL_MANDIR}/man1/vigild.1*"
               "${CMAKE_INSTALL_FULL_DOCDIR}/admin.md"
               "${CMAKE_INSTALL_PREFIX}/${VIGIL_SYSTEMD_UNIT_DIR}/vigild@.service"
               "${CMAKE_INSTALL_FULL_DOCDIR}/deploy.md"
               "${CMAKE_INSTALL_FULL_DOCDIR}/deploy/haproxy.cfg")
    if(TARGET vigil-client)
        list(APPEND expect "${CMAKE_INSTALL_FULL_BINDIR}/vigil-client")
    endif()
    if(TARGET vigil-monitor)
        list(APPEND expect "${CMAKE_INSTALL_FULL_BINDIR}/vigil-monitor"
                           "${CMAKE_INSTALL_FULL_DATADIR}/applications/vigil-monitor.desktop")
    endif()
    add_test(NAME tst_packaging
             COMMAND bash ${PROJECT_SOURCE_DIR}/tests/packaging/tst_packaging.sh
                     ${PROJECT_BINARY_DIR} ${CMAKE_INSTALL_PREFIX}/${VIGIL_SYSTEMD_UNIT_DIR}/vigild.service
                     ${expect})
    set_tests_properties(tst_packaging PROPERTIES TIMEOUT 600 LABELS packaging RUN_SERIAL ON)
endfunction()
cmake_language(DEFER DIRECTORY ${PROJECT_SOURCE_DIR} CALL vigil_add_packaging_test)
