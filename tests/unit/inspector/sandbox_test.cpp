#include "inspector/sandbox.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

namespace supportdrop::inspector {
namespace {

// AddressSanitizer reserves terabytes of address space for its shadow memory, which the
// sandbox's address-space limit cannot allow: the sandbox is tested in the release build only
// (here, and through the real inspector process in tests/integration).
#if defined(__SANITIZE_ADDRESS__)
constexpr bool k_address_sanitizer = true;
#else
constexpr bool k_address_sanitizer = false;
#endif

class SandboxDeathTest : public testing::Test {
protected:
    void SetUp() override {
        if (k_address_sanitizer) {
            GTEST_SKIP() << "the address-space limit and AddressSanitizer exclude each other";
        }
    }
};

// Each case runs in a child process (a death test), since the sandbox cannot be left again; it
// exits 0 when the sandbox behaved as expected and lets a killing system call kill it.
void enter() {
    const auto filter = SandboxFilter::compile();
    if (!filter || !enter_sandbox(*filter, SandboxLimits{})) {
        std::_Exit(99);
    }
}

void use_pipe_and_memory() {
    std::array<int, 2> pipe_fds{};
    if (::pipe(pipe_fds.data()) != 0) {
        std::_Exit(98);
    }
    enter();
    void* block = std::malloc(std::size_t{16} << 20);
    const bool wrote = ::write(pipe_fds[1], "ok", 2) == 2;
    std::array<char, 2> read_back{};
    const bool read = ::read(pipe_fds[0], read_back.data(), read_back.size()) == 2;
    std::free(block);
    std::_Exit(block != nullptr && wrote && read ? 0 : 1);
}

void write_a_file() {
    enter();
    const bool wrote = ::write(STDERR_FILENO, "x", 1) == 1; // a file the death test reads
    std::_Exit(wrote ? 1 : 0);
}

void open_a_file() {
    enter();
    const int fd = ::open("/etc/hostname", O_RDONLY | O_CLOEXEC);
    std::_Exit(fd < 0 && errno == EACCES ? 0 : 1);
}

void open_a_socket() {
    enter();
    (void)::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    std::_Exit(0);
}

void exec_a_program() {
    enter();
    std::array<char*, 2> argv = {const_cast<char*>("true"), nullptr};
    ::execv("/bin/true", argv.data());
    std::_Exit(0);
}

void map_executable_memory() {
    enter();
    (void)::mmap(nullptr, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    std::_Exit(0);
}

void allocate_beyond_the_limit() {
    enter();
    void* block = std::malloc(std::size_t{512} << 20);
    std::_Exit(block == nullptr ? 0 : 1);
}

TEST_F(SandboxDeathTest, AllowsReadingWritingAndMemory) {
    EXPECT_EXIT(use_pipe_and_memory(), testing::ExitedWithCode(0), "");
}

TEST_F(SandboxDeathTest, OpeningAFileFailsWithoutKilling) {
    EXPECT_EXIT(open_a_file(), testing::ExitedWithCode(0), "");
}

TEST_F(SandboxDeathTest, GrowingAFileKills) {
    EXPECT_EXIT(write_a_file(), testing::KilledBySignal(SIGXFSZ), "");
}

TEST_F(SandboxDeathTest, ANetworkSocketKills) {
    EXPECT_EXIT(open_a_socket(), testing::KilledBySignal(SIGSYS), "");
}

TEST_F(SandboxDeathTest, ExecKills) {
    EXPECT_EXIT(exec_a_program(), testing::KilledBySignal(SIGSYS), "");
}

TEST_F(SandboxDeathTest, ExecutableMemoryKills) {
    EXPECT_EXIT(map_executable_memory(), testing::KilledBySignal(SIGSYS), "");
}

TEST_F(SandboxDeathTest, MemoryBeyondTheLimitIsRefused) {
    EXPECT_EXIT(allocate_beyond_the_limit(), testing::ExitedWithCode(0), "");
}

// The fork server compiles the filter once and every worker it forks installs that program.
TEST_F(SandboxDeathTest, OneCompiledFilterConfinesEveryProcessThatEntersIt) {
    const auto filter = SandboxFilter::compile();
    ASSERT_TRUE(filter);
    EXPECT_FALSE(filter->program().empty());
    const auto exec_after_entering = [&filter] {
        if (!enter_sandbox(*filter, SandboxLimits{})) {
            std::_Exit(99);
        }
        std::array<char*, 2> argv = {const_cast<char*>("true"), nullptr};
        ::execv("/bin/true", argv.data());
        std::_Exit(0);
    };
    EXPECT_EXIT(exec_after_entering(), testing::KilledBySignal(SIGSYS), "");
    EXPECT_EXIT(exec_after_entering(), testing::KilledBySignal(SIGSYS), "");
}

} // namespace
} // namespace supportdrop::inspector
