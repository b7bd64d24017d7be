#include "cli/app.hpp"

#include "app/serve_command.hpp"
#include "cli/diagnostics.hpp"
#include "cli/keygen_command.hpp"
#include "cli/open_command.hpp"
#include "cli/seal_command.hpp"
#include "inspector/fork_server.hpp"

#include <CLI/CLI.hpp>

namespace supportdrop::cli {
namespace {

constexpr const char* k_description =
    "supportdrop: a secure drop box for support cases.\n"
    "Files are sealed in the age format (age-encryption.org/v1, X25519 recipients), so staff can\n"
    "also open them with the standard `age` tool.";

void add_keygen(CLI::App& app, KeygenOptions& options) {
    CLI::App* command = app.add_subcommand("keygen", "Create a staff identity (private key) and print its recipient");
    command
        ->add_option("-o,--output", options.output,
                     "Write the identity to FILE, created with mode 0600 (never overwritten), and print the "
                     "recipient (age1...) on standard output. Default: identity on standard output, recipient "
                     "on standard error")
        ->option_text("FILE");
    command->callback([&options] { throw CLI::RuntimeError(run_keygen(options)); });
}

void add_seal(CLI::App& app, SealOptions& options) {
    CLI::App* command = app.add_subcommand("seal", "Encrypt a file to one or more recipients (age format)");
    command->add_option("-r,--recipient", options.recipients, "Seal to RECIPIENT (age1...); repeatable")
        ->option_text("RECIPIENT")
        ->allow_extra_args(false);
    command
        ->add_option("-R,--recipients-file", options.recipient_files,
                     "Seal to every recipient in FILE (one per line, # comments); repeatable")
        ->option_text("FILE")
        ->allow_extra_args(false);
    command
        ->add_option("-o,--output", options.output,
                     "Write to FILE, which appears only when complete and is never overwritten. Default: "
                     "standard output")
        ->option_text("FILE");
    command->add_option("input", options.input, "File to encrypt. Default: standard input")->option_text("IN");
    command->callback([&options] { throw CLI::RuntimeError(run_seal(options)); });
}

void add_open(CLI::App& app, OpenOptions& options) {
    CLI::App* command = app.add_subcommand("open", "Decrypt an age file with an identity file");
    command->add_option("-i,--identity", options.identity_files, "Identity file (age-keygen layout); repeatable")
        ->option_text("FILE")
        ->required()
        ->allow_extra_args(false);
    command
        ->add_option("-o,--output", options.output,
                     "Write to FILE via a temporary file renamed only after the whole file authenticated; "
                     "never overwritten. Default: standard output (verified chunk by chunk; the exit status "
                     "tells whether all of it was intact)")
        ->option_text("FILE");
    command->add_option("input", options.input, "File to decrypt. Default: standard input")->option_text("IN");
    command->callback([&options] { throw CLI::RuntimeError(run_open(options)); });
}

void add_serve(CLI::App& app, app::ServeOptions& options) {
    CLI::App* command = app.add_subcommand(
        "serve", "Run the upload receiver (without --config: a local demo on http://127.0.0.1:8080 with data in "
                 "./supportdrop-data)");
    command
        ->add_option("-c,--config", options.config_file,
                     "Configuration file (TOML; see config/supportdrop.example.toml)")
        ->option_text("FILE");
    command->callback([&options] { throw CLI::RuntimeError(app::run_serve(options)); });
}

void add_check_config(CLI::App& app, std::string& config_file) {
    CLI::App* command = app.add_subcommand("check-config", "Validate a configuration file and explain its settings");
    command->add_option("config", config_file, "Configuration file (TOML)")->option_text("FILE")->required();
    command->callback([&config_file] { throw CLI::RuntimeError(app::run_check_config(config_file)); });
}

// The archive inspector's fork server (inspector/fork_server.hpp); hidden from --help, since
// only the server starts it, with its control socket as descriptor 3.
void add_inspect_fork_server(CLI::App& app) {
    CLI::App* command = app.add_subcommand("inspect-forkserver", "");
    command->group("");
    command->callback([] { throw CLI::RuntimeError(inspector::run_fork_server()); });
}

} // namespace

int run_app(int argc, char** argv) {
    CLI::App app(k_description, "supportdrop");
    app.set_version_flag("--version", "supportdrop " SUPPORTDROP_VERSION);
    app.require_subcommand(1);
    app.footer("Run 'supportdrop COMMAND --help' for a command's options.\n"
               "Exit status: 0 success, 1 failure (reason on standard error), 2 usage error.");

    KeygenOptions keygen_options;
    SealOptions seal_options;
    OpenOptions open_options;
    add_keygen(app, keygen_options);
    add_seal(app, seal_options);
    add_open(app, open_options);
    app::ServeOptions serve_options;
    std::string check_config_file;
    add_serve(app, serve_options);
    add_check_config(app, check_config_file);
    add_inspect_fork_server(app);

    try {
        app.parse(argc, argv);
    } catch (const CLI::RuntimeError& finished) {
        // Subcommands report their exit status through CLI11's RuntimeError.
        return finished.get_exit_code();
    } catch (const CLI::ParseError& error) {
        // --help and --version arrive here too, with exit code 0.
        return app.exit(error) == 0 ? k_exit_success : k_exit_usage;
    }
    return k_exit_success;
}

} // namespace supportdrop::cli
