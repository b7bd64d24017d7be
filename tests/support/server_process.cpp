#include "support/server_process.hpp"

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace supportdrop::test {

ServerProcess::ServerProcess(const std::filesystem::path& directory, const std::string& recipient,
                             const std::string& extra_toml, const std::string& server_toml)
    : m_directory(directory) {
    std::ofstream config(directory / "supportdrop.toml");
    config << "[server]\nlisten = \"127.0.0.1:0\"\nio_threads = 2\nwork_threads = 2\n"
           << server_toml << "\n"
           << "[admin]\nlisten = \"127.0.0.1:0\"\n\n"
           << "[storage]\ndata_dir = \"data\"\n\n"
           << (recipient.empty() ? "" : "[sealing]\nrecipients = [\"" + recipient + "\"]\n\n") << extra_toml;
    config.close();
    start();
}

ServerProcess::~ServerProcess() {
    if (m_pid > 0) {
        terminate();
    }
}

void ServerProcess::start() {
    const std::string log_path = (m_directory / ("server-" + std::to_string(++m_starts) + ".log")).string();
    m_pid = ::fork();
    if (m_pid == 0) {
        const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(fd, STDERR_FILENO);
        ::dup2(fd, STDOUT_FILENO);
        if (::chdir(m_directory.c_str()) != 0) {
            ::_exit(127);
        }
        ::execl(SUPPORTDROP_BINARY, SUPPORTDROP_BINARY, "serve", "--config", "supportdrop.toml", nullptr);
        ::_exit(127);
    }
    for (int i = 0; i < 200; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        const std::string text = log();
        if (text.find("serve.started") != std::string::npos) {
            m_url = url_in(text, "site");
            m_admin_url = url_in(text, "admin");
            if (m_url.empty() || m_admin_url.empty()) {
                throw std::runtime_error("server started without naming its site and admin URLs:\n" + text);
            }
            return;
        }
        int status = 0;
        if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
            m_pid = -1;
            throw std::runtime_error("server exited at start:\n" + text);
        }
    }
    throw std::runtime_error("server did not start in 10 s:\n" + log());
}

std::uint16_t ServerProcess::port() const {
    return static_cast<std::uint16_t>(std::stoi(m_url.substr(m_url.rfind(':') + 1)));
}

std::string ServerProcess::listener_url(std::string_view kind) const {
    return url_in(log(), kind);
}

std::string ServerProcess::url_in(const std::string& text, std::string_view kind) {
    const std::string label = "kind=" + std::string(kind) + " url=";
    const std::size_t start = text.find(label);
    if (start == std::string::npos) {
        return {};
    }
    const std::size_t url = start + label.size();
    return text.substr(url, text.find_first_of(" \n", url) - url);
}

std::string ServerProcess::log() const {
    std::ifstream in(m_directory / ("server-" + std::to_string(m_starts) + ".log"));
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void ServerProcess::restart() {
    start();
}

void ServerProcess::signal(int signal_number) {
    if (m_pid > 0) {
        ::kill(m_pid, signal_number);
    }
}

void ServerProcess::kill() {
    if (m_pid > 0) {
        ::kill(m_pid, SIGKILL);
        ::waitpid(m_pid, nullptr, 0);
        m_pid = -1;
    }
}

int ServerProcess::terminate() {
    if (m_pid <= 0) {
        return -1;
    }
    ::kill(m_pid, SIGTERM);
    int status = 0;
    ::waitpid(m_pid, &status, 0);
    m_pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

} // namespace supportdrop::test
