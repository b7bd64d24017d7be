#include "support/small_disk.hpp"

#include <fstream>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>
#include <vector>

namespace supportdrop::test {
namespace {

bool write_proc_file(const char* path, const std::string& text) {
    std::ofstream file(path);
    file << text;
    file.flush();
    return static_cast<bool>(file);
}

// A mount namespace in which mounts do not propagate back out.
bool enter_own_mount_namespace() {
    if (::unshare(CLONE_NEWNS) != 0) {
        const uid_t uid = ::getuid();
        const gid_t gid = ::getgid();
        if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0 || !write_proc_file("/proc/self/setgroups", "deny") ||
            !write_proc_file("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1") ||
            !write_proc_file("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1")) {
            return false;
        }
    }
    return ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0;
}

} // namespace

std::unique_ptr<SmallDisk> SmallDisk::mount(const std::filesystem::path& directory, const std::string& size) {
    if (!enter_own_mount_namespace()) {
        return nullptr;
    }
    std::filesystem::create_directories(directory);
    const std::string options = "size=" + size + ",mode=0700";
    if (::mount("tmpfs", directory.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
        return nullptr;
    }
    return std::unique_ptr<SmallDisk>(new SmallDisk(directory));
}

SmallDisk::~SmallDisk() {
    ::umount2(m_directory.c_str(), MNT_DETACH);
}

void SmallDisk::fill(const std::string& name) const {
    std::ofstream filler(m_directory / name, std::ios::binary);
    const std::vector<char> block(4096, 'x');
    while (filler.write(block.data(), static_cast<std::streamsize>(block.size())) && filler.flush()) {
    }
}

} // namespace supportdrop::test
