#include "support/process.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace supportdrop::test {
namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace

std::string shell_quote(const std::string& text) {
    std::string quoted = "'";
    for (const char c : text) {
        if (c == '\'') {
            quoted += "'\\''";
        } else {
            quoted += c;
        }
    }
    return quoted + "'";
}

ProcessResult run_shell(const std::string& command, const std::string& directory) {
    char out_path[] = "/tmp/supportdrop-out-XXXXXX";
    char err_path[] = "/tmp/supportdrop-err-XXXXXX";
    const int out_fd = ::mkstemp(out_path);
    const int err_fd = ::mkstemp(err_path);
    if (out_fd < 0 || err_fd < 0) {
        throw std::runtime_error("mkstemp failed");
    }
    ::close(out_fd);
    ::close(err_fd);
    const std::string line =
        "cd " + shell_quote(directory) + " && { " + command + "\n} </dev/null >" + out_path + " 2>" + err_path;
    const int status = std::system(line.c_str());
    ProcessResult result;
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    result.out = slurp(out_path);
    result.err = slurp(err_path);
    ::unlink(out_path);
    ::unlink(err_path);
    return result;
}

std::size_t open_descriptors() {
    std::size_t count = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
        ++count;
    }
    return count;
}

} // namespace supportdrop::test
