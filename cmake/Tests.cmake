# Test targets: unit tests (pure), integration tests (loopback DNS/HTTPS servers), CLI tests.
include(${doctest_DIR}/doctest.cmake)

add_library(mailrep_testsupport STATIC
  tests/support/fault_server.cpp
  tests/support/table_resolver.cpp
  tests/support/https_server.cpp
)
target_include_directories(mailrep_testsupport PUBLIC tests/support)
target_link_libraries(mailrep_testsupport PUBLIC mailrep_core PRIVATE mailrep_settings mailrep_warnings PkgConfig::LDNS OpenSSL::SSL OpenSSL::Crypto Threads::Threads)

add_executable(mailrep-faultd tests/support/faultd_main.cpp)
target_link_libraries(mailrep-faultd PRIVATE mailrep_testsupport mailrep_settings mailrep_warnings)

set(MAILREP_UNIT_TESTS
  tests/unit/main.cpp
  tests/unit/util/text_test.cpp
  tests/unit/util/ip_test.cpp
  tests/unit/report/report_test.cpp
  tests/unit/report/messages_test.cpp
  tests/unit/data/blocklists_test.cpp
  tests/unit/data/receivers_test.cpp
  tests/unit/data/providers_test.cpp
  tests/unit/auth/spf/record_test.cpp
  tests/unit/auth/spf/macro_test.cpp
  tests/unit/auth/spf/check_host_test.cpp
  tests/unit/auth/spf/lint_test.cpp
  tests/unit/auth/spf/conformance_table_test.cpp
  tests/unit/auth/dmarc_test.cpp
  tests/unit/auth/dkim_test.cpp
  tests/unit/auth/mtasts_test.cpp
  tests/unit/auth/tlsrpt_test.cpp
  tests/unit/auth/bimi_test.cpp
  tests/unit/mail/bounce_test.cpp
  tests/unit/monitor/state_test.cpp
  tests/unit/smtp/smtp_test.cpp
  tests/unit/content/url_html_test.cpp
  tests/unit/content/content_test.cpp
)
add_executable(mailrep_tests ${MAILREP_UNIT_TESTS})
target_link_libraries(mailrep_tests PRIVATE mailrep_testsupport mailrep_core mailrep_settings mailrep_warnings doctest::doctest
  PkgConfig::YAMLCPP)
doctest_discover_tests(mailrep_tests PROPERTIES LABELS unit TIMEOUT 120)

set(MAILREP_INTEGRATION_TESTS
  tests/unit/main.cpp
  tests/support/fault_server_test.cpp
  tests/integration/dns_engine_test.cpp
  tests/integration/http_fetch_test.cpp
  tests/integration/spf_conformance_test.cpp
  tests/support/smtp_server.cpp
  tests/integration/smtp_probe_test.cpp
)
add_executable(mailrep_itests ${MAILREP_INTEGRATION_TESTS})
target_link_libraries(mailrep_itests PRIVATE mailrep_testsupport mailrep_core mailrep_settings mailrep_warnings
  doctest::doctest PkgConfig::LDNS PkgConfig::YAMLCPP Threads::Threads)
doctest_discover_tests(mailrep_itests PROPERTIES LABELS integration TIMEOUT 300)

# The Knot DNS world on loopback: started once for the tests that need it (CTest fixture).
set(MAILREP_WORLD_DIR ${CMAKE_BINARY_DIR}/dns-world)
set(MAILREP_WORLD_PORT_FILE ${CMAKE_BINARY_DIR}/dns-world.port)
add_test(NAME dns_world_up COMMAND ${PROJECT_SOURCE_DIR}/scripts/dns-world up --dir ${MAILREP_WORLD_DIR} --port-file ${MAILREP_WORLD_PORT_FILE})
set_tests_properties(dns_world_up PROPERTIES FIXTURES_SETUP dns_world TIMEOUT 60)
add_test(NAME dns_world_down COMMAND ${PROJECT_SOURCE_DIR}/scripts/dns-world down --dir ${MAILREP_WORLD_DIR})
set_tests_properties(dns_world_down PROPERTIES FIXTURES_CLEANUP dns_world TIMEOUT 60)

# CLI tests: the real binary against the DNS world.
add_library(mailrep_clisupport STATIC tests/support/cli_runner.cpp)
target_include_directories(mailrep_clisupport PUBLIC tests/support)
target_compile_definitions(mailrep_clisupport PUBLIC MAILREP_BINARY="$<TARGET_FILE:mailrep>"
  MAILREP_DNS_WORLD_PORT_FILE="${MAILREP_WORLD_PORT_FILE}")
target_link_libraries(mailrep_clisupport PRIVATE mailrep_settings mailrep_warnings)

set(MAILREP_CLI_TESTS
  tests/unit/main.cpp
  tests/cli/basics_test.cpp
  tests/cli/check_test.cpp
  tests/cli/auth_spf_test.cpp
  tests/cli/ip_test.cpp
  tests/cli/monitor_test.cpp
  tests/cli/lists_test.cpp
  tests/cli/bounce_test.cpp
  tests/support/smtp_server.cpp
  tests/cli/probe_test.cpp
  tests/cli/content_test.cpp
)
add_executable(mailrep_clitests ${MAILREP_CLI_TESTS})
add_dependencies(mailrep_clitests mailrep mailrep-faultd)
target_link_libraries(mailrep_clitests PRIVATE mailrep_clisupport mailrep_testsupport mailrep_core mailrep_settings mailrep_warnings
  doctest::doctest nlohmann_json::nlohmann_json)
doctest_discover_tests(mailrep_clitests PROPERTIES LABELS cli TIMEOUT 300 FIXTURES_REQUIRED dns_world)

# The shipped Icinga 2 CheckCommands validate with Debian's icinga2 (fails when it is missing:
# scripts/setup installs it).
add_test(NAME icinga2_config COMMAND ${PROJECT_SOURCE_DIR}/scripts/icinga2/validate)
set_tests_properties(icinga2_config PROPERTIES LABELS cli TIMEOUT 120)

# Fuzz targets: libFuzzer executables with MAILREP_FUZZ=ON (clang, preset "fuzz"); otherwise each
# target replays its corpus in tests/fuzz/corpus/<name>/ as an ordinary test.
set(MAILREP_FUZZ_TARGETS spf dmarc dkim_key mtasts_policy bounce content)
foreach(name ${MAILREP_FUZZ_TARGETS})
  if(NOT EXISTS ${PROJECT_SOURCE_DIR}/tests/fuzz/${name}_fuzz.cpp)
    continue()
  endif()
  if(MAILREP_FUZZ)
    add_executable(fuzz_${name} tests/fuzz/${name}_fuzz.cpp)
    target_compile_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
    target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
  else()
    add_executable(fuzz_${name} tests/fuzz/${name}_fuzz.cpp tests/fuzz/replay_main.cpp)
    add_test(NAME fuzz_replay_${name} COMMAND fuzz_${name} ${PROJECT_SOURCE_DIR}/tests/fuzz/corpus/${name})
    set_tests_properties(fuzz_replay_${name} PROPERTIES LABELS fuzz TIMEOUT 120)
  endif()
  target_link_libraries(fuzz_${name} PRIVATE mailrep_core mailrep_settings)
endforeach()

# The layering of DESIGN.md (dependencies point down only; C libraries in one folder each).
add_test(NAME check_layers COMMAND python3 ${PROJECT_SOURCE_DIR}/scripts/check-layers)
set_tests_properties(check_layers PROPERTIES LABELS unit TIMEOUT 60)
