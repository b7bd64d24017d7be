#include "pipeline/retention.hpp"

namespace supportdrop::pipeline {

util::Result<std::size_t> expire_uploads(storage::SealedStore& store, db::MetadataStore& metadata,
                                         std::chrono::system_clock::time_point now, std::chrono::days retention) {
    const auto seconds = [](std::chrono::system_clock::time_point time) {
        return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
    };
    auto ids = metadata.sealed_before(seconds(now - retention));
    if (!ids) {
        return ids.error();
    }
    for (const std::string& id : *ids) {
        // Files first: an upload is only recorded as expired once nothing of it is left.
        for (const char* suffix : {".archive.age", ".manifest.age"}) {
            if (auto removed = store.remove(id + suffix); !removed) {
                return removed.error();
            }
        }
        if (auto marked = metadata.mark_expired(id, seconds(now)); !marked) {
            return marked.error();
        }
    }
    return ids->size();
}

} // namespace supportdrop::pipeline
