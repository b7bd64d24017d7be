#pragma once
// One upload on its way from the network to the sealed store: checked, hashed and sealed as
// the bytes arrive, made durable and recorded only when it is complete and acceptable.

#include "age/encryptor.hpp"
#include "crypto/sha256.hpp"
#include "db/metadata_store.hpp"
#include "inspector/archive_inspector.hpp"
#include "pipeline/content_type.hpp"
#include "pipeline/errors.hpp"
#include "pipeline/verdict.hpp"
#include "storage/sealed_store.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace supportdrop::pipeline {

// Runs the work offered to it on another thread, one piece of work at a time and in the order
// offered (for example by posting it to a strand).
using HashQueue = std::function<void(std::function<void()>)>;

// What a session may spend to go faster, as its caller can afford: threads and memory.
struct SessionOptions {
    // Runs the work offered to it on another thread, one piece of work at a time and in order,
    // such as a strand; none: the session hashes as it seals (UploadSession::start).
    HashQueue hash_queue;
    // How much payload is sealed and then written to the store at once, in bytes, rounded down to
    // whole chunks of 64 KiB, in a buffer of the session's own (age::Encryptor::start); less
    // than one chunk, 0 included, means in the calling thread's workspace, 256 KiB.
    std::size_t write_batch = 0;
    // How the archive is written to the store (storage::Caching): bypassing caches costs less
    // CPU, but each write waits for the disk, and the inspection reads from it. A gzip keeps the
    // page cache whatever this says, since its inspection reads it all back.
    storage::Caching archive_caching = storage::Caching::keep;
    // Whether a gzip upload is inspected while it arrives (by the context's live inspector), so
    // that finish() need not decompress it all after the last byte: a worker process and up to
    // 2.5 MiB of memory for the inspector's windows while the upload lasts.
    bool inspect_while_arriving = false;
    // Whether the buffer of write_batch is mapped whole at the start (util::ByteBuffer::populate),
    // for an upload that will fill it many times over.
    bool populate_buffers = false;
    // At most how many bytes the upload has, when the request says (the length of its body):
    // the store reserves room for the sealed archive at the start (storage::PendingObject::reserve).
    std::optional<std::uint64_t> size_at_most = std::nullopt;
};

// How long the caller of UploadSession::append() keeps the bytes it gives unchanged.
enum class Kept {
    until_hashed, // until work offered to the hash queue after append() returned has run
    during_call,  // only until append() returns: a hash queue gets a copy
};

// What the session needs from the service; shared by all sessions, thread-safe.
struct PipelineContext {
    std::vector<age::X25519Recipient> recipients; // staff: the only key material the receiver has
    storage::SealedStore* store = nullptr;
    db::MetadataStore* metadata = nullptr;
    std::uint64_t max_upload_bytes = 0;
    inspector::ArchiveInspector* inspector = nullptr;
    inspector::LiveArchiveInspector* live_inspector = nullptr; // optional (SessionOptions)
    InspectionPolicy policy;
    std::function<std::chrono::system_clock::time_point()> now = std::chrono::system_clock::now;
};

// What the inspection found, told to the uploader once; the details rest in the sealed manifest.
struct InspectionSummary {
    std::size_t entries = 0;
    bool readme_found = false;
    bool contact_found = false;
    bool encrypted = false;
};

// What the uploader gets back.
struct Receipt {
    std::string reference;
    std::string receipt_token; // secret; only its hash is stored
    ArchiveType archive_type{};
    std::uint64_t size = 0;
    std::string sha256;
    std::chrono::system_clock::time_point received_at;
    std::optional<InspectionSummary> inspection; // only in the answer to the upload itself
    std::vector<Reason> warnings;                // likewise
};

// Blocking (sealing, fsync, SQLite): run it on a worker thread. Destroying an unfinished
// session removes everything it wrote. Not thread-safe.
class UploadSession {
public:
    // Opens the in-progress file, sealed to the staff recipients from the first byte. With a
    // hash queue in `options`, the bytes are hashed there while this thread seals
    // them and the next ones, which takes about as long: a piece costs the time of the longer of
    // the two instead of both. append() then returns before its bytes are hashed: bytes the
    // caller keeps until_hashed stay unchanged until work it offers to the same queue after
    // append() returned has run (the others are copied), and the caller calls finish() only after
    // that. Worth it only while the pool has threads to spare.
    static Result<std::unique_ptr<UploadSession>> start(const PipelineContext& context, SessionOptions options = {});

