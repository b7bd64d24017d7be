#include "cli/open_command.hpp"

#include "age/decryptor.hpp"
#include "age/key_file.hpp"
#include "cli/command_io.hpp"
#include "cli/diagnostics.hpp"

#include <cstdio>
#include <optional>
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

// Loads every -i file, or reports the first problem and returns nothing.
std::optional<std::vector<age::X25519Identity>> load_identities(const OpenOptions& options) {
    std::vector<age::X25519Identity> identities;
    for (const std::string& path : options.identity_files) {
        auto text = read_small_file(path, k_max_key_file_size);
        if (!text) {
            report_error("cannot read identity file '" + path + "': " + text.error().message());
            return std::nullopt;
        }
        warn_if_exposed(path);
        auto parsed = age::parse_identity_file(*text);
        crypto::wipe(text->data(), text->size());
        if (!parsed) {
            const auto& error = parsed.error();
            report_error("identity file '" + path + "'" +
                         (error.line > 0 ? ", line " + std::to_string(error.line) : std::string()) + ": " +
                         error.error.message());
            return std::nullopt;
        }
        identities.insert(identities.end(), parsed->begin(), parsed->end());
    }
    if (identities.empty()) {
        report_error("no identity given; name an identity file with -i FILE");
        return std::nullopt;
    }
    return identities;
}

} // namespace

int run_open(const OpenOptions& options) {
    const auto identities = load_identities(options);
    if (!identities) {
        return k_exit_failure;
    }
    auto input = CommandInput::open(options.input);
    if (!input) {
        return report_error("cannot open input '" + options.input + "': " + input.error().message());
    }
    auto output = CommandOutput::open(options.output, 0600);
    if (!output) {
        return report_error("cannot create output '" + options.output + "': " + output.error().message());
    }
    auto decryptor = age::Decryptor::open(input->source(), *identities);
    if (!decryptor) {
        return report_error("cannot decrypt " + input->name() + ": " + decryptor.error().message());
    }
    for (;;) {
        auto chunk = decryptor->read_chunk();
        if (!chunk) {
            return report_error("cannot decrypt " + input->name() + ": " + chunk.error().message());
        }
        if (chunk->empty()) {
            break;
        }
        if (auto written = output->sink().write(*chunk); !written) {
            return report_error("cannot write " + output->name() + ": " + written.error().message());
        }
    }
    if (auto committed = output->commit(); !committed) {
        return report_error("cannot write " + output->name() + ": " + committed.error().message());
    }
    return k_exit_success;
}

} // namespace supportdrop::cli
