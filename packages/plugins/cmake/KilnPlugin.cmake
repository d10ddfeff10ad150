# kiln_add_plugin(<target> <source>...): a Kiln plugin library (a shared module exporting
# kiln_get_plugin_library()), compiled as C++17 with -O3 against kiln_plugin.h.
#
#   set(KILN_PLUGIN_INCLUDE_DIR <dir holding kiln_plugin.h>)   # `kiln-plugin include-dir` prints it
#   include(<path>/KilnPlugin.cmake)                            # `kiln-plugin cmake-helper` prints it
#   kiln_add_plugin(my_plugin my_plugin.cpp)
if(NOT KILN_PLUGIN_INCLUDE_DIR)
  message(FATAL_ERROR "set KILN_PLUGIN_INCLUDE_DIR to the folder of kiln_plugin.h before including KilnPlugin.cmake")
endif()

function(kiln_add_plugin target)
  add_library(${target} MODULE ${ARGN})
  target_include_directories(${target} PRIVATE ${KILN_PLUGIN_INCLUDE_DIR})
  set_target_properties(${target} PROPERTIES
    CXX_STANDARD 17
    CXX_STANDARD_REQUIRED ON
    POSITION_INDEPENDENT_CODE ON
    CXX_VISIBILITY_PRESET hidden
    PREFIX "lib"
    SUFFIX ".so")
  target_compile_options(${target} PRIVATE -O3)
endfunction()
