#include "inspector/readme.hpp"

#include "util/text.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <vector>

namespace supportdrop::inspector {
namespace {

// Windows-1252 differs from Latin-1 only in 0x80..0x9F; five of those are unassigned (U+FFFD).
constexpr std::array<char32_t, 32> k_cp1252_high = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
};

void append_utf8(std::string& out, char32_t c) {
    if (c == 0) {
        return;
    }
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
}

// The length of the strict UTF-8 sequence at bytes[i] (no overlongs, no surrogates, nothing
// above U+10FFFF), or 0 when there is none.
std::size_t utf8_sequence_length(std::span<const std::uint8_t> bytes, std::size_t i) {
    const std::uint8_t b = bytes[i];
    std::size_t length = 0;
    char32_t minimum = 0;
    char32_t c = 0;
    if (b < 0x80) {
        return 1;
    }
    if ((b & 0xE0) == 0xC0) {
        length = 2, minimum = 0x80, c = b & 0x1F;
    } else if ((b & 0xF0) == 0xE0) {
        length = 3, minimum = 0x800, c = b & 0x0F;
    } else if ((b & 0xF8) == 0xF0) {
        length = 4, minimum = 0x10000, c = b & 0x07;
    } else {
        return 0;
    }
    if (i + length > bytes.size()) {
        return 0;
    }
    for (std::size_t k = 1; k < length; ++k) {
        if ((bytes[i + k] & 0xC0) != 0x80) {
            return 0;
        }
        c = (c << 6) | (bytes[i + k] & 0x3F);
    }
    if (c < minimum || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
        return 0;
    }
    return length;
}

bool is_valid_utf8(std::span<const std::uint8_t> bytes) {
    for (std::size_t i = 0; i < bytes.size();) {
        const std::size_t length = utf8_sequence_length(bytes, i);
        if (length == 0) {
            return false;
        }
        i += length;
    }
    return true;
}

std::string decode_utf16(std::span<const std::uint8_t> bytes, bool little_endian) {
    std::string out;
    out.reserve(bytes.size());
    const auto unit = [&](std::size_t i) -> char32_t {
        return little_endian ? (char32_t{bytes[i + 1]} << 8) | bytes[i] : (char32_t{bytes[i]} << 8) | bytes[i + 1];
    };
    std::size_t i = 0;
    for (; i + 1 < bytes.size(); i += 2) {
        const char32_t first = unit(i);
        if (first >= 0xD800 && first <= 0xDBFF && i + 3 < bytes.size()) {
            const char32_t second = unit(i + 2);
            if (second >= 0xDC00 && second <= 0xDFFF) {
                append_utf8(out, 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00));
                i += 2;
                continue;
            }
        }
        append_utf8(out, (first >= 0xD800 && first <= 0xDFFF) ? char32_t{0xFFFD} : first);
    }
    if (i < bytes.size()) {
        append_utf8(out, 0xFFFD); // an odd trailing byte
    }
    return out;
}

std::string decode_windows1252(std::span<const std::uint8_t> bytes) {
    std::string out;
    out.reserve(bytes.size() + bytes.size() / 8);
    for (const std::uint8_t b : bytes) {
        append_utf8(out, (b >= 0x80 && b < 0xA0) ? k_cp1252_high[b - 0x80] : char32_t{b});
    }
    return out;
}

std::string without_nul(std::span<const std::uint8_t> bytes) {
    std::string out;
    out.reserve(bytes.size());
    for (const std::uint8_t b : bytes) {
        if (b != 0) {
            out += static_cast<char>(b);
        }
    }
    return out;
}

bool starts_with_bytes(std::span<const std::uint8_t> bytes, std::initializer_list<std::uint8_t> prefix) {
    return bytes.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), bytes.begin());
}

// --- contact data ---------------------------------------------------------------------------

enum class Field { name, company, email, phone, customer_number, ticket_number };

struct Label {
    std::string_view text; // lower case, compared with the line's start
    Field field;
};

