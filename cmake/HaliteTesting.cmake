# Test helpers. Labels: unit, golden, integration, fuzz.
find_package(GTest REQUIRED)

# halite_unit_test(NAME n SOURCES ... [LIBS ...] [LABELS ...] [TIMEOUT s])
# One GoogleTest executable = one ctest entry, labelled `unit` by default.
function(halite_unit_test)
    cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
    if(NOT T_LABELS)
        set(T_LABELS unit)
    endif()
    if(NOT T_TIMEOUT)
        set(T_TIMEOUT 120)
    endif()
    add_executable(${T_NAME} ${T_SOURCES})
    set_target_properties(${T_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
    target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main GTest::gmock halite_host)
    add_test(NAME ${T_NAME} COMMAND ${T_NAME})
    set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT})
endfunction()

# halite_fuzz_target(NAME n SOURCES ... [LIBS ...] [CORPUS dir] [SECONDS s])
# Builds a libFuzzer binary (ASan + UBSan) and a ctest entry, label `fuzz`, that
# runs it for a bounded time from the seed corpus; any crash, leak or sanitizer
# report fails the test.
function(halite_fuzz_target)
    cmake_parse_arguments(F "" "NAME;CORPUS;SECONDS" "SOURCES;LIBS" ${ARGN})
    if(NOT HALITE_FUZZ OR NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
        return()
    endif()
    if(NOT F_SECONDS)
        set(F_SECONDS 30)
    endif()
    add_executable(${F_NAME} ${F_SOURCES})
    set_target_properties(${F_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
    target_compile_options(${F_NAME} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(${F_NAME} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_libraries(${F_NAME} PRIVATE ${F_LIBS} halite_host)
    set(work ${CMAKE_BINARY_DIR}/fuzz/${F_NAME}.work)
    set(args -max_total_time=${F_SECONDS} -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix=${work}/)
    add_test(NAME ${F_NAME}
        COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=1
            sh -c "mkdir -p '${work}/corpus' && exec \"$0\" \"$@\"" $<TARGET_FILE:${F_NAME}> ${args}
            ${work}/corpus ${F_CORPUS})
    math(EXPR limit "${F_SECONDS} * 3 + 60")
    set_tests_properties(${F_NAME} PROPERTIES LABELS fuzz TIMEOUT ${limit})
endfunction()
