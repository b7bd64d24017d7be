#pragma once

#include <string>
#include <vector>

namespace supportdrop::cli {

struct OpenOptions {
    std::vector<std::string> identity_files; // identity files, age-keygen layout
    std::string output;                      // empty: standard output
    std::string input;                       // empty: standard input
};

// `supportdrop open`: decrypts an age file. A file output is written to a temporary file next
// to it and renamed only when the whole payload has authenticated; on any error nothing is
// left. Warns when an identity file is readable by group or others. Returns the exit status.
int run_open(const OpenOptions& options);

} // namespace supportdrop::cli
