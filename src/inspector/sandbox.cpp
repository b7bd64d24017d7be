#include "inspector/sandbox.hpp"

#include "util/unique_fd.hpp"

#include <array>
#include <cerrno>
#include <csignal>
#include <linux/seccomp.h>
#include <memory>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

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

util::Result<void> add_rules(scmp_filter_ctx filter) {
    for (const int syscall : k_allowed) {
        if (const int result = seccomp_rule_add(filter, SCMP_ACT_ALLOW, syscall, 0); result != 0) {
            return seccomp_error(result);
        }
    }
    // Memory, but never executable memory: no code can be loaded or written.
    const scmp_arg_cmp not_executable{2, SCMP_CMP_MASKED_EQ, PROT_EXEC, 0}; // (prot & PROT_EXEC) == 0
    for (const int syscall : {SCMP_SYS(mmap), SCMP_SYS(mprotect)}) {
        const int result = seccomp_rule_add_array(filter, SCMP_ACT_ALLOW, syscall, 1, &not_executable);
        if (result != 0) {
            return seccomp_error(result);
        }
    }
    for (const int syscall : {SCMP_SYS(open), SCMP_SYS(openat)}) {
        if (const int result = seccomp_rule_add(filter, SCMP_ACT_ERRNO(EACCES), syscall, 0); result != 0) {
            return seccomp_error(result);
        }
    }
    return {};
}

// libseccomp 2.5 exports a compiled filter only into a descriptor: a memory file, read back.
util::Result<std::vector<sock_filter>> export_program(scmp_filter_ctx filter) {
    const util::UniqueFd file(::memfd_create("seccomp-filter", MFD_CLOEXEC));
    if (!file) {
        return util::last_system_error();
    }
    if (const int result = seccomp_export_bpf(filter, file.get()); result != 0) {
        return seccomp_error(result);
    }
    struct stat status {};
    if (::fstat(file.get(), &status) != 0) {
        return util::last_system_error();
    }
    const auto size = static_cast<std::size_t>(status.st_size);
    std::vector<sock_filter> program(size / sizeof(sock_filter));
    if (size == 0 || size % sizeof(sock_filter) != 0 || program.size() > BPF_MAXINSNS ||
        ::pread(file.get(), program.data(), size, 0) != static_cast<ssize_t>(size)) {
        return util::ErrorCode(EIO, boost::system::system_category());
    }
    return program;
}

} // namespace

util::Result<SandboxFilter> SandboxFilter::compile() {
    std::unique_ptr<void, FilterDeleter> filter(seccomp_init(SCMP_ACT_KILL_PROCESS));
    if (!filter) {
        return util::ErrorCode(ENOMEM, boost::system::system_category());
    }
    if (auto added = add_rules(filter.get()); !added) {
        return added.error();
    }
    auto program = export_program(filter.get());
    if (!program) {
        return program.error();
    }
    return SandboxFilter(std::move(*program));
}

util::Result<void> enter_sandbox(const SandboxFilter& filter, const SandboxLimits& limits) {
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
    // As seccomp_load() would: no privileges to gain, then the filter, for this thread (the
    // worker has no other).
    const sock_fprog program{static_cast<unsigned short>(filter.program().size()),
                             const_cast<sock_filter*>(filter.program().data())};
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) != 0) {
        return util::last_system_error();
    }
    return {};
}

} // namespace supportdrop::inspector
