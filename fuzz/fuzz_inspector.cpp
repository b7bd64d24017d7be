// Fuzzes the inspection as the sandboxed worker runs it (listing with libarchive, the RAR5
// header reader, the ZIP central directory reader, the Readme), with the worker's default budgets; scripts/test.sh
// gives each input the sandbox's wall clock (-timeout=10). Beyond "no crash": the report survives its own strict
// parser, as the receiver applies it.

#include "inspector/report.hpp"
#include "inspector/zip_directory.hpp"

#include <algorithm>
#include <clocale>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace {

using namespace supportdrop;

class MemorySource final : public util::RandomAccessSource {
public:
    MemorySource(const std::uint8_t* data, std::size_t size) : m_data(data), m_size(size) {}
    util::Result<std::uint64_t> size() override { return m_size; }
    util::Result<std::size_t> read_at(std::uint64_t offset, std::span<std::uint8_t> out) override {
        if (offset >= m_size) {
            return std::size_t{0};
        }
        const std::size_t n = std::min<std::uint64_t>(out.size(), m_size - offset);
        std::memcpy(out.data(), m_data + offset, n);
        return n;
    }

private:
    const std::uint8_t* m_data;
    std::size_t m_size;
};

const bool k_locale = std::setlocale(LC_CTYPE, "C.UTF-8") != nullptr;

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const inspector::InspectionLimits limits;
    MemorySource source(data, size);
    const inspector::InspectionReport report = inspector::inspect_archive(source, limits);
    // Also where libarchive sees no ZIP: the directory reader must hold on any bytes.
    (void)inspector::read_zip_entry_sizes(source, limits.max_entries);
    if (!k_locale || !inspector::report_from_json(inspector::report_to_json(report), limits)) {
        std::abort();
    }
    return 0;
}
