#include "inspector/errors.hpp"
#include "inspector/report.hpp"
#include "inspector/sandboxed_inspector.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <clocale>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace supportdrop::inspector {
namespace {

using test::open_descriptors;

const std::filesystem::path k_samples = SUPPORTDROP_TEST_DATA_DIR "/archives";

class SandboxedInspectorTest : public testing::Test {
protected:
    util::Result<InspectionReport> inspect(const std::string& sample, SandboxedInspectorSettings settings = {}) {
        return inspect_file(k_samples / sample, std::move(settings));
    }

    util::Result<InspectionReport> inspect_file(const std::filesystem::path& path,
                                                SandboxedInspectorSettings settings = {}) {
        settings.executable = SUPPORTDROP_BINARY;
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        EXPECT_GE(fd, 0) << path;
        util::FdRandomAccessSource source(fd);
        auto report = SandboxedInspector(settings).inspect(source);
        ::close(fd);
        return report;
    }

    // Nothing is left behind by an inspection, whatever became of it: no child, no descriptor.
    void TearDown() override {
        EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);
        EXPECT_EQ(errno, ECHILD);
        EXPECT_EQ(open_descriptors(), m_descriptors);
    }

    std::size_t m_descriptors = open_descriptors();
};

TEST_F(SandboxedInspectorTest, ReportsWhatTheArchiveHolds) {
    auto report = inspect("test_read_format_zip_7075_utf8_paths.zip");
    ASSERT_TRUE(report) << report.error().message();
    EXPECT_EQ(report->listing.format, "zip");
    ASSERT_EQ(report->listing.entries.size(), 4u);
    // Names are converted in the worker's C.UTF-8 locale.
    EXPECT_EQ(report->listing.entries.at(1).path, "File 2 - \xC3\xB6.txt");
    auto encrypted = inspect("test_read_format_rar5_encrypted.rar");
    ASSERT_TRUE(encrypted);
    EXPECT_TRUE(encrypted->listing.has(Finding::encrypted_data));
}

// One tar entry of 4 GiB of zeros in 4 MB of gzip (64 identical gzip members of 64 MiB), in
// `dir`: inflating it takes seconds.
std::filesystem::path pack_slow_bomb(const test::TempDir& dir) {
    const auto made =
        test::run_shell("truncate -s 4G zeros && tar -cf - zeros 2>/dev/null | head -c 512 | gzip > bomb.tar.gz\n"
                        "head -c 67108864 /dev/zero | gzip > part.gz\n"
                        "for i in $(seq 64); do cat part.gz >> bomb.tar.gz; done\n"
                        "head -c 1024 /dev/zero | gzip >> bomb.tar.gz",
                        dir.path().string());
    EXPECT_EQ(made.exit_code, 0) << made.err;
    return dir / "bomb.tar.gz";
}

// A one-second wall clock (and CPU limit), with the decompression budget out of the way: the
// clock ends a slow bomb.
SandboxedInspectorSettings one_second_budget() {
    SandboxedInspectorSettings settings;
    settings.wall_clock = std::chrono::seconds(1);
    settings.limits.max_decompressed_bytes = std::uint64_t{1} << 40;
    return settings;
}

TEST_F(SandboxedInspectorTest, KillsAnInspectionThatOutlivesItsBudget) {
    test::TempDir dir;
    const auto bomb = pack_slow_bomb(dir);
    const auto started = std::chrono::steady_clock::now();
    auto report = inspect_file(bomb, one_second_budget());
    ASSERT_FALSE(report);
    EXPECT_TRUE(report.error() == Errc::timed_out || report.error() == Errc::crashed) << report.error().message();
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
}

TEST_F(SandboxedInspectorTest, AnInspectionOutOfMemoryGivesNoReport) {
    // A gzip stream that holds itself: libarchive stacks filter upon filter, each with its
    // buffers, until the address-space limit stops it.
    SandboxedInspectorSettings settings;
    settings.memory_bytes = std::uint64_t{96} << 20;
    settings.limits.max_decompressed_bytes = std::uint64_t{1} << 40;
    auto report = inspect("test_read_filter_gzip_recursive.gz", settings);
    ASSERT_FALSE(report);
    EXPECT_EQ(report.error(), Errc::crashed) << report.error().message();
}

