# Warnings for every target of the project, hardening for release builds, sanitizers on request.
add_compile_options(
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough
  -Wformat=2 -Wdelete-non-virtual-dtor
  # GCC 12 reports false -Wrestrict positives inside std::string (GCC bug 105329).
  $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>)

if(CMAKE_BUILD_TYPE MATCHES "Release|RelWithDebInfo")
  add_compile_definitions(_FORTIFY_SOURCE=2)
  add_compile_options(-fstack-protector-strong -fPIE)
  add_link_options(-pie -Wl,-z,relro,-z,now -Wl,-z,noexecstack)
endif()

if(SUPPORTDROP_SANITIZE OR SUPPORTDROP_SANITIZE_THREAD)
  # The sanitizer builds exist to run the tests, and at the build type's -O2 -g they were the
  # slowest part of CI: the ASan build of the unit tests took 432 s on two cores, 186 s at -Og -g1
  # (which, coming later on the command line, take the place of -O2 -g), and its tests ran in the
  # same 20 s. -Og still optimizes, so _FORTIFY_SOURCE stays in force; line tables are all the
  # sanitizers' stack traces need.
  add_compile_options(-Og -g1)
endif()

if(SUPPORTDROP_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()

if(SUPPORTDROP_SANITIZE_THREAD)
  # GCC warns that ThreadSanitizer ignores std::atomic_thread_fence, which Boost.Asio's handler
  # queues use beside the mutexes and atomics that order them.
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer $<$<CXX_COMPILER_ID:GNU>:-Wno-tsan>)
  add_link_options(-fsanitize=thread)
endif()

if(SUPPORTDROP_FUZZ)
  # Every library is instrumented for coverage; only the fuzz targets link libFuzzer's main.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
