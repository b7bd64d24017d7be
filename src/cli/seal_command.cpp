#include "cli/seal_command.hpp"

#include "age/encryptor.hpp"
#include "cli/command_io.hpp"
#include "cli/diagnostics.hpp"
#include "cli/key_files.hpp"

#include <optional>

namespace supportdrop::cli {
namespace {

constexpr std::size_t k_read_size = std::size_t{256} * 1024;

// Collects the recipients of -r and -R, or reports the first bad one and returns nothing.
std::optional<std::vector<age::X25519Recipient>> collect_recipients(const SealOptions& options) {
    std::vector<age::X25519Recipient> recipients;
    for (const std::string& text : options.recipients) {
        auto recipient = age::X25519Recipient::parse(text);
        if (!recipient) {
            report_error("recipient '" + text + "': " + recipient.error().message());
            return std::nullopt;
        }
        recipients.push_back(*recipient);
    }
    for (const std::string& path : options.recipient_files) {
        auto loaded = load_recipients_file(path);
        if (!loaded) {
            return std::nullopt;
        }
        recipients.insert(recipients.end(), loaded->begin(), loaded->end());
    }
    if (recipients.empty()) {
        report_error("no recipients given; name them with -r RECIPIENT or -R FILE");
        return std::nullopt;
    }
    return recipients;
}

} // namespace

int run_seal(const SealOptions& options) {
    const auto recipients = collect_recipients(options);
    if (!recipients) {
        return k_exit_failure;
    }
    auto input = CommandInput::open(options.input);
    if (!input) {
        return report_error("cannot open input '" + options.input + "': " + input.error().message());
    }
    auto output = CommandOutput::open(options.output, 0644);
    if (!output) {
        return report_error("cannot create output '" + options.output + "': " + output.error().message());
    }
    if (output->is_terminal()) {
        return report_error("refusing to write encrypted data to a terminal; use -o FILE or redirect the output");
    }
    auto encryptor = age::Encryptor::start(*recipients, output->sink());
    if (!encryptor) {
        return report_error("cannot write " + output->name() + ": " + encryptor.error().message());
    }
    std::vector<std::uint8_t> buffer(k_read_size);
    for (;;) {
        auto n = input->source().read(buffer);
        if (!n) {
            return report_error("cannot read " + input->name() + ": " + n.error().message());
        }
        if (*n == 0) {
            break;
        }
        if (auto written = encryptor->write(std::span(buffer).first(*n)); !written) {
            return report_error("cannot write " + output->name() + ": " + written.error().message());
        }
    }
    auto finished = encryptor->finish();
    if (finished) {
        finished = output->commit();
    }
    if (!finished) {
        return report_error("cannot write " + output->name() + ": " + finished.error().message());
    }
    return k_exit_success;
}

} // namespace supportdrop::cli
