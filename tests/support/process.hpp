#pragma once
// Runs a shell command line for integration tests and captures what it printed.

#include <cstddef>
#include <string>

namespace supportdrop::test {

struct ProcessResult {
    int exit_code = -1; // -1 when killed by a signal
    std::string out;
    std::string err;
};

// Runs `command` with /bin/sh -c in `directory`.
ProcessResult run_shell(const std::string& command, const std::string& directory = ".");

// Single-quotes `text` for the shell.
std::string shell_quote(const std::string& text);

// How many descriptors this process has open: compared before and after, it shows a leak.
std::size_t open_descriptors();

} // namespace supportdrop::test
