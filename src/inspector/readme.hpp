#pragma once
// The customer's Readme.txt: decoding its bytes to UTF-8 and finding the concern and the
// contact data in it. Pure functions over untrusted bytes (fuzzed by fuzz/fuzz_readme.cpp);
// the archive inspector feeds them at most 64 KiB.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace supportdrop::inspector {

// How the Readme's bytes were read. Persisted in manifests: the values are pinned.
enum class TextEncoding : std::uint8_t { utf8 = 1, utf8_bom = 2, utf16le = 3, utf16be = 4, windows1252 = 5 };

std::string_view text_encoding_name(TextEncoding encoding);

struct DecodedText {
    std::string utf8;
    TextEncoding encoding = TextEncoding::utf8;
};

// Decodes UTF-16 with a byte order mark, UTF-8 (with or without BOM), and otherwise
// Windows-1252, the encoding of Notepad's "ANSI" files on German Windows, so that umlauts
// survive. Never fails: undecodable UTF-16 becomes U+FFFD. NUL characters are dropped.
DecodedText decode_text(std::span<const std::uint8_t> bytes);

// A name from an archive as it may be shown and stored: valid UTF-8 kept, control characters
// and bytes that are not UTF-8 replaced by '?', never longer than `name`.
std::string printable_name(std::string_view name);

// Whether a file name (the last path component) is a Readme: "Readme.txt", "readme.md",
// "liesmich.txt", "readme", also with the ".txt" Windows adds to a name that has one already, in
// any letter case.
bool is_readme_name(std::string_view file_name);

// Contact data, where the Readme labels it (German or English labels), plus the first
// e-mail address and phone number found anywhere.
struct ContactData {
    std::string name;
    std::string company;
    std::string email;
    std::string phone;
    std::string customer_number;
    std::string ticket_number;
};

struct ReadmeFindings {
    ContactData contact;
    bool has_contact = false;        // an e-mail address or a phone number
    std::size_t concern_letters = 0; // letters outside the contact lines
    bool has_concern = false;        // at least the minimum of such letters
};

// Examines decoded Readme text. `min_concern_letters` is how much text beyond the contact
// lines counts as a described concern.
ReadmeFindings examine_readme(std::string_view utf8_text, std::size_t min_concern_letters = 20);

} // namespace supportdrop::inspector
