// Fuzzes the streaming multipart/form-data parser: the first byte picks the slice size, so
// boundary handling across buffer edges is exercised; part data must never contain the
// delimiter, and data said to be fed must lie within the running feed (the upload session
// hashes it later on another thread, from there).

#include "http/multipart_parser.hpp"

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <span>
#include <string>

namespace {

class Checker final : public supportdrop::http::MultipartHandler {
public:
    supportdrop::util::Result<void> on_part_begin(const supportdrop::http::PartHeaders&) override {
        m_data.clear();
        return {};
    }
    supportdrop::util::Result<void> on_part_data(std::span<const std::uint8_t> data,
                                                 supportdrop::http::PartBytes where) override {
        const std::less<const std::uint8_t*> before;
        const bool within_feed =
            !before(data.data(), feeding.data()) && !before(feeding.data() + feeding.size(), data.data() + data.size());
        if ((where == supportdrop::http::PartBytes::fed) != within_feed) {
            std::abort();
        }
        m_data.append(reinterpret_cast<const char*>(data.data()), data.size());
        if (m_data.size() > (1u << 20)) {
            m_data.erase(0, m_data.size() - 64);
        }
        return {};
    }
    supportdrop::util::Result<void> on_part_end() override {
        if (m_data.find("\r\n--b0undary") != std::string::npos) {
            std::abort();
        }
        return {};
    }

    std::span<const std::uint8_t> feeding; // the bytes of the running feed()

private:
    std::string m_data;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const std::size_t step = 1 + data[0] % 64;
    Checker checker;
    supportdrop::http::MultipartParser parser("b0undary", checker, 1024);
    for (std::size_t offset = 1; offset < size; offset += step) {
        checker.feeding = {data + offset, std::min(step, size - offset)};
        if (!parser.feed(checker.feeding)) {
            return 0;
        }
    }
    (void)parser.finish();
    return 0;
}
