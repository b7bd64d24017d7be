#pragma once

#include <string>

namespace supportdrop::cli {

struct KeygenOptions {
    std::string output; // identity file to create; empty: standard output
};

// `supportdrop keygen`: creates an X25519 identity. With an output file, writes it with mode
// 0600 (never overwriting) and prints the recipient on standard output; without, prints the
// identity file on standard output and the recipient on standard error. Returns the exit status.
int run_keygen(const KeygenOptions& options);

} // namespace supportdrop::cli