// A live inspection is given the upload in pieces of `piece` bytes as it arrives (none: all of it
// only at the end), then finished; what it could not take then, it reads back from the file.
util::Result<InspectionReport> inspect_live(const std::filesystem::path& path, std::optional<std::size_t> piece,
                                            SandboxedInspectorSettings settings = {}) {
    settings.executable = SUPPORTDROP_BINARY;
    SandboxedInspector inspector(settings);
    auto live = inspector.begin();
    if (!live) {
        return live.error();
    }
    const std::vector<std::uint8_t> upload = test::read_file(path);
    for (std::size_t offset = 0; piece && offset < upload.size(); offset += *piece) {
        (*live)->offer(std::span(upload).subspan(offset, std::min(*piece, upload.size() - offset)));
    }
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    util::FdRandomAccessSource source(fd);
    auto report = (*live)->finish(source);
    ::close(fd);
    return report;
}

// A case as customers pack it on Linux: a Readme, a log, and 6 MiB that gzip cannot shrink.
std::filesystem::path pack_large_case(const test::TempDir& dir) {
    const auto packed = test::run_shell(
        "set -e; mkdir c; printf 'Der Export bricht ab.\nE-Mail: erika@example.com\n' > c/Readme.txt\n"
        "seq 100000 > c/app.log; head -c 6291456 /dev/urandom > c/data.bin; tar -czf case.tar.gz -C c .",
        dir.path().string());
    EXPECT_EQ(packed.exit_code, 0) << packed.err;
    return dir / "case.tar.gz";
}

TEST_F(SandboxedInspectorTest, ALiveInspectionReportsWhatAnInspectionAfterTheUploadDoes) {
    test::TempDir dir;
    const std::vector<std::filesystem::path> uploads = {pack_large_case(dir), k_samples / "test_compat_gzip_1.tgz",
                                                        k_samples / "test_read_format_zip.zip"};
    for (const auto& upload : uploads) {
        auto afterwards = inspect_file(upload);
        ASSERT_TRUE(afterwards) << upload;
        const std::string expected = report_to_json(*afterwards);
        // Pieces the worker keeps up with, network buffers, more than its windows hold at once (it
        // falls behind, and the rest is read back), and nothing before the end.
        for (const std::optional<std::size_t> piece :
             {std::optional<std::size_t>(64 * 1024), std::optional<std::size_t>(1 << 20),
              std::optional<std::size_t>(16 << 20), std::optional<std::size_t>()}) {
            auto live = inspect_live(upload, piece);
            ASSERT_TRUE(live) << upload << " " << live.error().message();
            EXPECT_EQ(report_to_json(*live), expected) << upload << " in pieces of " << piece.value_or(0);
        }
    }
}

TEST_F(SandboxedInspectorTest, ALiveInspectionWhoseWorkerDiesOrOverrunsFailsAsAnInspectionAfterwardsWould) {
    // Out of memory while the upload arrives: the worker dies, and finish() says so.
    SandboxedInspectorSettings settings;
    settings.memory_bytes = std::uint64_t{96} << 20;
    settings.limits.max_decompressed_bytes = std::uint64_t{1} << 40;
    auto crashed = inspect_live(k_samples / "test_read_filter_gzip_recursive.gz", 4096, settings);
    ASSERT_FALSE(crashed);
    EXPECT_EQ(crashed.error(), Errc::crashed) << crashed.error().message();
    // A bomb that takes longer to inflate than the budget allows.
    test::TempDir dir;
    const auto bomb = pack_slow_bomb(dir);
    const auto started = std::chrono::steady_clock::now();
    auto overrun = inspect_live(bomb, 1 << 20, one_second_budget());
    ASSERT_FALSE(overrun);
    EXPECT_TRUE(overrun.error() == Errc::timed_out || overrun.error() == Errc::crashed) << overrun.error().message();
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(4));
}

// The fork server is this test's only child.
pid_t fork_server_pid() {
    const auto found = test::run_shell("pgrep -P " + std::to_string(::getpid()) + " -x inspect-fork", ".");
    return found.exit_code == 0 ? static_cast<pid_t>(std::stol(found.out)) : -1;
}

