#pragma once
// The confinement of the inspector process, entered once it holds everything it needs (its
// socket, the C.UTF-8 locale, libarchive loaded) and before it touches the first untrusted byte.

#include "util/errors.hpp"

#include <cstdint>
#include <linux/filter.h>
#include <utility>
#include <vector>

namespace supportdrop::inspector {

struct SandboxLimits {
    std::uint64_t memory_bytes = std::uint64_t{128} << 20; // address space (RLIMIT_AS)
    std::uint64_t cpu_seconds = 10;                        // CPU time (RLIMIT_CPU), then SIGKILL
};

// The sandbox's seccomp filter as a BPF program, compiled once by the fork server before its first
// fork, so that each worker only installs it: libseccomp built and compiled it in every worker,
// a tenth of a worker's CPU time for a small upload.
class SandboxFilter {
public:
    // Compiles the filter that enter_sandbox describes. Fails with a system error.
    static util::Result<SandboxFilter> compile();

    const std::vector<sock_filter>& program() const { return m_program; }

private:
    explicit SandboxFilter(std::vector<sock_filter> program) : m_program(std::move(program)) {}

    std::vector<sock_filter> m_program;
};

// Irreversibly, for the calling process: no core dumps, not ptrace-able, killed with its parent;
// resource limits (address space, CPU time, no file may be written or grown, no further file
// descriptors); and a seccomp filter that leaves reading and writing the descriptors it already
// has, memory management without executable mappings, and exiting. Opening a file fails with
// EACCES (the C library tries it for character set tables, and a missing table is harmless);
// every other system call - sockets, exec, fork, ptrace, ... - kills the process (SIGSYS).
// Fails with a system error; the caller must then exit, not inspect.
util::Result<void> enter_sandbox(const SandboxFilter& filter, const SandboxLimits& limits);

} // namespace supportdrop::inspector
