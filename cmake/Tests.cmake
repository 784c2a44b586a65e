include(${CMAKE_CURRENT_LIST_DIR}/../cmake/TestTargets.cmake OPTIONAL)
