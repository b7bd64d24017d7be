#pragma once
// One-line messages on standard error, the command line's only way to report problems.

#include <string_view>

namespace supportdrop::cli {

inline constexpr int k_exit_success = 0;
inline constexpr int k_exit_failure = 1;
inline constexpr int k_exit_usage = 2;

// Prints "supportdrop: error: <message>" and returns k_exit_failure.
int report_error(std::string_view message);

// Prints "supportdrop: warning: <message>".
void report_warning(std::string_view message);

} // namespace supportdrop::cli
