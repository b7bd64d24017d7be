#pragma once
// Where sealed files rest until staff collect them. The protocol and pipeline code know only
// this interface; the filesystem is one implementation, an object store can be another.

#include "util/byte_stream.hpp"
#include "util/errors.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace supportdrop::storage {

using util::ErrorCode;
using util::Result;

// An object being written. It becomes visible, durable and complete only when its store
// commits it; destroying it uncommitted removes what was written. Not thread-safe.
class PendingObject : public util::ByteSink {
public:
    // What has been written so far, readable until it is committed.
    virtual util::RandomAccessSource& written() = 0;
    // Says that every byte has been written: the store may start making them durable now, while
    // the caller decides whether to commit (the filesystem starts writing them to disk).
    virtual void written_all() = 0;
    // Keeps the bytes written from now on in memory, as Caching::keep does: for a caller that
    // learns only after create() that it will read all of them back soon.
    virtual void keep_cached() = 0;
    // Says that the object will have at most `size` bytes: the store may reserve room for them
    // now, which costs the writes less (the filesystem), and gives back what goes unused when
    // it commits the object.
    virtual void reserve(std::uint64_t size) = 0;
};

// Whether a store keeps an object's bytes in memory as it writes them, for reading them back
// soon (a file system's page cache), or bypasses such caches after the first write (whose
// bytes, the object's beginning, a reader wants first): less CPU for the writer, but each later
// write waits for the disk, and a read of its bytes goes to the disk.
enum class Caching { keep, bypass };

// Thread-safe.
class SealedStore {
public:
    virtual ~SealedStore() = default;

    // Starts writing the object `name` (server-minted: [0-9a-z.]+). Fails with
    // util::Errc::file_exists when it exists, or a storage error.
    virtual Result<std::unique_ptr<PendingObject>> create(const std::string& name, Caching caching) = 0;

    // Commits `objects`, all created by this store and not yet committed: when it returns, each
    // is visible and durable under its name. Committing several at once costs less than one by
    // one (the filesystem syncs their directory once). On failure, those already visible stay
    // (remove() them); the rest are discarded.
    virtual Result<void> commit(std::span<PendingObject* const> objects) = 0;

    // Removes a committed object; removing a missing one succeeds.
    virtual Result<void> remove(const std::string& name) = 0;

    // The names of all committed objects.
    virtual Result<std::vector<std::string>> list() = 0;

    // Removes what an interrupted process left half-written; returns how many. Call at start,
    // before any upload begins.
    virtual Result<std::size_t> remove_incomplete() = 0;

    // Bytes that can still be written.
    virtual Result<std::uint64_t> available_bytes() = 0;
};

// Objects as files in `root`/inbox (the directory staff collect from over SFTP), written via
// `root`/incoming so that the inbox only ever shows complete files. Creates the directories.
Result<std::unique_ptr<SealedStore>> open_filesystem_store(const std::filesystem::path& root);

} // namespace supportdrop::storage
