#pragma once
// A fresh directory per test, removed with everything in it afterwards.

#include <filesystem>
#include <string>
#include <vector>

namespace supportdrop::test {

class TempDir {
public:
    TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir();

    const std::filesystem::path& path() const { return m_path; }
    std::filesystem::path operator/(const std::string& name) const { return m_path / name; }
    // Names of the entries, sorted: to assert that nothing was left behind.
    std::vector<std::string> entries() const;

private:
    std::filesystem::path m_path;
};

std::vector<std::uint8_t> read_file(const std::filesystem::path& path);
std::string read_file_text(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, const std::vector<std::uint8_t>& data);
// Deterministic pseudo-random bytes.
std::vector<std::uint8_t> pattern_bytes(std::size_t size, std::uint32_t seed = 1);

} // namespace supportdrop::test
