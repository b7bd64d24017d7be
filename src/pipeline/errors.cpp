#include "pipeline/errors.hpp"

#include <string>

namespace supportdrop::pipeline {
namespace {

class PipelineCategory final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "supportdrop.pipeline"; }
    std::string message(int value) const override {
        switch (static_cast<Errc>(value)) {
        case Errc::too_large: return "upload exceeds the size limit";
        case Errc::empty_file: return "upload is empty";
        case Errc::not_an_archive: return "upload is not a ZIP, RAR, tar or gzip archive";
        case Errc::storage_failed: return "upload could not be stored";
        case Errc::closed: return "upload session is closed";
        }
        return "unknown pipeline error";
    }
};

} // namespace

const boost::system::error_category& pipeline_category() noexcept {
    static const PipelineCategory category;
    return category;
}

} // namespace supportdrop::pipeline
