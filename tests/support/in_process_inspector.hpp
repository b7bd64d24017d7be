#pragma once
// An ArchiveInspector for unit tests: the inspection without the process and the sandbox.

#include "inspector/archive_inspector.hpp"

#include <clocale>

namespace supportdrop::test {

class InProcessInspector final : public inspector::ArchiveInspector {
public:
    explicit InProcessInspector(inspector::InspectionLimits limits = {}) : m_limits(limits) {
        std::setlocale(LC_CTYPE, "C.UTF-8"); // as the inspector process does
    }
    util::Result<inspector::InspectionReport> inspect(util::RandomAccessSource& plaintext) override {
        return inspector::inspect_archive(plaintext, m_limits);
    }

private:
    inspector::InspectionLimits m_limits;
};

} // namespace supportdrop::test
