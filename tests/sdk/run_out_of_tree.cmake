# Driven by ctest (sdk_out_of_tree_test): install the SDK, build plugins out of
# tree against it, load them with the real loader, run jobs. Fails on the first
# step that does not do what a plugin author would expect.
foreach(var BUILD_DIR SOURCE_DIR WORK_DIR PROBE C_COMPILER CXX_COMPILER)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_out_of_tree.cmake needs -D${var}=...")
  endif()
endforeach()

function(run)
  cmake_parse_arguments(R "" "EXPECT_EXIT;EXPECT_OUTPUT" "COMMAND" ${ARGN})
  if(NOT DEFINED R_EXPECT_EXIT)
    set(R_EXPECT_EXIT 0)
  endif()
  execute_process(COMMAND ${R_COMMAND} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT code STREQUAL R_EXPECT_EXIT)
    message(FATAL_ERROR "${R_COMMAND}\nexited ${code}, expected ${R_EXPECT_EXIT}\n${out}\n${err}")
  endif()
  if(DEFINED R_EXPECT_OUTPUT AND NOT out MATCHES "${R_EXPECT_OUTPUT}")
    message(FATAL_ERROR "${R_COMMAND}\nprinted:\n${out}\nexpected it to match: ${R_EXPECT_OUTPUT}")
  endif()
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
set(plugins ${WORK_DIR}/plugins)
file(MAKE_DIRECTORY ${plugins})

# 1. The SDK installs on its own: headers, CMake package, pkg-config file.
run(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} --component sdk)
foreach(file include/faktory/plugin.h include/faktory/plugin.hpp include/faktory/json.hpp
             include/faktory/testing.hpp lib/cmake/FaktoryHost/FaktoryHostConfig.cmake
             lib/cmake/FaktoryHost/FaktoryHostConfigVersion.cmake share/pkgconfig/faktory-host-sdk.pc)
  if(NOT EXISTS ${prefix}/${file})
    message(FATAL_ERROR "cmake --install did not install ${file}")
  endif()
endforeach()

# 2. An out-of-tree project: find_package(FaktoryHost) + faktory_add_plugin, C++ and C.
#    No Poco on the search path: the SDK must not need it.
run(COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR}/out_of_tree -B ${WORK_DIR}/build
        -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_C_COMPILER=${C_COMPILER} -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
        -DCMAKE_BUILD_TYPE=Release -DCMAKE_LIBRARY_OUTPUT_DIRECTORY=${WORK_DIR}/out)
run(COMMAND ${CMAKE_COMMAND} --build ${WORK_DIR}/build)
file(COPY ${WORK_DIR}/out/image_tools.so ${WORK_DIR}/out/hello_c.so DESTINATION ${plugins})

# 3. A plain-C plugin compiled with pkg-config's flags only.
find_program(PKG_CONFIG pkg-config)
if(PKG_CONFIG)
  set(ENV{PKG_CONFIG_PATH} ${prefix}/share/pkgconfig)
  run(COMMAND ${PKG_CONFIG} --cflags --libs faktory-host-sdk)
  execute_process(COMMAND ${PKG_CONFIG} --cflags --libs faktory-host-sdk OUTPUT_VARIABLE flags
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  separate_arguments(flags UNIX_COMMAND "${flags}")
  run(COMMAND ${C_COMPILER} -std=c99 -Wall -Wextra -Werror -shared -fPIC ${SOURCE_DIR}/pkg_config_plugin.c
              ${flags} -o ${plugins}/pkg_config_plugin.so)
else()
  message(WARNING "pkg-config not found: the pkg-config build is not checked")
endif()

# 4. The real loader loads them all and their handlers run.
run(COMMAND ${PROBE} ${plugins} ResizeImage "[\"cat.png\", 640]" EXPECT_OUTPUT "ACK")
run(COMMAND ${PROBE} ${plugins} ResizeImage "[\"cat.png\", 0]" EXPECT_EXIT 1
    EXPECT_OUTPUT "FAIL std::invalid_argument: width must be positive")
run(COMMAND ${PROBE} ${plugins} ResizeImage "[\"cat.png\", \"wide\"]" EXPECT_EXIT 1
    EXPECT_OUTPUT "FAIL faktory::ArgumentError: argument 1: expected integer, got string")
run(COMMAND ${PROBE} ${plugins} Ping EXPECT_OUTPUT "log probe-1: pong\nACK")
run(COMMAND ${PROBE} ${plugins} HelloC EXPECT_OUTPUT "hello from C\nACK")
if(PKG_CONFIG)
  run(COMMAND ${PROBE} ${plugins} FromPkgConfig EXPECT_OUTPUT "built with pkg-config\nACK")
endif()
# 5. The walk-through of docs/plugins.md, file by file as the doc shows them:
#    build the plugin and its test-kit test, run the test with ctest, then serve it.
if(DEFINED DOCS)
  file(READ ${DOCS} doc)
  foreach(name CMakeLists.txt greeter.cpp greeter_test.cpp)
    file(READ ${SOURCE_DIR}/walkthrough/${name} text)
    string(FIND "${doc}" "${text}" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "docs/plugins.md no longer shows tests/sdk/walkthrough/${name} verbatim; keep them in step")
    endif()
  endforeach()
endif()
run(COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR}/walkthrough -B ${WORK_DIR}/walkthrough
        -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_BUILD_TYPE=Release)
run(COMMAND ${CMAKE_COMMAND} --build ${WORK_DIR}/walkthrough)
run(COMMAND ${CMAKE_CTEST_COMMAND} --test-dir ${WORK_DIR}/walkthrough --output-on-failure
    EXPECT_OUTPUT "100% tests passed")
file(MAKE_DIRECTORY ${WORK_DIR}/walkthrough_plugins)
file(COPY ${WORK_DIR}/walkthrough/greeter.so DESTINATION ${WORK_DIR}/walkthrough_plugins)
run(COMMAND ${PROBE} ${WORK_DIR}/walkthrough_plugins Greet "[[\"Ann\"]]"
    EXPECT_OUTPUT "log probe-1: Hello, Ann!\npush Greeted \\[\"Ann\"\\] default\nACK")
message(STATUS "out-of-tree SDK plugins built and served")
