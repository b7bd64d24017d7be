#pragma once
// Runs `supportdrop serve` for an integration test: a configuration in the test's directory,
// free ports chosen by the kernel (port 0), the log in a file, SIGTERM (or SIGKILL) to stop.

#include <filesystem>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace supportdrop::test {

class ServerProcess {
public:
    // Writes `directory`/supportdrop.toml with loopback listeners on port 0 (and `server_toml`
    // in the [server] table), the data directory `directory`/data, `recipient` as the only staff
    // recipient (none when empty: demo mode), then `extra_toml` (more tables), and starts the server. Throws
    // std::runtime_error when it does not start in 10 s.
    ServerProcess(const std::filesystem::path& directory, const std::string& recipient,
                  const std::string& extra_toml = "", const std::string& server_toml = "");
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;
    ~ServerProcess();

    const std::string& url() const { return m_url; }             // "http://127.0.0.1:PORT"
    const std::string& admin_url() const { return m_admin_url; } // "http://127.0.0.1:PORT"
    std::uint16_t port() const;
    pid_t pid() const { return m_pid; }
    std::filesystem::path data_dir() const { return m_directory / "data"; }
    std::string log() const;
    // The URL the log says the listener of `kind` ("site", "admin", "redirect") serves, or "".
    std::string listener_url(std::string_view kind) const;

    // Starts the server again with the same configuration (after kill()).
    void restart();
    // SIGKILL, as a crash; waits for the process.
    void kill();
    // SIGTERM; waits and returns the exit status.
    int terminate();
    // Sends `signal_number` without waiting.
    void signal(int signal_number);

private:
    // The URL a server log `text` names for the listener of `kind`, or "".
    static std::string url_in(const std::string& text, std::string_view kind);
    void start();

    std::filesystem::path m_directory;
    pid_t m_pid = -1;
    std::string m_url;
    std::string m_admin_url;
    int m_starts = 0;
};

} // namespace supportdrop::test
