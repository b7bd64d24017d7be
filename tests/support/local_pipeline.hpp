#pragma once
// The pipeline's real parts on a test directory, for unit tests of what uses a PipelineContext:
// a filesystem store under `directory`/store, SQLite metadata in `directory`/metadata.sqlite3,
// the inspection in process, one freshly generated staff identity whose recipient it seals to, and
// every verdict rule set to warn (tests that are about the verdict set their own policy).

#include "db/metadata_store.hpp"
#include "pipeline/upload_session.hpp"
#include "storage/sealed_store.hpp"
#include "support/in_process_inspector.hpp"

#include <filesystem>
#include <memory>

namespace supportdrop::test {

struct LocalPipeline {
    LocalPipeline(const std::filesystem::path& directory, std::uint64_t max_upload_bytes)
        : staff(age::X25519Identity::generate().value()),
          store(storage::open_filesystem_store(directory / "store").value()),
          metadata(db::open_sqlite_store(directory / "metadata.sqlite3").value()) {
        context.recipients = {staff.recipient()};
        context.store = store.get();
        context.metadata = metadata.get();
        context.max_upload_bytes = max_upload_bytes;
        context.inspector = &inspector;
        context.policy.policies.fill(pipeline::Policy::warn);
    }
    LocalPipeline(const LocalPipeline&) = delete; // the context points at the members
    LocalPipeline& operator=(const LocalPipeline&) = delete;

    age::X25519Identity staff;
    std::unique_ptr<storage::SealedStore> store;
    std::unique_ptr<db::MetadataStore> metadata;
    InProcessInspector inspector;
    pipeline::PipelineContext context;
};

} // namespace supportdrop::test
