# Settings every Vigil target shares (the qBittorrent "common config" shape).
add_library(vigil_common_cfg INTERFACE)
target_compile_features(vigil_common_cfg INTERFACE cxx_std_17)
target_compile_definitions(vigil_common_cfg INTERFACE
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    QT_USE_QSTRINGBUILDER
    QT_NO_CAST_TO_ASCII
    QT_NO_FOREACH
    VIGIL_VERSION="${PROJECT_VERSION}")
target_compile_options(vigil_common_cfg INTERFACE -Wall -Wextra)
if(VIGIL_WERROR)
    target_compile_options(vigil_common_cfg INTERFACE -Werror)
endif()

# vigil_add_test(NAME tst_x SOURCES a.cpp LIBS lib... [GUI])
# One executable per tst_<class>.cpp, registered with CTest.
function(vigil_add_test)
    cmake_parse_arguments(T "GUI" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
    add_executable(${T_NAME} ${T_SOURCES})
    target_link_libraries(${T_NAME} PRIVATE vigil_common_cfg vigil_test_common Qt6::Test ${T_LIBS})
    target_compile_definitions(${T_NAME} PRIVATE
        VIGILD_PATH="$<TARGET_FILE:vigild>"
        VIGIL_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
    add_test(NAME ${T_NAME} COMMAND ${T_NAME})
    if(NOT T_TIMEOUT)
        set(T_TIMEOUT 300)
    endif()
    set(env "")
    if(T_GUI)
        list(APPEND env "QT_QPA_PLATFORM=offscreen")
    endif()
    set_tests_properties(${T_NAME} PROPERTIES TIMEOUT ${T_TIMEOUT} LABELS "${T_LABELS}"
        ENVIRONMENT "${env}")
endfunction()
