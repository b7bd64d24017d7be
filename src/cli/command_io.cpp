#include "cli/command_io.hpp"

#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace supportdrop::cli {
namespace {

bool is_standard_stream(const std::string& path) {
    return path.empty() || path == "-";
}

// The temporary file to remove when a signal ends the process. A fixed buffer, because the
// handler may only make async-signal-safe calls.
char g_pending_temporary[4096];
constexpr int k_cleanup_signals[] = {SIGINT, SIGTERM, SIGHUP};

extern "C" void remove_temporary_and_reraise(int signal_number) {
    if (g_pending_temporary[0] != '\0') {
        ::unlink(g_pending_temporary);
    }
    // Nothing useful can be done if these fail: the process is ending either way.
    (void)std::signal(signal_number, SIG_DFL);
    (void)std::raise(signal_number);
}

void arm_cleanup(const std::string& temporary) {
    if (temporary.size() >= sizeof g_pending_temporary) {
        return;
    }
    std::memcpy(g_pending_temporary, temporary.c_str(), temporary.size() + 1);
    for (const int signal_number : k_cleanup_signals) {
        (void)std::signal(signal_number, remove_temporary_and_reraise);
    }
}

void disarm_cleanup() {
    for (const int signal_number : k_cleanup_signals) {
        (void)std::signal(signal_number, SIG_DFL);
    }
    g_pending_temporary[0] = '\0';
}

} // namespace

util::Result<CommandInput> CommandInput::open(const std::string& path) {
    if (is_standard_stream(path)) {
        return CommandInput(STDIN_FILENO, false, "standard input");
    }
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return util::last_system_error();
    }
    return CommandInput(fd, true, path);
}

CommandInput::CommandInput(CommandInput&& other) noexcept
    : m_fd(other.m_fd), m_owned(other.m_owned), m_source(other.m_fd), m_name(std::move(other.m_name)) {
    other.m_owned = false;
}

CommandInput::~CommandInput() {
    if (m_owned) {
        ::close(m_fd);
    }
}

util::Result<CommandOutput> CommandOutput::open(const std::string& path, mode_t mode) {
    if (is_standard_stream(path)) {
        return CommandOutput(std::nullopt, "standard output");
    }
    auto file = util::AtomicFile::create(path, mode, util::Overwrite::no);
    if (!file) {
        return file.error();
    }
    arm_cleanup(file->temporary_path().string());
    return CommandOutput(std::move(*file), path);
}

CommandOutput::CommandOutput(std::optional<util::AtomicFile> file, std::string name)
    : m_file(std::move(file)), m_stdout(STDOUT_FILENO), m_name(std::move(name)) {}

CommandOutput::CommandOutput(CommandOutput&& other) noexcept
    : m_file(std::move(other.m_file)), m_stdout(STDOUT_FILENO), m_name(std::move(other.m_name)) {
    other.m_file.reset();
}

CommandOutput::~CommandOutput() {
    if (m_file) {
        m_file.reset();
        disarm_cleanup();
    }
}

util::ByteSink& CommandOutput::sink() {
    if (m_file) {
        return *m_file;
    }
    return m_stdout;
}

util::Result<void> CommandOutput::commit() {
    if (!m_file) {
        return {};
    }
    auto committed = m_file->commit();
    disarm_cleanup();
    return committed;
}

bool CommandOutput::is_terminal() const {
    return !m_file && ::isatty(STDOUT_FILENO) == 1;
}

util::Result<std::string> read_small_file(const std::string& path, std::size_t max_size) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return util::last_system_error();
    }
    util::FdSource source(fd);
    std::string text(max_size + 1, '\0');
    auto n = util::read_full(source, std::span(reinterpret_cast<std::uint8_t*>(text.data()), text.size()));
    ::close(fd);
    if (!n) {
        return n.error();
    }
    if (*n > max_size) {
        return util::ErrorCode(EFBIG, boost::system::system_category());
    }
    text.resize(*n);
    return text;
}

} // namespace supportdrop::cli
