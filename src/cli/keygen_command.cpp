#include "cli/keygen_command.hpp"

#include "age/key_file.hpp"
#include "cli/command_io.hpp"
#include "cli/diagnostics.hpp"
#include "util/text.hpp"

#include <iostream>

namespace supportdrop::cli {

int run_keygen(const KeygenOptions& options) {
    auto identity = age::X25519Identity::generate();
    if (!identity) {
        return report_error("cannot generate a key: " + identity.error().message());
    }
    std::string text = age::format_identity_file(*identity, std::chrono::system_clock::now());
    const std::span<const std::uint8_t> bytes = util::bytes_of(text);

    auto output = CommandOutput::open(options.output, 0600);
    if (!output) {
        return report_error("cannot create identity file '" + options.output + "': " + output.error().message());
    }
    auto written = output->sink().write(bytes);
    if (written) {
        written = output->commit();
    }
    crypto::wipe(text.data(), text.size());
    if (!written) {
        return report_error("cannot write identity to " + output->name() + ": " + written.error().message());
    }
    const std::string recipient = identity->recipient().to_string();
    if (options.output.empty() || options.output == "-") {
        std::cerr << "Public key: " << recipient << '\n';
    } else {
        std::cout << recipient << '\n';
    }
    return k_exit_success;
}

} // namespace supportdrop::cli