// Longer labels first, so that "kundennummer" is not taken for "kunde".
constexpr std::array k_labels = std::to_array<Label>({
    {"customer number", Field::customer_number},
    {"kundennummer", Field::customer_number},
    {"kunden-nr.", Field::customer_number},
    {"kunden-nr", Field::customer_number},
    {"kundennr.", Field::customer_number},
    {"customer no.", Field::customer_number},
    {"customer id", Field::customer_number},
    {"customer", Field::customer_number},
    {"ticket number", Field::ticket_number},
    {"ticketnummer", Field::ticket_number},
    {"ticket-nr.", Field::ticket_number},
    {"ticket no.", Field::ticket_number},
    {"ticket", Field::ticket_number},
    {"case number", Field::ticket_number},
    {"fallnummer", Field::ticket_number},
    {"vorgangsnummer", Field::ticket_number},
    {"e-mail-adresse", Field::email},
    {"e-mail", Field::email},
    {"email", Field::email},
    {"mail", Field::email},
    {"telefonnummer", Field::phone},
    {"telefon", Field::phone},
    {"phone number", Field::phone},
    {"phone", Field::phone},
    {"mobil", Field::phone},
    {"mobile", Field::phone},
    {"handy", Field::phone},
    {"tel.", Field::phone},
    {"tel", Field::phone},
    {"company", Field::company},
    {"firma", Field::company},
    {"unternehmen", Field::company},
    {"organisation", Field::company},
    {"organization", Field::company},
    {"ansprechpartner", Field::name},
    {"contact person", Field::name},
    {"contact", Field::name},
    {"kontakt", Field::name},
    {"full name", Field::name},
    {"name", Field::name},
});

std::string& field_of(ContactData& contact, Field field) {
    switch (field) {
    case Field::name: return contact.name;
    case Field::company: return contact.company;
    case Field::email: return contact.email;
    case Field::phone: return contact.phone;
    case Field::customer_number: return contact.customer_number;
    case Field::ticket_number: return contact.ticket_number;
    }
    return contact.name;
}

bool is_email_character(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' || c == '-' || c == '+' ||
           (static_cast<unsigned char>(c) >= 0x80);
}

// The first plausible e-mail address in `text`: local@domain.tld.
std::optional<std::string> find_email(std::string_view text) {
    for (std::size_t at = text.find('@'); at != std::string_view::npos; at = text.find('@', at + 1)) {
        std::size_t start = at;
        while (start > 0 && is_email_character(text[start - 1])) {
            --start;
        }
        std::size_t end = at + 1;
        while (end < text.size() && is_email_character(text[end])) {
            ++end;
        }
        std::string_view domain = text.substr(at + 1, end - at - 1);
        while (!domain.empty() && domain.back() == '.') {
            domain.remove_suffix(1);
        }
        const std::size_t dot = domain.rfind('.');
        if (start < at && dot != std::string_view::npos && dot > 0 && domain.size() - dot > 2) {
            return std::string(text.substr(start, at - start + 1 + domain.size()));
        }
    }
    return std::nullopt;
}

// The first plausible phone number: digits with + ( ) / - . and spaces, 6 to 15 digits.
std::optional<std::string> find_phone(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        if (!(std::isdigit(static_cast<unsigned char>(text[i])) != 0 || text[i] == '+' || text[i] == '(')) {
            ++i;
            continue;
        }
        std::size_t end = i;
        std::size_t digits = 0;
        while (end < text.size() && (std::isdigit(static_cast<unsigned char>(text[end])) != 0 ||
                                     std::string_view("+()/-. ").find(text[end]) != std::string_view::npos)) {
            digits += std::isdigit(static_cast<unsigned char>(text[end])) != 0 ? 1u : 0u;
            ++end;
        }
        std::string candidate(util::trim(text.substr(i, end - i)));
        while (!candidate.empty() && std::string_view("-/. (").find(candidate.back()) != std::string_view::npos) {
            candidate.pop_back();
        }
        // Dates ("26.11.2026") and version numbers are no phone numbers.
        const bool dotted = std::ranges::count(candidate, '.') >= 2;
        if (digits >= 6 && digits <= 15 && !dotted) {
            return candidate;
        }
        i = end + 1;
    }
    return std::nullopt;
}

// An unlabelled phone number: starts with '+' or '0' and has a separator between digits.
std::optional<std::string> find_formatted_phone(std::string_view text) {
    while (!text.empty()) {
        const std::size_t start = text.find_first_of("+0");
        if (start == std::string_view::npos) {
            return std::nullopt;
        }
        // Only at the start of a word: not the "0" inside "1024" or "0x8007".
        const bool word_start =
            start == 0 || std::string_view(" \t\n:(").find(text[start - 1]) != std::string_view::npos;
        text = text.substr(start);
        if (word_start) {
            auto phone = find_phone(text.substr(0, std::min<std::size_t>(text.size(), 40)));
            if (phone && phone->find_first_of(" /-") != std::string::npos && text.starts_with(phone->substr(0, 1))) {
                return phone;
            }
        }
        text.remove_prefix(1);
    }
    return std::nullopt;
}

std::size_t count_letters(std::string_view text) {
    std::size_t letters = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        // ASCII letters, and every UTF-8 lead byte of a non-ASCII character (umlauts, ß, ...).
        if (std::isalpha(c) != 0 || c >= 0xC0) {
            ++letters;
        }
    }
    return letters;
}

