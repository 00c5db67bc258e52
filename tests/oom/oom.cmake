# SPDX-License-Identifier: Apache-2.0
# The allocation-failure run (tests/oom/oom.c, docs/TESTING.md): concord_oom_test(<unit>)
# adds oom_<unit>, the unit test executable <unit> built again from the same sources,
# include directories, definitions and libraries (as set so far: call it after them),
# linked with the runner and --wrap, as the ctest oom_<unit> with the label oom. Only
# the oom_ executables are wrapped; <unit> itself is untouched.
set(CONCORD_OOM_WRAP)
foreach(fn malloc calloc realloc strdup strndup err_set err_oom protobuf_c_message_unpack
           _cmocka_run_group_tests _skip _assert_true _assert_int_equal _assert_int_not_equal
           _assert_string_equal _assert_memory_equal _assert_memory_not_equal _fail)
  list(APPEND CONCORD_OOM_WRAP "LINKER:--wrap=${fn}")
endforeach()
set(CONCORD_OOM_DIR ${CMAKE_CURRENT_LIST_DIR})

function(concord_oom_test unit)
  get_target_property(srcs ${unit} SOURCES)
  get_target_property(libs ${unit} LINK_LIBRARIES)
  get_target_property(incs ${unit} INCLUDE_DIRECTORIES)
  get_target_property(defs ${unit} COMPILE_DEFINITIONS)
  get_target_property(dir ${unit} SOURCE_DIR)
  set(abs)
  foreach(s ${srcs})
    get_filename_component(s ${s} ABSOLUTE BASE_DIR ${dir})
    list(APPEND abs ${s})
  endforeach()
  add_executable(oom_${unit} ${abs} ${CONCORD_OOM_DIR}/oom.c)
  if(libs)
    target_link_libraries(oom_${unit} PRIVATE ${libs})
  endif()
  if(incs)
    target_include_directories(oom_${unit} PRIVATE ${incs})
  endif()
  if(defs)
    target_compile_definitions(oom_${unit} PRIVATE ${defs})
  endif()
  # The oom runner reports the first frame in these sources.
  target_compile_definitions(oom_${unit} PRIVATE CONCORD_OOM_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  target_compile_options(oom_${unit} PRIVATE -include ${CONCORD_OOM_DIR}/oom_exempt.h)
  target_link_options(oom_${unit} PRIVATE ${CONCORD_OOM_WRAP})
  add_test(NAME oom_${unit} COMMAND oom_${unit})
  set_tests_properties(oom_${unit} PROPERTIES LABELS oom TIMEOUT 300)
endfunction()
