#include "cli/open_command.hpp"

#include "age/decryptor.hpp"
#include "cli/command_io.hpp"
#include "cli/diagnostics.hpp"
#include "cli/key_files.hpp"

#include <optional>

namespace supportdrop::cli {
namespace {

// Loads every -i file, or reports the first problem and returns nothing.
std::optional<std::vector<age::X25519Identity>> load_identities(const OpenOptions& options) {
    std::vector<age::X25519Identity> identities;
    for (const std::string& path : options.identity_files) {
        auto loaded = load_identity_file(path);
        if (!loaded) {
            return std::nullopt;
        }
        identities.insert(identities.end(), loaded->begin(), loaded->end());
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
