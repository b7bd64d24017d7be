#include "cli/key_files.hpp"

#include "age/key_file.hpp"
#include "cli/command_io.hpp"
#include "cli/diagnostics.hpp"

#include <cstdio>
#include <sys/stat.h>

namespace supportdrop::cli {
namespace {

constexpr std::size_t k_max_key_file_size = std::size_t{1024} * 1024;

void warn_if_exposed(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        char mode[8];
        (void)std::snprintf(mode, sizeof mode, "%04o", st.st_mode & 07777);
        report_warning("identity file '" + path + "' is accessible by group or others (mode " + mode +
                       "); restrict it with: chmod 600 '" + path + "'");
    }
}

template <class Key, class Parse>
std::optional<std::vector<Key>> load_key_file(const std::string& kind, const std::string& path, Parse parse) {
    auto text = read_small_file(path, k_max_key_file_size);
    if (!text) {
        report_error("cannot read " + kind + " '" + path + "': " + text.error().message());
        return std::nullopt;
    }
    auto keys = parse(*text);
    crypto::wipe(text->data(), text->size());
    if (!keys) {
        const age::KeyFileError& error = keys.error();
        report_error(kind + " '" + path + "'" + (error.line > 0 ? ", line " + std::to_string(error.line) : "") + ": " +
                     error.error.message());
        return std::nullopt;
    }
    return std::move(*keys);
}

} // namespace

std::optional<std::vector<age::X25519Identity>> load_identity_file(const std::string& path) {
    auto identities = load_key_file<age::X25519Identity>("identity file", path, age::parse_identity_file);
    if (identities) {
        warn_if_exposed(path);
    }
    return identities;
}

std::optional<std::vector<age::X25519Recipient>> load_recipients_file(const std::string& path) {
    return load_key_file<age::X25519Recipient>("recipients file", path, age::parse_recipients_file);
}

} // namespace supportdrop::cli
