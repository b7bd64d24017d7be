#pragma once
// Automatic retention (DESIGN.md section 3, "expired"): uploads that staff have not collected
// within the configured days are deleted, and their metadata records the expiry.

#include "db/metadata_store.hpp"
#include "storage/sealed_store.hpp"

#include <chrono>

namespace supportdrop::pipeline {

// Deletes the sealed files of every upload sealed before now - retention and marks it expired
// (audit record, no personal data). Returns how many expired. Blocking: run it on a worker.
// A file already gone (collected) is not an error.
util::Result<std::size_t> expire_uploads(storage::SealedStore& store, db::MetadataStore& metadata,
                                         std::chrono::system_clock::time_point now, std::chrono::days retention);

} // namespace supportdrop::pipeline
