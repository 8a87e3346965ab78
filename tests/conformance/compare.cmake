# Run `rviommu replay INPUT` and compare stdout with EXPECTED, line by line.
execute_process(COMMAND ${CLI} replay ${INPUT}
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "rviommu replay ${INPUT} exited ${rc}\n${err}")
endif()
file(READ ${EXPECTED} want)
if(NOT out STREQUAL want)
  get_filename_component(n ${INPUT} NAME)
  file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/${n}.actual "${out}")
  execute_process(COMMAND diff -u ${EXPECTED} ${CMAKE_CURRENT_BINARY_DIR}/${n}.actual OUTPUT_VARIABLE d)
  message(FATAL_ERROR "output differs from ${EXPECTED} (actual in ${CMAKE_CURRENT_BINARY_DIR}/${n}.actual):\n${d}")
endif()
