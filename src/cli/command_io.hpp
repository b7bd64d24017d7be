#pragma once
// The input and output of a command: a named file or the standard streams.

#include "util/atomic_file.hpp"
#include "util/byte_stream.hpp"

#include <optional>
#include <string>

namespace supportdrop::cli {

// A command's input: the file at `path`, or standard input when `path` is empty or "-".
class CommandInput {
public:
    // Fails with the system error of open(2).
    static util::Result<CommandInput> open(const std::string& path);

    CommandInput(CommandInput&& other) noexcept;
    CommandInput& operator=(CommandInput&&) = delete;
    ~CommandInput();

    util::ByteSource& source() { return m_source; }
    // For messages: the path, or "standard input".
    const std::string& name() const { return m_name; }

private:
    CommandInput(int fd, bool owned, std::string name)
        : m_fd(fd), m_owned(owned), m_source(fd), m_name(std::move(name)) {}

    int m_fd;
    bool m_owned;
    util::FdSource m_source;
    std::string m_name;
};

// A command's output: an AtomicFile that becomes visible only on commit(), or standard output
// when `path` is empty or "-". While a file output is open, SIGINT, SIGTERM and SIGHUP remove
// its temporary file before the process ends, so an interrupted command leaves nothing behind.
class CommandOutput {
public:
    // Fails with util::Errc::file_exists when `path` exists (never overwritten), or a system error.
    static util::Result<CommandOutput> open(const std::string& path, mode_t mode);

    CommandOutput(CommandOutput&& other) noexcept;
    CommandOutput& operator=(CommandOutput&&) = delete;
    ~CommandOutput();

    util::ByteSink& sink();
    // Makes a file output visible under its name (no-op for standard output).
    util::Result<void> commit();

    bool is_terminal() const;
    // For messages: the path, or "standard output".
    const std::string& name() const { return m_name; }

private:
    CommandOutput(std::optional<util::AtomicFile> file, std::string name);

    std::optional<util::AtomicFile> m_file;
    util::FdSink m_stdout;
    std::string m_name;
};

// Reads a small file whole (key files); fails with EFBIG above `max_size`.
util::Result<std::string> read_small_file(const std::string& path, std::size_t max_size);

} // namespace supportdrop::cli
