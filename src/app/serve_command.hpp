#pragma once
// `supportdrop serve` and `supportdrop check-config`: the composition root, the one place that
// builds the concrete store, database, pipeline and server from the configuration.

#include <string>

namespace supportdrop::app {

struct ServeOptions {
    std::string config_file; // empty: the embedded defaults (local demo setup)
};

// Runs the receiver until SIGTERM/SIGINT. Returns the exit status; start-up problems are
// reported on standard error.
int run_serve(const ServeOptions& options);

// Loads and validates a configuration file, including its recipients, and explains the
// effective settings. Returns the exit status.
int run_check_config(const std::string& config_file);

} // namespace supportdrop::app