    UploadSession(const UploadSession&) = delete;
    UploadSession& operator=(const UploadSession&) = delete;
    ~UploadSession();

    // Takes the next bytes of the file. Fails with Errc::too_large, Errc::not_an_archive (as
    // soon as the first 512 bytes show it; content_type() then says what it is),
    // Errc::storage_failed or Errc::disk_full (storage_error() says why). After a failure the
    // session is closed. Without a hash queue, `kept` makes no difference.
    Result<void> append(std::span<const std::uint8_t> data, Kept kept);

    // Seals in the calling thread's workspace from now on instead of a batch of its own
    // (SessionOptions::write_batch), freeing that memory. Not while append() runs.
    void share_workspace() { m_encryptor.share_workspace(); }

    // Completes the upload: final checks, inspection of the archive (the context's inspector
    // reads it back through the upload's key), sealed manifest, durable commit of both files,
    // metadata record. Only then is the receipt returned. `client_file_name` goes into the
    // sealed manifest only. Fails with Errc::empty_file, not_an_archive, archive_rejected
    // (verdict() says why), inspection_failed (incident() names it), disk_full or storage_failed
    // (also when a hash queue has not yet hashed every byte).
    Result<Receipt> finish(const std::string& client_file_name);

    // After finish(): the verdict on the archive.
    const Verdict& verdict() const { return m_verdict; }
    // After Errc::inspection_failed: the incident reference for the customer and the log, and
    // what went wrong.
    const std::string& incident() const { return m_incident; }
    const ErrorCode& inspection_error() const { return m_inspection_error; }
    // After Errc::storage_failed or Errc::disk_full: what the store, the sealing or the database
    // reported, for the log (empty when it was this session's own check).
    const ErrorCode& storage_error() const { return m_storage_error; }

    const ContentType& content_type() const { return m_content_type; }
    std::uint64_t size() const { return m_size; }

private:
    struct Digest;

    UploadSession(const PipelineContext& context, SessionOptions options, std::string id,
                  std::unique_ptr<storage::PendingObject> archive, age::Encryptor encryptor,
                  std::shared_ptr<Digest> digest);
    Result<void> seal_and_hash(std::span<const std::uint8_t> data, Kept kept);
    Result<void> decide_content_type();
    // Once the type is known: a gzip upload's inspection starts now, if the options allow and an
    // inspector is free, with the bytes so far (the head and `rest`, what came with it).
    void begin_live_inspection(std::span<const std::uint8_t> rest);
    Result<inspector::InspectionReport> inspect();
    Result<Receipt> commit(const std::string& client_file_name, const inspector::InspectionReport& inspection);
    // The manifest, sealed and written but not yet committed.
    Result<std::unique_ptr<storage::PendingObject>> seal_manifest(const Receipt& receipt,
                                                                  const std::string& client_file_name,
                                                                  const inspector::InspectionReport& inspection);
    ErrorCode close(ErrorCode error);
    // Closes the session for a failure of the store, the sealing or the database.
    ErrorCode storage_failure(const ErrorCode& cause);

    const PipelineContext* m_context;
    HashQueue m_hash_queue;
    bool m_inspect_while_arriving;
    std::unique_ptr<inspector::LiveInspection> m_live; // following the upload as it arrives
    std::string m_id;
    std::unique_ptr<storage::PendingObject> m_archive;
    age::Encryptor m_encryptor;
    std::shared_ptr<Digest> m_digest;
    std::chrono::system_clock::time_point m_started;
    std::vector<std::uint8_t> m_head; // the first bytes, for the content type
    ContentType m_content_type;
    bool m_decided = false;
    std::uint64_t m_size = 0;
    bool m_closed = false;
    Verdict m_verdict;
    std::string m_incident;
    ErrorCode m_inspection_error;
    ErrorCode m_storage_error;
};

} // namespace supportdrop::pipeline
