#pragma once

#include <string>
#include <vector>

namespace supportdrop::cli {

struct SealOptions {
    std::vector<std::string> recipients;      // "age1..." strings
    std::vector<std::string> recipient_files; // files with one recipient per line
    std::string output;                       // empty: standard output
    std::string input;                        // empty: standard input
};

// `supportdrop seal`: encrypts the input to every recipient in the age format, streaming with
// constant memory. A file output appears only when complete. Returns the exit status.
int run_seal(const SealOptions& options);

} // namespace supportdrop::cli
