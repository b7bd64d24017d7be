#include "app/serve_command.hpp"

#include "age/key_file.hpp"
#include "config/config.hpp"
#include "db/metadata_store.hpp"
#include "http/client_limits.hpp"
#include "http/csrf.hpp"
#include "http/metrics.hpp"
#include "http/server.hpp"
#include "http/site.hpp"
#include "inspector/sandboxed_inspector.hpp"
#include "pipeline/retention.hpp"
#include "storage/sealed_store.hpp"
#include "util/atomic_file.hpp"
#include "util/text.hpp"

#include <fstream>
#include <iostream>
#include <malloc.h>
#include <set>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sstream>

namespace supportdrop::app {
namespace {

// Start-up failures: reported on standard error, exit status 1.
class StartupError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

std::string read_text_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) {
        throw StartupError("cannot read " + path.string());
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

config::Config load(const std::string& config_file) {
    if (config_file.empty()) {
        return config::Config{};
    }
    return config::load_config(config_file);
}

pipeline::InspectionPolicy inspection_policy(const config::Inspection& inspection) {
    pipeline::InspectionPolicy policy;
    for (const auto& [code, value] : inspection.policy) {
        const auto reason = pipeline::reason_from_code(code);
        if (!reason) {
            std::string known;
            for (const pipeline::ReasonInfo& info : pipeline::k_reasons) {
                known += (known.empty() ? "" : ", ") + std::string(info.code);
            }
            std::string message = "inspection.policy." + code;
            message += ": unknown reason; known: ";
            message += known;
            throw StartupError(message);
        }
        policy.policies[static_cast<std::size_t>(*reason)] =
            value == "reject" ? pipeline::Policy::reject : pipeline::Policy::warn;
    }
    return policy;
}

inspector::SandboxedInspectorSettings inspector_settings(const config::Inspection& inspection) {
    inspector::SandboxedInspectorSettings settings;
    settings.limits.max_entries = inspection.max_entries;
    settings.limits.max_declared_bytes = inspection.max_total_bytes;
    settings.limits.max_compression_ratio = inspection.max_compression_ratio;
    settings.limits.max_decompressed_bytes = inspection.max_unpacked_bytes;
    settings.limits.max_path_bytes = inspection.max_path_bytes;
    settings.limits.min_concern_letters = inspection.min_concern_letters;
    settings.wall_clock = inspection.time_limit;
    settings.memory_bytes = inspection.memory_limit_bytes;
    return settings;
}

std::vector<age::X25519Recipient> configured_recipients(const config::Config& config) {
    std::vector<age::X25519Recipient> recipients;
    for (const std::string& text : config.recipients) {
        auto recipient = age::X25519Recipient::parse(text);
        if (!recipient) {
            throw StartupError("sealing.recipients: '" + text + "': " + recipient.error().message());
        }
        recipients.push_back(*recipient);
    }
    if (!config.recipients_file.empty()) {
        auto parsed = age::parse_recipients_file(read_text_file(config.recipients_file));
        if (!parsed) {
            throw StartupError("sealing.recipients_file " + config.recipients_file.string() + ", line " +
                               std::to_string(parsed.error().line) + ": " + parsed.error().error.message());
        }
        recipients.insert(recipients.end(), parsed->begin(), parsed->end());
    }
    return recipients;
}

// Without configured recipients the service runs as a local demo: it generates a staff
// identity in the data directory once and seals to it.
age::X25519Recipient demo_recipient(const std::filesystem::path& data_dir) {
    const auto path = data_dir / "demo-identity.txt";
    if (std::filesystem::exists(path)) {
        auto identities = age::parse_identity_file(read_text_file(path));
        if (!identities) {
            throw StartupError(path.string() + ": " + identities.error().error.message());
        }
        return identities->front().recipient();
    }
    auto identity = age::X25519Identity::generate();
    if (!identity) {
        throw StartupError("cannot generate the demo identity: " + identity.error().message());
    }
    const std::string text = age::format_identity_file(*identity, std::chrono::system_clock::now());
    auto file = util::AtomicFile::create(path, 0600, util::Overwrite::no);
    if (!file || !file->write(util::bytes_of(text)) || !file->commit()) {
        throw StartupError("cannot write " + path.string());
    }
    return identity->recipient();
}

void warn_demo_mode(const std::filesystem::path& data_dir) {
    std::cerr << "\n"
              << "  *** DEMO MODE: no staff recipients are configured. ***\n"
              << "  Uploads are sealed to a demo identity generated in " << (data_dir / "demo-identity.txt").string()
              << ".\n"
              << "  This server can therefore read them back. A real deployment keeps the identity on the staff\n"
              << "  machine (supportdrop keygen) and configures only its recipient (sealing.recipients).\n\n";
}

// Brings the store and the database into agreement after a crash: half-written files go, and
// so do complete files that were never recorded (and so never acknowledged).
void recover(storage::SealedStore& store, db::MetadataStore& metadata) {
    auto incomplete = store.remove_incomplete();
    if (!incomplete) {
        throw StartupError("cannot clean up incomplete uploads: " + incomplete.error().message());
    }
    auto ids = metadata.upload_ids();
    auto names = store.list();
    if (!ids || !names) {
        throw StartupError("cannot read the store or the database for recovery");
    }
    const std::set<std::string> recorded(ids->begin(), ids->end());
    std::size_t unrecorded = 0;
    for (const std::string& name : *names) {
        if (!recorded.contains(name.substr(0, name.find('.')))) {
            if (auto removed = store.remove(name); !removed) {
                throw StartupError("cannot remove unrecorded file " + name + ": " + removed.error().message());
            }
            ++unrecorded;
        }
    }
    spdlog::info("serve.recovered incomplete_removed={} unrecorded_removed={}", *incomplete, unrecorded);
}

// Body buffers (256 KiB to 1 MiB), sealing and inspection buffers (64 KiB) come and go with
// every upload. glibc serves blocks of this size with mmap, but raises that threshold each time
// such a block is freed, after which they stay in the heap, fragmented: the process would keep
// memory it no longer uses. A fixed threshold returns them to the system at once. (128 KiB
// would keep the 64 KiB ones in the heap: 0.1-0.2 ms less CPU per upload for page faults, but
// 0.5-1 MiB more peak RSS and no gain with 32 uploads at once.)
void limit_heap_growth() {
    constexpr int k_mmap_threshold = 64 * 1024;
    ::mallopt(M_MMAP_THRESHOLD, k_mmap_threshold);
}

void configure_logging() {
    auto logger = spdlog::stderr_logger_mt("supportdrop");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
}

} // namespace

int run_serve(const ServeOptions& options) {
    try {
        configure_logging();
        limit_heap_growth();
        const config::Config config = load(options.config_file);
        std::error_code error;
        std::filesystem::create_directories(config.data_dir, error);
        if (error) {
            throw StartupError("cannot create data directory " + config.data_dir.string() + ": " + error.message());
        }
        pipeline::PipelineContext pipeline;
        pipeline.recipients = configured_recipients(config);
        const bool demo = pipeline.recipients.empty();
        if (demo) {
            pipeline.recipients.push_back(demo_recipient(config.data_dir));
            warn_demo_mode(config.data_dir);
        }
        auto store = storage::open_filesystem_store(config.data_dir);
        if (!store) {
            throw StartupError("cannot open the store in " + config.data_dir.string() + ": " + store.error().message());
        }
        auto metadata = db::open_sqlite_store(config.data_dir / "supportdrop.sqlite3");
        if (!metadata) {
            throw StartupError("cannot open the database: " + metadata.error().message());
        }
        recover(**store, **metadata);
        auto csrf = http::CsrfGuard::open(config.data_dir / "csrf.key");
        if (!csrf) {
            throw StartupError("cannot open the CSRF key: " + csrf.error().message());
        }
        pipeline.store = store->get();
        pipeline.metadata = metadata->get();
        pipeline.max_upload_bytes = config.limits.max_upload_bytes;
        inspector::SandboxedInspector inspector(inspector_settings(config.inspection));
        pipeline.inspector = &inspector;
        pipeline.live_inspector = &inspector;
        pipeline.policy = inspection_policy(config.inspection);

        http::ClientLimits limits(
            {config.limits.max_connections_per_client, config.limits.max_concurrent_uploads_per_client,
             config.limits.max_uploads_per_client_per_hour, config.limits.max_concurrent_uploads});
        http::Metrics metrics;
        const pages::ServiceFacts facts{
            config.limits.max_upload_bytes,
            config.retention_days,
            pipeline.recipients.size(),
            config.privacy.controller,
            config.privacy.contact,
            demo ? pages::SealingKeys::demo_identity_on_server : pages::SealingKeys::staff_only};
        http::Site site({config.origin(), config.limits, config.inspection, facts}, pipeline, *csrf, limits, metrics);
        const std::uint64_t headroom = config.limits.min_free_disk_bytes;
        http::Server server(config, site, metrics, limits, [&]() -> util::Result<void> {
            if (auto checked = pipeline.metadata->check(); !checked) {
                return checked;
            }
            auto available = pipeline.store->available_bytes();
            if (!available) {
                return available.error();
            }
            if (*available < headroom) {
                return util::ErrorCode(ENOSPC, boost::system::system_category());
            }
            return {};
        });
        server.start();
        // Retention: uploads not collected within the configured days are deleted.
        const std::chrono::days retention(config.retention_days);
        server.every(std::chrono::hours(1), [&pipeline, retention] {
            auto expired = pipeline::expire_uploads(*pipeline.store, *pipeline.metadata,
                                                    std::chrono::system_clock::now(), retention);
            if (!expired) {
                spdlog::error("retention.failed error=\"{}\"", expired.error().message());
            } else if (*expired > 0) {
                spdlog::info("retention.expired uploads={}", *expired);
            }
        });
        if (config.public_url.empty()) {
            site.set_origin(server.bound_origin());
        }
        spdlog::info("serve.started origin={} recipients={}",
                     config.public_url.empty() ? server.bound_origin() : config.origin(), pipeline.recipients.size());
        server.run();
        return 0;
    } catch (const std::exception& error) {
        std::cerr << "supportdrop: error: " << error.what() << '\n';
        return 1;
    }
}

int run_check_config(const std::string& config_file) {
    try {
        const config::Config config = config::load_config(config_file);
        const auto recipients = configured_recipients(config);
        (void)inspection_policy(config.inspection);
        std::cout << config::describe(config);
        if (recipients.empty()) {
            std::cout << "\nwarning: no staff recipients: serve would run in demo mode with a generated identity\n";
        }
        if (config.tls) {
            for (const auto& file : {config.tls->certificate_file, config.tls->private_key_file}) {
                if (!std::ifstream(file)) {
                    throw StartupError("tls: cannot read " + file.string());
                }
            }
        }
        std::cout << "\n" << config_file << ": OK\n";
        return 0;
    } catch (const std::exception& error) {
        std::cerr << "supportdrop: error: " << error.what() << '\n';
        return 1;
    }
}

} // namespace supportdrop::app