DecodedText decode_by_encoding(std::span<const std::uint8_t> bytes) {
    if (starts_with_bytes(bytes, {0xFF, 0xFE})) {
        return {decode_utf16(bytes.subspan(2), true), TextEncoding::utf16le};
    }
    if (starts_with_bytes(bytes, {0xFE, 0xFF})) {
        return {decode_utf16(bytes.subspan(2), false), TextEncoding::utf16be};
    }
    if (starts_with_bytes(bytes, {0xEF, 0xBB, 0xBF})) {
        const auto rest = bytes.subspan(3);
        return {is_valid_utf8(rest) ? without_nul(rest) : decode_windows1252(rest), TextEncoding::utf8_bom};
    }
    if (is_valid_utf8(bytes)) {
        return {without_nul(bytes), TextEncoding::utf8};
    }
    return {decode_windows1252(bytes), TextEncoding::windows1252};
}

} // namespace

std::string printable_name(std::string_view name) {
    const std::span<const std::uint8_t> bytes = util::bytes_of(name);
    std::string out;
    out.reserve(name.size());
    for (std::size_t i = 0; i < bytes.size();) {
        const std::size_t length = utf8_sequence_length(bytes, i);
        if (length == 0 || bytes[i] < 0x20 || bytes[i] == 0x7F) {
            out += '?';
            ++i;
        } else {
            out.append(name.substr(i, length));
            i += length;
        }
    }
    return out;
}

std::string_view text_encoding_name(TextEncoding encoding) {
    switch (encoding) {
    case TextEncoding::utf8: return "utf-8";
    case TextEncoding::utf8_bom: return "utf-8-bom";
    case TextEncoding::utf16le: return "utf-16le";
    case TextEncoding::utf16be: return "utf-16be";
    case TextEncoding::windows1252: return "windows-1252";
    }
    return "unknown";
}

DecodedText decode_text(std::span<const std::uint8_t> bytes) {
    DecodedText decoded = decode_by_encoding(bytes);
    // A byte order mark decoded from inside the text (a second one, or one in UTF-16) is not
    // content: remove them, so the result reads the same when decoded again.
    while (decoded.utf8.starts_with("\xEF\xBB\xBF")) {
        decoded.utf8.erase(0, 3);
    }
    return decoded;
}

bool is_readme_name(std::string_view file_name) {
    const std::string name = util::to_lower(file_name);
    // Windows Explorer hides known extensions, so a file named "Readme.txt" there is often
    // "Readme.txt.txt".
    return name == "readme.txt" || name == "readme.md" || name == "liesmich.txt" || name == "readme" ||
           name == "readme.txt.txt" || name == "liesmich.txt.txt";
}

ReadmeFindings examine_readme(std::string_view utf8_text, std::size_t min_concern_letters) {
    const std::string_view whole = utf8_text;
    ReadmeFindings findings;
    std::size_t concern_letters = 0;
    while (!utf8_text.empty()) {
        const std::size_t end = utf8_text.find('\n');
        std::string_view line = utf8_text.substr(0, end);
        utf8_text = end == std::string_view::npos ? std::string_view() : utf8_text.substr(end + 1);
        if (line.ends_with('\r')) {
            line.remove_suffix(1);
        }
        const std::string_view trimmed = util::trim(line);
        const std::string lower = util::to_lower(trimmed);
        bool contact_line = false;
        for (const Label& label : k_labels) {
            if (!lower.starts_with(label.text)) {
                continue;
            }
            // A label is followed by ':' (or '-' / whitespace and ':'), e.g. "E-Mail: a@b.de".
            std::string_view rest = util::trim(trimmed.substr(label.text.size()));
            if (rest.empty() || (rest.front() != ':' && rest.front() != '=')) {
                continue;
            }
            rest = util::trim(rest.substr(1));
            std::string& value = field_of(findings.contact, label.field);
            if (value.empty() && !rest.empty()) {
                value = std::string(rest.substr(0, 200));
            }
            contact_line = true;
            break;
        }
        if (!contact_line) {
            concern_letters += count_letters(trimmed);
        }
    }
    // Labelled values win; otherwise the first address anywhere, or a number written the way
    // phone numbers are ("+49 89 1234567", "089/1234567"), not any run of digits such as an
    // error code or a ticket number.
    ContactData& contact = findings.contact;
    auto email = find_email(contact.email);
    if (!email) {
        email = find_email(whole);
    }
    contact.email = email.value_or("");
    auto phone = find_phone(contact.phone);
    if (!phone) {
        phone = find_formatted_phone(whole);
    }
    contact.phone = phone.value_or("");
    findings.has_contact = !contact.email.empty() || !contact.phone.empty();
    findings.concern_letters = concern_letters;
    findings.has_concern = concern_letters >= min_concern_letters;
    return findings;
}

} // namespace supportdrop::inspector
