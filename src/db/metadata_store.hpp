#pragma once
// The metadata of uploads: no personal data, only references, sizes, digests, types, times
// and verdict codes (DESIGN.md section 2). Protocol and pipeline code know only this interface.

#include "util/errors.hpp"

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace supportdrop::db {

using util::ErrorCode;
using util::Result;

// Persisted: the values are pinned.
enum class UploadState : int { sealed = 1, expired = 3 };

using ReceiptHash = std::array<std::uint8_t, 32>; // SHA-256 of the receipt token

struct UploadRecord {
    std::string id;        // server-minted, 128 random bits in hex; names the sealed files
    std::string reference; // for people: "SD-XXXX-XXXX"
    ReceiptHash receipt_hash{};
    UploadState state = UploadState::sealed;
    std::string archive_type;     // "zip", "tar", ...
    std::uint64_t size = 0;       // bytes the customer sent
    std::string sha256;           // hex digest of those bytes
    std::int64_t received_at = 0; // Unix seconds
    std::int64_t sealed_at = 0;
};

// Thread-safe; every call blocks on the database, so call it from a worker thread.
class MetadataStore {
public:
    virtual ~MetadataStore() = default;

    // Records a sealed upload, its audit entry and the queued staff notification in one
    // durable transaction. Fails when the id, reference or receipt hash exists.
    virtual Result<void> record_sealed(const UploadRecord& record) = 0;

    virtual Result<std::optional<UploadRecord>> find_by_receipt(const ReceiptHash& receipt_hash) = 0;
    virtual Result<bool> reference_exists(const std::string& reference) = 0;
    virtual Result<std::vector<std::string>> upload_ids() = 0;

    // Ids of sealed uploads sealed before `cutoff` (Unix seconds), for the retention job.
    virtual Result<std::vector<std::string>> sealed_before(std::int64_t cutoff) = 0;

    // Marks an upload expired, with its audit record, in one transaction.
    virtual Result<void> mark_expired(const std::string& id, std::int64_t at) = 0;

    // Whether the database answers, for readiness checks.
    virtual Result<void> check() = 0;
};

// SQLite in WAL mode with synchronous=FULL, so a committed record survives a crash. Creates
// or migrates the schema.
Result<std::unique_ptr<MetadataStore>> open_sqlite_store(const std::filesystem::path& file);

} // namespace supportdrop::db