// The processes a process has forked that still exist (zombies included).
std::string children_of(pid_t pid) {
    std::ifstream children("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
    std::string list;
    std::getline(children, list);
    return list;
}

// The state letter of a process (R, S, Z, ...), or 0 when there is none.
char process_state(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(stat, line);
    const std::size_t after_name = line.rfind(')');
    return after_name == std::string::npos || after_name + 2 >= line.size() ? 0 : line[after_name + 2];
}

class OneInspector : public SandboxedInspectorTest {
protected:
    OneInspector() : m_fd(::open((k_samples / "test_read_format_zip.zip").c_str(), O_RDONLY | O_CLOEXEC)) {
        SandboxedInspectorSettings settings;
        settings.executable = SUPPORTDROP_BINARY;
        m_inspector.emplace(settings);
    }
    void TearDown() override {
        m_inspector.reset();
        ::close(m_fd);
        SandboxedInspectorTest::TearDown();
    }

    util::Result<InspectionReport> inspect() {
        util::FdRandomAccessSource source(m_fd);
        return m_inspector->inspect(source);
    }

    int m_fd;
    std::optional<SandboxedInspector> m_inspector;
};

TEST_F(OneInspector, EveryWorkerHasEndedWhenItsInspectionReturns) {
    for (int i = 0; i < 3; ++i) {
        ASSERT_TRUE(inspect());
    }
    const pid_t fork_server = fork_server_pid();
    ASSERT_GT(fork_server, 0);
    // The fork server reaps each worker as it ends; give it a moment to do so.
    for (int i = 0; i < 100 && !children_of(fork_server).empty(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(children_of(fork_server), "");
}

TEST_F(OneInspector, TheInspectorProcessesHaveAProcessGroupOfTheirOwn) {
    // So that Ctrl-C in a terminal reaches only the receiver, which then finishes its uploads.
    ASSERT_TRUE(inspect());
    const pid_t fork_server = fork_server_pid();
    ASSERT_GT(fork_server, 0);
    EXPECT_EQ(::getpgid(fork_server), fork_server);
    EXPECT_NE(::getpgid(fork_server), ::getpgrp());
}

TEST_F(OneInspector, AForkServerThatDiedIsReplaced) {
    ASSERT_TRUE(inspect());
    const auto killed = test::run_shell("pkill -KILL -P " + std::to_string(::getpid()) + " -x inspect-fork", ".");
    EXPECT_EQ(killed.exit_code, 0) << killed.err;
    auto report = inspect();
    ASSERT_TRUE(report) << report.error().message();
    EXPECT_EQ(report->listing.entries.size(), 3u);
}

TEST_F(OneInspector, TheForkServerIsReplacedAfterSoManyWorkers) {
    ASSERT_TRUE(inspect());
    const pid_t first = fork_server_pid();
    ASSERT_GT(first, 0);
    for (unsigned i = 1; i < SandboxedInspector::k_workers_per_fork_server; ++i) {
        ASSERT_TRUE(inspect());
    }
    EXPECT_EQ(children_of(::getpid()), std::to_string(first) + " ");
    ASSERT_TRUE(inspect()); // the first worker of a new fork server
    // The old one ends once its last worker has, and is reaped by the next inspection.
    for (int i = 0; i < 200 && process_state(first) != 'Z'; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(process_state(first), 'Z');
    ASSERT_TRUE(inspect());
    const pid_t second = fork_server_pid();
    EXPECT_GT(second, 0);
    EXPECT_NE(second, first);
    EXPECT_EQ(children_of(::getpid()), std::to_string(second) + " ");
}

TEST_F(SandboxedInspectorTest, AMissingExecutableFailsToSpawn) {
    SandboxedInspectorSettings settings;
    const int fd = ::open((k_samples / "test_read_format_zip.zip").c_str(), O_RDONLY | O_CLOEXEC);
    util::FdRandomAccessSource source(fd);
    settings.executable = "/nonexistent/supportdrop";
    auto report = SandboxedInspector(settings).inspect(source);
    ASSERT_FALSE(report);
    EXPECT_EQ(report.error(), Errc::spawn_failed);
    // A program that is no fork server: it ends without answering.
    settings.executable = "/bin/true";
    report = SandboxedInspector(settings).inspect(source);
    ::close(fd);
    ASSERT_FALSE(report);
    EXPECT_EQ(report.error(), Errc::spawn_failed);
}

} // namespace
} // namespace supportdrop::inspector
