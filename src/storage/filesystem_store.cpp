#include "storage/sealed_store.hpp"
#include "util/atomic_file.hpp"

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace supportdrop::storage {
namespace {

ErrorCode from_filesystem_error(const std::error_code& error) {
    return ErrorCode(error.value(), boost::system::system_category());
}

class FilesystemPendingObject final : public PendingObject {
public:
    explicit FilesystemPendingObject(util::AtomicFile file) : m_file(std::move(file)) {}
    Result<void> write(std::span<const std::uint8_t> data) override { return m_file.write(data); }
    std::size_t write_alignment() const override { return m_file.write_alignment(); }
    util::RandomAccessSource& written() override { return m_file.written(); }
    void written_all() override { m_file.start_writeback(); }
    void keep_cached() override { m_file.use_page_cache(); }
    void reserve(std::uint64_t size) override { m_file.reserve(size); }
    util::AtomicFile& file() { return m_file; }

private:
    util::AtomicFile m_file;
};

class FilesystemStore final : public SealedStore {
public:
    FilesystemStore(std::filesystem::path inbox, std::filesystem::path incoming)
        : m_inbox(std::move(inbox)), m_incoming(std::move(incoming)) {}

    Result<std::unique_ptr<PendingObject>> create(const std::string& name, Caching caching) override {
        // Group-readable, so that the SFTP account of the staff can be in the service's group.
        auto file =
            util::AtomicFile::create(m_inbox / name, 0640, util::Overwrite::no, m_incoming,
                                     caching == Caching::bypass ? util::PageCache::bypass : util::PageCache::use);
        if (!file) {
            return file.error();
        }
        return std::unique_ptr<PendingObject>(std::make_unique<FilesystemPendingObject>(std::move(*file)));
    }

    Result<void> commit(std::span<PendingObject* const> objects) override {
        // All are renamed into the inbox, then the inbox is synced once for all the renames.
        for (PendingObject* object : objects) {
            if (auto committed =
                    static_cast<FilesystemPendingObject*>(object)->file().commit(util::DirectorySync::by_caller);
                !committed) {
                return committed;
            }
        }
        return util::sync_directory(m_inbox);
    }

    Result<void> remove(const std::string& name) override {
        if (::unlink((m_inbox / name).c_str()) != 0 && errno != ENOENT) {
            return util::last_system_error();
        }
        return {};
    }

    Result<std::vector<std::string>> list() override { return names_in(m_inbox, false); }

    Result<std::size_t> remove_incomplete() override {
        auto names = names_in(m_incoming, true);
        if (!names) {
            return names.error();
        }
        for (const std::string& name : *names) {
            if (::unlink((m_incoming / name).c_str()) != 0 && errno != ENOENT) {
                return util::last_system_error();
            }
        }
        return names->size();
    }

    Result<std::uint64_t> available_bytes() override {
        struct statvfs st {};
        if (::statvfs(m_inbox.c_str(), &st) != 0) {
            return util::last_system_error();
        }
        return static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
    }

private:
    static Result<std::vector<std::string>> names_in(const std::filesystem::path& directory, bool hidden) {
        std::vector<std::string> names;
        std::error_code error;
        for (std::filesystem::directory_iterator it(directory, error), end; !error && it != end; it.increment(error)) {
            const std::string name = it->path().filename().string();
            if (name.starts_with('.') == hidden) {
                names.push_back(name);
            }
        }
        if (error) {
            return from_filesystem_error(error);
        }
        return names;
    }

    std::filesystem::path m_inbox;
    std::filesystem::path m_incoming;
};

} // namespace

Result<std::unique_ptr<SealedStore>> open_filesystem_store(const std::filesystem::path& root) {
    const auto inbox = root / "inbox";
    const auto incoming = root / "incoming";
    for (const auto& directory : {root, inbox, incoming}) {
        std::error_code error;
        std::filesystem::create_directories(directory, error);
        if (error) {
            return from_filesystem_error(error);
        }
    }
    // Only the service user (and the staff group for the inbox) may look inside.
    for (const auto& [directory, mode] : {std::pair{root, 0750}, std::pair{inbox, 0750}, std::pair{incoming, 0700}}) {
        if (::chmod(directory.c_str(), static_cast<mode_t>(mode)) != 0) {
            return util::last_system_error();
        }
    }
    return std::unique_ptr<SealedStore>(std::make_unique<FilesystemStore>(inbox, incoming));
}

} // namespace supportdrop::storage
