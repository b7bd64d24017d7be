#include "inspector/report.hpp"

#include "inspector/errors.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <optional>

namespace supportdrop::inspector {
namespace {

namespace json = boost::json;

constexpr std::size_t k_max_error_bytes = 512;
constexpr std::size_t k_max_contact_field_bytes = 1024;

constexpr std::array k_entry_kinds = {
    std::pair{EntryKind::file, "file"},       std::pair{EntryKind::directory, "directory"},
    std::pair{EntryKind::symlink, "symlink"}, std::pair{EntryKind::hardlink, "hardlink"},
    std::pair{EntryKind::special, "special"},
};

std::string_view entry_kind_name(EntryKind kind) {
    for (const auto& [value, name] : k_entry_kinds) {
        if (value == kind) {
            return name;
        }
    }
    return "special";
}

// A string from the sandboxed process, capped so that one field cannot take all the memory.
std::string capped(std::string_view text, std::size_t limit) {
    return printable_name(text.substr(0, limit));
}

json::object contact_to_json(const ContactData& contact) {
    return {
        {"name", capped(contact.name, k_max_contact_field_bytes)},
        {"company", capped(contact.company, k_max_contact_field_bytes)},
        {"email", capped(contact.email, k_max_contact_field_bytes)},
        {"phone", capped(contact.phone, k_max_contact_field_bytes)},
        {"customer_number", capped(contact.customer_number, k_max_contact_field_bytes)},
        {"ticket_number", capped(contact.ticket_number, k_max_contact_field_bytes)},
    };
}

// Reads fields of one JSON object; the first missing or mistyped field fails it for good.
class ObjectReader {
public:
    explicit ObjectReader(const json::value& value) : m_object(value.if_object()), m_ok(m_object != nullptr) {}

    const json::value* field(std::string_view key) {
        const json::value* value = m_ok ? m_object->if_contains(key) : nullptr;
        m_ok = value != nullptr;
        return value;
    }

    std::string string(std::string_view key, std::size_t limit) {
        const json::value* value = field(key);
        const json::string* text = value != nullptr ? value->if_string() : nullptr;
        m_ok = m_ok && text != nullptr && text->size() <= limit;
        return m_ok ? std::string(*text) : std::string();
    }

    std::uint64_t number(std::string_view key) {
        const json::value* value = field(key);
        const std::uint64_t* number = value != nullptr ? value->if_uint64() : nullptr;
        const std::int64_t* small = value != nullptr ? value->if_int64() : nullptr;
        m_ok = m_ok && (number != nullptr || (small != nullptr && *small >= 0));
        return !m_ok ? 0 : number != nullptr ? *number : static_cast<std::uint64_t>(*small);
    }

    bool boolean(std::string_view key) {
        const json::value* value = field(key);
        const bool* flag = value != nullptr ? value->if_bool() : nullptr;
        m_ok = m_ok && flag != nullptr;
        return m_ok && *flag;
    }

    const json::array* array(std::string_view key) {
        const json::value* value = field(key);
        const json::array* items = value != nullptr ? value->if_array() : nullptr;
        m_ok = m_ok && items != nullptr;
        return items;
    }

