add_library(mailrep_warnings INTERFACE)
target_compile_options(mailrep_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual -Wcast-align
  -Wnull-dereference -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough -Wmissing-declarations
  -Wextra-semi)
if(MAILREP_WERROR)
  target_compile_options(mailrep_warnings INTERFACE -Werror)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC 12 gives false -Wrestrict positives in libstdc++ string code (GCC PR 105329).
    target_compile_options(mailrep_warnings INTERFACE -Wno-error=restrict)
    # With ASan/UBSan instrumentation GCC 12 reports false -Wmaybe-uninitialized inside libstdc++
    # (std::regex, std::optional); it stays a warning there, an error in the normal build.
    if(MAILREP_SANITIZE)
      target_compile_options(mailrep_warnings INTERFACE -Wno-error=maybe-uninitialized)
    endif()
  endif()
endif()
