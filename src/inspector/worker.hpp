#pragma once
// The inspector worker: one upload, in a process forked for it by the fork server
// (fork_server.hpp). Not a command for people.

#include "inspector/sandbox.hpp"

#include <optional>

namespace supportdrop::inspector {

// Loads what libarchive and the C library would otherwise load lazily, from files the sandbox
// no longer lets a worker open, and compiles the sandbox's filter. The fork server calls it
// once, before its first fork. Nothing when the C.UTF-8 locale is missing (without it entry
// names would not convert) or the filter does not compile.
std::optional<SandboxFilter> prepare_for_sandbox();

// Maps the `shared_windows` memory file and closes it, receives the job on `channel` (a socket),
// enters the sandbox with `filter`, inspects the upload it reads over the channel and sends the
// report. Returns the process exit status: 0 when the report was sent.
int run_inspector_worker(int channel, int shared_windows, const SandboxFilter& filter);

} // namespace supportdrop::inspector
