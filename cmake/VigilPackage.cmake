# The development package: the core libraries, their headers under
# <vigil/...> and the CMake files behind `find_package(Vigil 1.1)`, so an
# application links Vigil::Core (a Server and its MessageHandler) or
# Vigil::Daemon (vigild's command line, signals, reload and admin endpoint
# around its own handler). docs/embedding.md shows both.
include(CMakePackageConfigHelpers)

set(VIGIL_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/Vigil)

# vigil_public_library(target): one of the libraries an application links.
# Its headers install flat under include/vigil (they include each other by
# bare name, which resolves next to the including file), the archive into
# the export set. In-tree targets keep using the source folders.
function(vigil_public_library target)
    target_include_directories(${target} PUBLIC
        $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}>
        $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
    get_target_property(sources ${target} SOURCES)
    list(FILTER sources INCLUDE REGEX "\\.h$")
    list(TRANSFORM sources PREPEND ${CMAKE_CURRENT_SOURCE_DIR}/)
    install(FILES ${sources} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/vigil COMPONENT development)
    install(TARGETS ${target} EXPORT VigilTargets
            ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT development)
endfunction()

# Written once every target is known (the export set is complete then).
function(vigil_install_package)
    # The names applications use: Vigil::Core, Vigil::Daemon, Vigil::Admin.
    add_library(vigil_core INTERFACE)
    target_link_libraries(vigil_core INTERFACE vigil_server)
    set_target_properties(vigil_core PROPERTIES EXPORT_NAME Core)
    add_library(vigil_daemon_api INTERFACE)
    target_link_libraries(vigil_daemon_api INTERFACE vigil_daemon)
    set_target_properties(vigil_daemon_api PROPERTIES EXPORT_NAME Daemon)
    set(names vigil_core vigil_daemon_api)
    if(TARGET vigil_admin)
        add_library(vigil_admin_api INTERFACE)
        target_link_libraries(vigil_admin_api INTERFACE vigil_admin)
        set_target_properties(vigil_admin_api PROPERTIES EXPORT_NAME Admin)
        list(APPEND names vigil_admin_api)
    endif()
    install(TARGETS ${names} EXPORT VigilTargets COMPONENT development)

    install(EXPORT VigilTargets NAMESPACE Vigil:: DESTINATION ${VIGIL_CMAKE_DIR} COMPONENT development)
    set(VIGIL_QT_COMPONENTS Core Network)
    if(TARGET vigil_admin)
        list(APPEND VIGIL_QT_COMPONENTS HttpServer)
    endif()
    list(JOIN VIGIL_QT_COMPONENTS " " VIGIL_QT_COMPONENTS_SPACED)
    configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/VigilConfig.cmake.in
        ${PROJECT_BINARY_DIR}/packaging/VigilConfig.cmake
        INSTALL_DESTINATION ${VIGIL_CMAKE_DIR})
    # 1.x programs build against any later 1.y.
    write_basic_package_version_file(${PROJECT_BINARY_DIR}/packaging/VigilConfigVersion.cmake
        VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
    install(FILES ${PROJECT_BINARY_DIR}/packaging/VigilConfig.cmake
                  ${PROJECT_BINARY_DIR}/packaging/VigilConfigVersion.cmake
            DESTINATION ${VIGIL_CMAKE_DIR} COMPONENT development)
    install(FILES ${PROJECT_SOURCE_DIR}/docs/embedding.md DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT development)
endfunction()
cmake_language(DEFER DIRECTORY ${PROJECT_SOURCE_DIR} CALL vigil_install_package)
