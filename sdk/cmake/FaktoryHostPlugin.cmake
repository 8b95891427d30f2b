# faktory_add_plugin(): builds a Faktory Host plugin (a MODULE library) with the
# flags the loader relies on. Included by the installed package config and by
# the in-tree build alike, so both build plugins the same way.
#
#   faktory_add_plugin(<target> <sources...> [OUTPUT_DIRECTORY <dir>] [ALLOW_UNDEFINED])
#
# - hidden visibility: only the entry points (marked in plugin.h) are exported,
#   so two plugins never interpose on each other's symbols;
# - -Wl,-z,defs: every symbol must resolve at link time; a plugin needs nothing
#   from the host binary (all host calls go through the API table);
# - -fno-gnu-unique (GCC): STB_GNU_UNIQUE symbols would pin the library in
#   memory, so a reload could never unload the old code;
# - a version script exporting only faktory_plugin_*: hidden visibility cannot
#   hide what libstdc++ headers force to default visibility (inline statics);
# - no "lib" prefix: the file is named after the target (image_tools.so).
# ALLOW_UNDEFINED drops -z,defs (only the loader's own tests want that).
#
#   faktory_add_plugin_test(<name> <plugin target> <test sources...>)
#
# builds a test executable with <faktory/testing.hpp> (C++17, no other
# dependency), passes the plugin's path as FAKTORY_PLUGIN_PATH and registers it
# with CTest (call enable_testing() first). main() returns the failure count.
include_guard(GLOBAL)
# A global property, since the function is called from other directory scopes than this file's.
set_property(GLOBAL PROPERTY FAKTORY_PLUGIN_EXPORTS_MAP "${CMAKE_CURRENT_LIST_DIR}/faktory_plugin_exports.map")

function(faktory_add_plugin target)
  cmake_parse_arguments(P "ALLOW_UNDEFINED" "OUTPUT_DIRECTORY" "" ${ARGN})
  if(NOT P_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "faktory_add_plugin(${target}): no source files given")
  endif()
  add_library(${target} MODULE ${P_UNPARSED_ARGUMENTS})
  if(TARGET FaktoryHost::sdk)
    target_link_libraries(${target} PRIVATE FaktoryHost::sdk)
  else()
    message(FATAL_ERROR "faktory_add_plugin: FaktoryHost::sdk is not defined; call find_package(FaktoryHost) first")
  endif()
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    POSITION_INDEPENDENT_CODE ON)
  # C++17 at least: plugin.hpp needs it; a project asking for more keeps its choice.
  target_compile_features(${target} PRIVATE cxx_std_17)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-fno-gnu-unique>)
  endif()
  if(NOT APPLE AND NOT WIN32)
    get_property(_FAKTORY_PLUGIN_EXPORTS_MAP GLOBAL PROPERTY FAKTORY_PLUGIN_EXPORTS_MAP)
    target_link_options(${target} PRIVATE "LINKER:--version-script=${_FAKTORY_PLUGIN_EXPORTS_MAP}")
    set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS "${_FAKTORY_PLUGIN_EXPORTS_MAP}")
  endif()
  if(NOT P_ALLOW_UNDEFINED AND NOT APPLE)
    target_link_options(${target} PRIVATE "LINKER:-z,defs")
  endif()
  if(P_OUTPUT_DIRECTORY)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${P_OUTPUT_DIRECTORY}")
  elseif(DEFINED FAKTORY_PLUGIN_OUTPUT_DIRECTORY)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${FAKTORY_PLUGIN_OUTPUT_DIRECTORY}")
  endif()
endfunction()

function(faktory_add_plugin_test name plugin)
  if(NOT ARGN)
    message(FATAL_ERROR "faktory_add_plugin_test(${name} ${plugin}): no test sources given")
  endif()
  add_executable(${name} ${ARGN})
  target_link_libraries(${name} PRIVATE FaktoryHost::sdk ${CMAKE_DL_LIBS})
  target_compile_features(${name} PRIVATE cxx_std_17)
  add_dependencies(${name} ${plugin})
  target_compile_definitions(${name} PRIVATE FAKTORY_PLUGIN_PATH="$<TARGET_FILE:${plugin}>")
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES TIMEOUT 60)
endfunction()
