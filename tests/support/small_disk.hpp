#pragma once
// A disk that fills up, for tests of what happens then: a tmpfs of a given size, mounted in a
// mount namespace of the test process's own, which the processes it starts afterwards share and
// nothing else sees.

#include <filesystem>
#include <memory>
#include <string>

namespace supportdrop::test {

class SmallDisk {
public:
    // Mounts a tmpfs of `size` ("16m") at `directory`, which it creates. Null where the process
    // cannot have a mount namespace of its own: without CAP_SYS_ADMIN it tries a user namespace
    // in which it is root (which Debian allows), and a kernel may refuse both. The process stays
    // in those namespaces: a test that uses it runs in a process of its own (as ctest runs each).
    static std::unique_ptr<SmallDisk> mount(const std::filesystem::path& directory, const std::string& size);

    SmallDisk(const SmallDisk&) = delete;
    SmallDisk& operator=(const SmallDisk&) = delete;
    // Unmounts it; what was on it is gone.
    ~SmallDisk();

    // Takes all the room that is left, with a file named `name`.
    void fill(const std::string& name = "filler") const;

private:
    explicit SmallDisk(std::filesystem::path directory) : m_directory(std::move(directory)) {}

    std::filesystem::path m_directory;
};

} // namespace supportdrop::test
