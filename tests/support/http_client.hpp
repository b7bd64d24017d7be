#pragma once
// HTTP requests for integration tests, made with the curl command line.

#include <filesystem>
#include <string>

namespace supportdrop::test {

struct HttpResult {
    int status = 0;
    std::string headers; // raw header block(s), as curl -D writes them
    std::string body;

    // The value of the last header `name` (case-insensitive), or empty.
    std::string header(const std::string& name) const;
};

// Runs curl with `arguments` (already shell-quoted where needed) in `directory`.
HttpResult curl(const std::filesystem::path& directory, const std::string& arguments);

} // namespace supportdrop::test
