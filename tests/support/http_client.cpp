#include "support/http_client.hpp"

#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace supportdrop::test {

std::string HttpResult::header(const std::string& name) const {
    std::string wanted = name + ":";
    std::ranges::transform(wanted, wanted.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::istringstream lines(headers);
    std::string line;
    std::string value;
    while (std::getline(lines, line)) {
        std::string lower = line;
        std::ranges::transform(lower, lower.begin(),
                               [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (lower.starts_with(wanted)) {
            value = line.substr(wanted.size());
            while (!value.empty() && (value.front() == ' ')) {
                value.erase(0, 1);
            }
            while (!value.empty() && (value.back() == '\r' || value.back() == ' ')) {
                value.pop_back();
            }
        }
    }
    return value;
}

HttpResult curl(const std::filesystem::path& directory, const std::string& arguments) {
    const auto result = run_shell("curl -sS --max-time 60 -o curl.body -D curl.headers -w '%{http_code}' " + arguments,
                                  directory.string());
    HttpResult http;
    try {
        http.status = std::stoi(result.out);
    } catch (const std::exception&) {
        http.status = 0;
    }
    if (std::filesystem::exists(directory / "curl.body")) {
        const auto body = read_file(directory / "curl.body");
        http.body.assign(body.begin(), body.end());
        std::filesystem::remove(directory / "curl.body");
    }
    if (std::filesystem::exists(directory / "curl.headers")) {
        const auto headers = read_file(directory / "curl.headers");
        http.headers.assign(headers.begin(), headers.end());
        std::filesystem::remove(directory / "curl.headers");
    }
    return http;
}

} // namespace supportdrop::test
