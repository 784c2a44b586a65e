# Test targets: unit tests (pure), integration tests (loopback DNS/HTTPS servers), CLI tests.
include(${doctest_DIR}/doctest.cmake)

add_library(mailrep_testsupport STATIC
  tests/support/fault_server.cpp
)
target_include_directories(mailrep_testsupport PUBLIC tests/support)
target_link_libraries(mailrep_testsupport PUBLIC mailrep_core PRIVATE mailrep_settings mailrep_warnings PkgConfig::LDNS Threads::Threads)

add_executable(mailrep-faultd tests/support/faultd_main.cpp)
target_link_libraries(mailrep-faultd PRIVATE mailrep_testsupport mailrep_settings mailrep_warnings)

set(MAILREP_UNIT_TESTS
  tests/unit/main.cpp
  tests/unit/util/text_test.cpp
  tests/unit/util/ip_test.cpp
  tests/unit/report/report_test.cpp
  tests/unit/data/blocklists_test.cpp
)
add_executable(mailrep_tests ${MAILREP_UNIT_TESTS})
target_link_libraries(mailrep_tests PRIVATE mailrep_core mailrep_settings mailrep_warnings doctest::doctest)
doctest_discover_tests(mailrep_tests PROPERTIES LABELS unit TIMEOUT 120)

set(MAILREP_INTEGRATION_TESTS
  tests/unit/main.cpp
  tests/support/fault_server_test.cpp
  tests/integration/dns_engine_test.cpp
)
add_executable(mailrep_itests ${MAILREP_INTEGRATION_TESTS})
target_link_libraries(mailrep_itests PRIVATE mailrep_testsupport mailrep_core mailrep_settings mailrep_warnings
  doctest::doctest PkgConfig::LDNS Threads::Threads)
doctest_discover_tests(mailrep_itests PROPERTIES LABELS integration TIMEOUT 300)
