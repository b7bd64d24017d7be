#include "inspector/errors.hpp"

namespace supportdrop::inspector {
namespace {

const char* describe(Errc error) {
    switch (error) {
    case Errc::spawn_failed: return "the inspector process could not be started";
    case Errc::crashed: return "the inspector process died";
    case Errc::timed_out: return "the inspector process ran out of time";
    case Errc::protocol_error: return "the inspector process broke the protocol";
    case Errc::bad_report: return "the inspector process sent an invalid report";
    case Errc::read_failed: return "the upload could not be read back for inspection";
    case Errc::channel_closed: return "the inspector channel was closed";
    }
    return "unknown inspector error";
}

} // namespace

const boost::system::error_category& inspector_category() noexcept {
    static const util::EnumCategory<Errc> category("supportdrop.inspector", describe);
    return category;
}

} // namespace supportdrop::inspector
