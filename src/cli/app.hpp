#pragma once

namespace supportdrop::cli {

// Parses the command line, runs the chosen subcommand and returns the process exit status:
// 0 success, 1 failure (a one-line reason on standard error), 2 usage error.
int run_app(int argc, char** argv);

} // namespace supportdrop::cli
