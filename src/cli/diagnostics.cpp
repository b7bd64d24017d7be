#include "cli/diagnostics.hpp"

#include <iostream>

namespace supportdrop::cli {

int report_error(std::string_view message) {
    std::cerr << "supportdrop: error: " << message << '\n';
    return k_exit_failure;
}

void report_warning(std::string_view message) {
    std::cerr << "supportdrop: warning: " << message << '\n';
}

} // namespace supportdrop::cli
