#include "age/key_file.hpp"

#include "util/text.hpp"

#include <boost/throw_exception.hpp>

#include <stdexcept>

namespace supportdrop::age {
namespace {

// Calls `parse_line` for every line that is neither blank nor a comment.
template <class T, class ParseLine>
KeyFileResult<std::vector<T>> parse_key_lines(std::string_view text, Errc when_empty, ParseLine parse_line) {
    std::vector<T> keys;
    std::size_t line_number = 0;
    while (!text.empty()) {
        ++line_number;
        const std::size_t end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
        // Tolerate files saved with Windows line endings.
        if (line.ends_with('\r')) {
            line.remove_suffix(1);
        }
        if (line.empty() || line.starts_with('#')) {
            continue;
        }
        auto key = parse_line(line);
        if (!key) {
            return KeyFileError{key.error(), line_number};
        }
        keys.push_back(std::move(*key));
    }
    if (keys.empty()) {
        return KeyFileError{when_empty, 0};
    }
    return keys;
}

} // namespace

void throw_exception_from_error(const KeyFileError& error, const boost::source_location& location) {
    boost::throw_exception(std::runtime_error("line " + std::to_string(error.line) + ": " + error.error.message()),
                           location);
}

KeyFileResult<std::vector<X25519Identity>> parse_identity_file(std::string_view text) {
    return parse_key_lines<X25519Identity>(text, Errc::no_identities_in_file, X25519Identity::parse);
}

KeyFileResult<std::vector<X25519Recipient>> parse_recipients_file(std::string_view text) {
    return parse_key_lines<X25519Recipient>(text, Errc::no_recipients, X25519Recipient::parse);
}

std::string format_identity_file(const X25519Identity& identity, std::chrono::system_clock::time_point created) {
    const std::string stamp = util::format_utc(created);
    return "# created: " + stamp + "\n# public key: " + identity.recipient().to_string() + "\n" + identity.to_string() +
           "\n";
}

} // namespace supportdrop::age
