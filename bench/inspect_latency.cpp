// Verdict latency after the last byte (issue 4): seals FILE as the receiver does, then times
// what finish() does before it can answer: read the sealed upload back through its key, hand it
// to a sandboxed worker process (forked by the inspector's fork server, which the first round
// starts, as the service's first upload does), list the archive, judge. Prints the best of ROUNDS
// in milliseconds (or "-" when no verdict came) and the inspector processes' peak RSS in MiB.
//   inspect_latency SUPPORTDROP_BINARY FILE ROUNDS

#include "age/encryptor.hpp"
#include "inspector/sandboxed_inspector.hpp"
#include "pipeline/content_type.hpp"
#include "pipeline/sealed_plaintext.hpp"
#include "pipeline/verdict.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <memory>
#include <string>
#include <sys/resource.h>
#include <unistd.h>
#include <vector>

using namespace supportdrop;

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: inspect_latency SUPPORTDROP_BINARY FILE ROUNDS\n");
        return 2;
    }
    const int input = ::open(argv[2], O_RDONLY | O_CLOEXEC);
    char sealed_name[] = "/tmp/inspect-latency-XXXXXX";
    const int sealed = ::mkostemp(sealed_name, O_CLOEXEC);
    ::unlink(sealed_name);
    if (input < 0 || sealed < 0) {
        std::perror("open");
        return 1;
    }
    const auto staff = age::X25519Identity::generate().value();
    util::FdSink sink(sealed);
    auto encryptor = age::Encryptor::start(std::span(&staff.recipient(), 1), sink).value();
    std::vector<std::uint8_t> buffer(std::size_t{128} << 10);
    std::vector<std::uint8_t> head;
    std::uint64_t size = 0;
    for (ssize_t n; (n = ::read(input, buffer.data(), buffer.size())) > 0; size += static_cast<std::uint64_t>(n)) {
        if (!encryptor.write(std::span(buffer).first(static_cast<std::size_t>(n)))) {
            return 1;
        }
        if (head.size() < pipeline::k_sniff_size) {
            head.insert(head.end(), buffer.begin(), buffer.begin() + std::min<ssize_t>(n, 512));
        }
    }
    if (!encryptor.finish()) {
        return 1;
    }
    const auto type =
        pipeline::detect_content_type(std::span(head).first(std::min(head.size(), pipeline::k_sniff_size)));
    inspector::SandboxedInspectorSettings settings;
    settings.executable = argv[1];
    if (const char* memory = std::getenv("INSPECTOR_MEMORY_MIB")) {
        settings.memory_bytes = std::strtoull(memory, nullptr, 10) << 20;
    }
    auto inspector = std::make_unique<inspector::SandboxedInspector>(settings);
    // The largest of the inspector processes, once the fork server (which waits for its workers)
    // has been reaped.
    const auto peak_rss_mib = [&inspector] {
        inspector.reset();
        rusage children{};
        ::getrusage(RUSAGE_CHILDREN, &children);
        return static_cast<double>(children.ru_maxrss) / 1024.0;
    };
    util::FdRandomAccessSource sealed_file(sealed);
    double best_ms = 1e18;
    std::string verdict;
    for (int round = 0; round < std::atoi(argv[3]); ++round) {
        const auto started = std::chrono::steady_clock::now();
        auto plaintext = pipeline::SealedPlaintext::open(sealed_file, encryptor.file_key(), size).value();
        auto report = inspector->inspect(plaintext);
        if (!report || !type.archive) {
            // No verdict ("could not be processed", or 415 before any inspection): the memory
            // the inspector process took on the way is still worth knowing.
            const std::string reason = report ? "not an archive" : report.error().message();
            std::printf("- %.1f %s\n", peak_rss_mib(), reason.c_str());
            return 0;
        }
        const auto judged = pipeline::judge(*report, *type.archive, argv[2], {});
        best_ms = std::min(
            best_ms, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count());
        verdict = std::to_string(report->listing.entries.size()) + " entries, " +
                  (judged.accepted() ? "accepted" : "rejected");
    }
    std::printf("%.1f %.1f %s\n", best_ms, peak_rss_mib(), verdict.c_str());
    return 0;
}
