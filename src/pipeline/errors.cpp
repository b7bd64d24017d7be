#include "pipeline/errors.hpp"

#include <string>

namespace supportdrop::pipeline {
namespace {

const char* describe(Errc error) {
    switch (error) {
    case Errc::too_large: return "upload exceeds the size limit";
    case Errc::empty_file: return "upload is empty";
    case Errc::not_an_archive: return "upload is not a ZIP, RAR, tar or gzip archive";
    case Errc::storage_failed: return "upload could not be stored";
    case Errc::archive_rejected: return "the archive was rejected by the inspection";
    case Errc::inspection_failed: return "the archive could not be inspected";
    case Errc::closed: return "upload session is closed";
    case Errc::disk_full: return "upload could not be stored: no space left";
    }
    return "unknown pipeline error";
}

} // namespace

const boost::system::error_category& pipeline_category() noexcept {
    static const util::EnumCategory<Errc> category("supportdrop.pipeline", describe);
    return category;
}

} // namespace supportdrop::pipeline
