#include "inspector/sandbox.hpp"

#include <array>
#include <cerrno>
#include <csignal>
#include <memory>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>

namespace supportdrop::inspector {
namespace {

struct FilterDeleter {
    void operator()(void* filter) const { seccomp_release(filter); }
};

util::ErrorCode seccomp_error(int result) {
    return util::ErrorCode(-result, boost::system::system_category());
}

util::Result<void> set_limit(int resource, rlim_t value) {
    const rlimit limit{value, value};
    if (::setrlimit(resource, &limit) != 0) {
        return util::last_system_error();
    }
    return {};
}

// What the inspector does after the filter is in place: read and write its socket, allocate
// and free memory, take the time, and exit - or abort, which raises a signal at itself.
constexpr std::array k_allowed = {
    SCMP_SYS(read),           SCMP_SYS(write),        SCMP_SYS(readv),  SCMP_SYS(writev),
    SCMP_SYS(recvfrom),       SCMP_SYS(sendto),       SCMP_SYS(close),  SCMP_SYS(lseek),
    SCMP_SYS(fstat),          SCMP_SYS(newfstatat),   SCMP_SYS(brk),    SCMP_SYS(munmap),
    SCMP_SYS(mremap),         SCMP_SYS(madvise),      SCMP_SYS(futex),  SCMP_SYS(clock_gettime),
    SCMP_SYS(gettimeofday),   SCMP_SYS(getpid),       SCMP_SYS(gettid), SCMP_SYS(tgkill),
    SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigreturn), SCMP_SYS(exit),   SCMP_SYS(exit_group),
};

} // namespace

util::Result<void> enter_sandbox(const SandboxLimits& limits) {
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::prctl(PR_SET_DUMPABLE, 0) != 0) {
        return util::last_system_error();
    }
    for (const auto& [resource, value] : std::array<std::pair<int, rlim_t>, 5>{{
             {RLIMIT_CORE, 0},
             {RLIMIT_FSIZE, 0},
             {RLIMIT_NOFILE, 4}, // standard streams and the socket: nothing new
             {RLIMIT_AS, static_cast<rlim_t>(limits.memory_bytes)},
             {RLIMIT_CPU, static_cast<rlim_t>(limits.cpu_seconds)},
         }}) {
        if (auto set = set_limit(resource, value); !set) {
            return set;
        }
    }
    std::unique_ptr<void, FilterDeleter> filter(seccomp_init(SCMP_ACT_KILL_PROCESS));
    if (!filter) {
        return util::ErrorCode(ENOMEM, boost::system::system_category());
    }
    for (const int syscall : k_allowed) {
        if (const int result = seccomp_rule_add(filter.get(), SCMP_ACT_ALLOW, syscall, 0); result != 0) {
            return seccomp_error(result);
        }
    }
    // Memory, but never executable memory: no code can be loaded or written.
    const scmp_arg_cmp not_executable{2, SCMP_CMP_MASKED_EQ, PROT_EXEC, 0}; // (prot & PROT_EXEC) == 0
    for (const int syscall : {SCMP_SYS(mmap), SCMP_SYS(mprotect)}) {
        const int result = seccomp_rule_add_array(filter.get(), SCMP_ACT_ALLOW, syscall, 1, &not_executable);
        if (result != 0) {
            return seccomp_error(result);
        }
    }
    for (const int syscall : {SCMP_SYS(open), SCMP_SYS(openat)}) {
        if (const int result = seccomp_rule_add(filter.get(), SCMP_ACT_ERRNO(EACCES), syscall, 0); result != 0) {
            return seccomp_error(result);
        }
    }
    if (const int result = seccomp_load(filter.get()); result != 0) {
        return seccomp_error(result);
    }
    return {};
}

} // namespace supportdrop::inspector
