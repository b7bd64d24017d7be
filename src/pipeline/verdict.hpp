#pragma once
// The rules an inspected upload is judged by: each outcome has a stable reason code (in JSON,
// logs, the sealed manifest, and as "reason.<code>.*" message keys) and a policy, reject or
// accept with a warning, that the configuration may change.

#include "inspector/report.hpp"
#include "pipeline/content_type.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace supportdrop::pipeline {

enum class Policy : std::uint8_t { reject, warn };

enum class Reason : std::uint8_t {
    format_mismatch,      // the magic bytes say one format, the archive reads as another
    bare_gzip,            // a .gz that holds a single file, not a tar of files
    corrupt,              // truncated or damaged
    missing_readme,       // no Readme at the root or in the single top folder
    readme_no_contact,    // the Readme has no e-mail address or phone number
    readme_no_concern,    // the Readme says too little beyond the contact lines
    readme_encrypted,     // the Readme is there but needs the archive's password
    encrypted,            // entries need a password: send it via the contact form
    encrypted_names,      // even the entry list is encrypted: nothing could be checked
    path_traversal,       // ".." in an entry name
    absolute_path,        // "/x" or "C:\x"
    links,                // symbolic or hard links
    special_files,        // devices, FIFOs, sockets
    duplicate_names,      // the same name twice
    too_many_entries,     // more entries than the limit
    total_size_too_large, // the declared unpacked size is over the limit
    compression_bomb,     // an entry (or the whole) compresses beyond the ratio limit
    decompression_limit,  // unpacking stopped at the budget; the rest was not checked
    nested_archive,       // archives inside (listed, never opened)
    long_path,            // an entry name over the length limit
    extension_mismatch,   // the file name's extension does not match the content
};

struct ReasonInfo {
    Reason reason;
    std::string_view code;
    Policy default_policy;
};

inline constexpr std::array k_reasons = std::to_array<ReasonInfo>({
    {Reason::format_mismatch, "format_mismatch", Policy::reject},
    {Reason::bare_gzip, "bare_gzip", Policy::reject},
    {Reason::corrupt, "corrupt", Policy::reject},
    {Reason::missing_readme, "missing_readme", Policy::reject},
    {Reason::readme_no_contact, "readme_no_contact", Policy::reject},
    {Reason::readme_no_concern, "readme_no_concern", Policy::reject},
    {Reason::readme_encrypted, "readme_encrypted", Policy::warn},
    {Reason::encrypted, "encrypted", Policy::warn},
    {Reason::encrypted_names, "encrypted_names", Policy::warn},
    {Reason::path_traversal, "path_traversal", Policy::reject},
    {Reason::absolute_path, "absolute_path", Policy::reject},
    {Reason::links, "links", Policy::warn},
    {Reason::special_files, "special_files", Policy::warn},
    {Reason::duplicate_names, "duplicate_names", Policy::warn},
    {Reason::too_many_entries, "too_many_entries", Policy::reject},
    {Reason::total_size_too_large, "total_size_too_large", Policy::reject},
    {Reason::compression_bomb, "compression_bomb", Policy::reject},
    {Reason::decompression_limit, "decompression_limit", Policy::warn},
    {Reason::nested_archive, "nested_archive", Policy::warn},
    {Reason::long_path, "long_path", Policy::warn},
    {Reason::extension_mismatch, "extension_mismatch", Policy::warn},
});

constexpr std::string_view reason_code(Reason reason) {
    return k_reasons[static_cast<std::size_t>(reason)].code;
}

std::optional<Reason> reason_from_code(std::string_view code);

// The policy for every reason, indexed by Reason.
struct InspectionPolicy {
    std::array<Policy, k_reasons.size()> policies = [] {
        std::array<Policy, k_reasons.size()> defaults{};
        for (const ReasonInfo& info : k_reasons) {
            defaults[static_cast<std::size_t>(info.reason)] = info.default_policy;
        }
        return defaults;
    }();

    Policy operator[](Reason reason) const { return policies[static_cast<std::size_t>(reason)]; }
};

struct Verdict {
    std::vector<Reason> rejections; // empty: accepted
    std::vector<Reason> warnings;
    bool accepted() const { return rejections.empty(); }
};

// Judges the inspection of an upload whose magic bytes said `detected` and whose client gave it
// `client_file_name`. Each reason appears at most once, in the order of k_reasons.
Verdict judge(const inspector::InspectionReport& report, ArchiveType detected, std::string_view client_file_name,
              const InspectionPolicy& policy);

} // namespace supportdrop::pipeline