    void fail() { m_ok = false; }
    bool ok() const { return m_ok; }

private:
    const json::object* m_object;
    bool m_ok;
};

std::optional<Finding> finding_from_name(std::string_view name) {
    for (int value = 1; value <= static_cast<int>(Finding::decompression_budget_exceeded); ++value) {
        if (finding_name(static_cast<Finding>(value)) == name) {
            return static_cast<Finding>(value);
        }
    }
    return std::nullopt;
}

std::optional<TextEncoding> encoding_from_name(std::string_view name) {
    for (int value = 1; value <= static_cast<int>(TextEncoding::windows1252); ++value) {
        if (text_encoding_name(static_cast<TextEncoding>(value)) == name) {
            return static_cast<TextEncoding>(value);
        }
    }
    return std::nullopt;
}

std::optional<ArchiveEntry> entry_from_json(const json::value& value, const InspectionLimits& limits) {
    ObjectReader reader(value);
    ArchiveEntry entry;
    entry.path = reader.string("path", limits.max_path_bytes);
    entry.size = reader.number("size");
    entry.encrypted = reader.boolean("encrypted");
    const std::string kind = reader.string("kind", 16);
    const auto* known = std::ranges::find(k_entry_kinds, kind, [](const auto& pair) { return pair.second; });
    if (!reader.ok() || known == k_entry_kinds.end()) {
        return std::nullopt;
    }
    entry.kind = known->first;
    return entry;
}

bool readme_from_json(const json::value& value, ReadmeReport& readme) {
    ObjectReader reader(value);
    readme.path = reader.string("path", std::numeric_limits<std::size_t>::max());
    readme.encrypted = reader.boolean("encrypted");
    const auto encoding = encoding_from_name(reader.string("encoding", 32));
    readme.findings.has_contact = reader.boolean("has_contact");
    readme.findings.has_concern = reader.boolean("has_concern");
    readme.findings.concern_letters = reader.number("concern_letters");
    const json::value* contact_value = reader.field("contact");
    if (!reader.ok() || !encoding) {
        return false;
    }
    readme.encoding = *encoding;
    ObjectReader contact(*contact_value);
    ContactData& data = readme.findings.contact;
    data.name = contact.string("name", k_max_contact_field_bytes);
    data.company = contact.string("company", k_max_contact_field_bytes);
    data.email = contact.string("email", k_max_contact_field_bytes);
    data.phone = contact.string("phone", k_max_contact_field_bytes);
    data.customer_number = contact.string("customer_number", k_max_contact_field_bytes);
    data.ticket_number = contact.string("ticket_number", k_max_contact_field_bytes);
    return contact.ok();
}

} // namespace

InspectionReport inspect_archive(util::RandomAccessSource& source, const InspectionLimits& limits) {
    InspectionReport report;
    report.listing = list_archive(source, limits);
    ArchiveListing& listing = report.listing;
    report.readme.path = listing.readme_path;
    report.readme.encrypted = listing.readme_encrypted;
    if (!listing.readme_path.empty() && !listing.readme_encrypted) {
        const DecodedText text = decode_text(listing.readme);
        report.readme.encoding = text.encoding;
        report.readme.findings = examine_readme(text.utf8, limits.min_concern_letters);
    }
    listing.readme.clear();
    listing.readme.shrink_to_fit();
    return report;
}

std::string report_to_json(const InspectionReport& report) {
    const ArchiveListing& listing = report.listing;
    // The entries, the bulk of the report, are written as text directly: building a tree of
    // ten thousand objects first would double the time.
    std::string entries = "[";
    entries.reserve(listing.entries.size() * 96);
    for (const ArchiveEntry& entry : listing.entries) {
        entries += entries.size() == 1 ? "{\"path\":" : ",{\"path\":";
        entries += json::serialize(json::string_view(printable_name(entry.path)));
        entries += ",\"size\":";
        entries += std::to_string(entry.size);
        entries += ",\"kind\":\"";
        entries += entry_kind_name(entry.kind);
        entries += entry.encrypted ? "\",\"encrypted\":true}" : "\",\"encrypted\":false}";
    }
    entries += "]";
    json::array findings;
    for (const Finding finding : listing.findings) {
        findings.emplace_back(finding_name(finding));
    }
    const ReadmeReport& readme = report.readme;
    const json::object object = {
        {"format", listing.format},
        {"gzip", listing.gzip},
        {"declared_bytes", listing.declared_bytes},
        {"findings", std::move(findings)},
        {"error", capped(listing.error, k_max_error_bytes)},
        {"readme",
         json::object{
             {"path", printable_name(readme.path)},
             {"encrypted", readme.encrypted},
             {"encoding", text_encoding_name(readme.encoding)},
             {"has_contact", readme.findings.has_contact},
             {"has_concern", readme.findings.has_concern},
             {"concern_letters", readme.findings.concern_letters},
             {"contact", contact_to_json(readme.findings.contact)},
         }},
    };
    // The entries go last, spliced into the serialized object.
    std::string text = json::serialize(object);
    text.pop_back();
    text += ",\"entries\":";
    text += entries;
    text += "}";
    return text;
}

std::size_t max_report_size(const InspectionLimits& limits) {
    // Printable names escape at most to twice their length ('"' and '\'); the rest is slack for
    // the fixed fields, the error message and the contact data.
    constexpr std::size_t k_per_entry = 160;
    return limits.max_entries * (2 * limits.max_path_bytes + k_per_entry) + (std::size_t{1} << 20);
}

util::Result<InspectionReport> report_from_json(std::string_view text, const InspectionLimits& limits) {
    if (text.size() > max_report_size(limits)) {
        return Errc::bad_report;
    }
    boost::system::error_code parse_error;
    const json::value value = json::parse(text, parse_error, json::make_shared_resource<json::monotonic_resource>());
    if (parse_error) {
        return Errc::bad_report;
    }
    InspectionReport report;
    ArchiveListing& listing = report.listing;
    ObjectReader reader(value);
    listing.format = reader.string("format", 8);
    listing.gzip = reader.boolean("gzip");
    listing.declared_bytes = reader.number("declared_bytes");
    listing.error = reader.string("error", k_max_error_bytes);
    const json::array* findings = reader.array("findings");
    const json::array* entries = reader.array("entries");
    const json::value* readme = reader.field("readme");
    if (!reader.ok() || entries->size() > limits.max_entries || !readme_from_json(*readme, report.readme) ||
        report.readme.path.size() > limits.max_path_bytes) {
        return Errc::bad_report;
    }
    for (const json::value& name : *findings) {
        const auto finding = name.is_string() ? finding_from_name(name.get_string()) : std::nullopt;
        if (!finding || listing.has(*finding)) {
            return Errc::bad_report;
        }
        listing.findings.push_back(*finding);
    }
    listing.entries.reserve(entries->size());
    for (const json::value& item : *entries) {
        auto entry = entry_from_json(item, limits);
        if (!entry) {
            return Errc::bad_report;
        }
        listing.entries.push_back(std::move(*entry));
    }
    listing.readme_path = report.readme.path;
    listing.readme_encrypted = report.readme.encrypted;
    return report;
}

} // namespace supportdrop::inspector
