// Every archive sample and archives packed at test time, through the sandboxed inspector and the
// verdict rules with the default policy, as the receiver judges an upload.
#include "inspector/sandboxed_inspector.hpp"
#include "pipeline/content_type.hpp"
#include "pipeline/verdict.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

namespace supportdrop::pipeline {
namespace {

const std::filesystem::path k_samples = SUPPORTDROP_TEST_DATA_DIR "/archives";

// "could_not_process" when no report came; otherwise "accepted" or "rejected:", then the
// rejections and after "warn:" the warnings, as codes.
std::string judged(const std::filesystem::path& file, std::string_view client_name = {}) {
    inspector::SandboxedInspectorSettings settings;
    settings.executable = SUPPORTDROP_BINARY;
    const auto bytes = test::read_file(file);
    const ContentType type = detect_content_type(std::span(bytes).first(std::min(bytes.size(), k_sniff_size)));
    if (!type.archive) {
        return "not_an_archive";
    }
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    util::FdRandomAccessSource source(fd);
    auto report = inspector::SandboxedInspector(settings).inspect(source);
    ::close(fd);
    if (!report) {
        return "could_not_process";
    }
    const Verdict verdict =
        judge(*report, *type.archive, client_name.empty() ? file.filename().string() : client_name, {});
    std::string out = verdict.accepted() ? "accepted" : "rejected:";
    for (const Reason reason : verdict.rejections) {
        out += " " + std::string(reason_code(reason));
    }
    out += " warn:";
    for (const Reason reason : verdict.warnings) {
        out += " " + std::string(reason_code(reason));
    }
    return out;
}

struct Expected {
    const char* sample;
    const char* verdict;
};

// What each sample exercises is in tests/data/archives/README.md. None has a Readme.txt, so
// every readable one is rejected for that at least; the point is everything else found.
// "corrupt" on the solid encrypted RARs is libarchive 3.6.2 giving up on solid RAR data.
constexpr Expected k_expected[] = {
    {"test_compat_gtar_1.tar", "rejected: missing_readme warn: links"},
    {"test_compat_gzip_1.tgz", "rejected: missing_readme warn:"},
    {"test_pax_filename_encoding.tar", "rejected: missing_readme warn: duplicate_names"},
    {"test_read_filter_gzip_recursive.gz", "could_not_process"},
    {"test_read_format_gtar_sparse_1_17_posix10.tar", "rejected: missing_readme compression_bomb warn:"},
    {"test_read_format_rar.rar", "rejected: missing_readme warn: links"},
    {"test_read_format_rar4_encrypted.rar", "rejected: missing_readme warn: encrypted"},
    {"test_read_format_rar4_encrypted_filenames.rar", "accepted warn: encrypted_names"},
    {"test_read_format_rar4_solid_encrypted.rar", "rejected: corrupt missing_readme warn: encrypted"},
    {"test_read_format_rar5_encrypted.rar", "rejected: missing_readme warn: encrypted"},
    {"test_read_format_rar5_encrypted_filenames.rar", "accepted warn: encrypted_names"},
    {"test_read_format_rar5_multiarchive.part01.rar", "rejected: missing_readme warn:"},
    {"test_read_format_rar5_solid.rar", "rejected: missing_readme warn:"},
    {"test_read_format_rar5_solid_encrypted.rar", "rejected: corrupt missing_readme warn: encrypted"},
    {"test_read_format_rar5_solid_encrypted_filenames.rar", "accepted warn: encrypted_names"},
    {"test_read_format_rar5_stored.rar", "rejected: missing_readme warn:"},
    {"test_read_format_rar5_symlink.rar", "rejected: missing_readme warn: links"},
    {"test_read_format_rar5_unicode.rar", "rejected: missing_readme warn: links"},
    {"test_read_format_rar5_zip_in_rar.rar", "rejected: format_mismatch warn:"},
    {"test_read_format_rar_encryption_data.rar", "rejected: missing_readme warn: encrypted"},
    {"test_read_format_rar_encryption_header.rar", "accepted warn: encrypted_names"},
    {"test_read_format_rar_encryption_partially.rar", "rejected: missing_readme warn: encrypted"},
    {"test_read_format_rar_invalid1.rar", "rejected: corrupt missing_readme warn:"},
    {"test_read_format_rar_multivolume.part0001.rar", "rejected: missing_readme compression_bomb warn:"},
    {"test_read_format_rar_unicode.rar", "rejected: missing_readme warn: links"},
    {"test_read_format_tar_V_negative_size.tar", "not_an_archive"},
    {"test_read_format_zip.zip", "rejected: missing_readme warn:"},
    {"test_read_format_zip_7075_utf8_paths.zip", "rejected: missing_readme warn:"},
    {"test_read_format_zip_encryption_data.zip", "rejected: missing_readme warn: encrypted"},
    {"test_read_format_zip_encryption_header.zip", "accepted warn: encrypted_names"},
    {"test_read_format_zip_encryption_partially.zip", "rejected: missing_readme warn: encrypted"},
    {"test_read_format_zip_high_compression.zip", "rejected: missing_readme warn:"},
    {"test_read_format_zip_malformed1.zip", "rejected: corrupt missing_readme compression_bomb warn:"},
    {"test_read_format_zip_nested.zip", "rejected: missing_readme warn: nested_archive"},
    {"test_read_format_zip_symlink.zip", "rejected: missing_readme warn: links"},
    {"test_read_format_zip_traditional_encryption_data.zip", "rejected: missing_readme warn: encrypted"},
    {"test_read_format_zip_winzip_aes128.zip", "accepted warn: readme_encrypted encrypted"},
    {"test_read_format_zip_winzip_aes256.zip", "accepted warn: readme_encrypted encrypted"},
    {"test_read_format_zip_zip64a.zip", "rejected: missing_readme warn:"},
    {"test_read_too_many_filters.gz", "rejected: bare_gzip warn:"},
};

TEST(InspectionVerdict, EverySample) {
    std::size_t samples = 0;
    for (const auto& entry : std::filesystem::directory_iterator(k_samples)) {
        if (entry.path().extension() != ".md" && entry.path().filename() != "SHA256SUMS") {
            ++samples;
        }
    }
    EXPECT_EQ(samples, std::size(k_expected)) << "a sample without an expected verdict";
    for (const Expected& expected : k_expected) {
        EXPECT_EQ(judged(k_samples / expected.sample), expected.verdict) << expected.sample;
    }
}

// Archives packed with Debian's tools, as customers pack them.
class PackedArchives : public testing::Test {
protected:
    // Runs `script` in a directory of its own and judges the `output` it packed.
    std::string pack(const std::string& script, const std::string& output, std::string_view client_name = {}) {
        const auto directory = m_dir / std::to_string(++m_packed);
        std::filesystem::create_directory(directory);
        const auto packed = test::run_shell("set -e\n" + script, directory.string());
        EXPECT_EQ(packed.exit_code, 0) << packed.err;
        return judged(directory / output, client_name);
    }

    int m_packed = 0;

    test::TempDir m_dir;
};

constexpr const char* k_readme = "printf 'Hello support,\\nthe nightly export stops with error 42 since Monday.\\n"
                                 "Name: Erika Mustermann\\nE-Mail: erika@example.com\\n' > case/Readme.txt\n";

TEST_F(PackedArchives, WellFormedCasesAreAccepted) {
    const std::string files = std::string("mkdir -p case/logs && echo log > case/logs/app.log\n") + k_readme;
    EXPECT_EQ(pack(files + "cd case && zip -qr ../case.zip .", "case.zip"), "accepted warn:");
    EXPECT_EQ(pack(files + "tar -czf case.tar.gz case", "case.tar.gz"), "accepted warn:"); // Readme in the top folder
    EXPECT_EQ(pack(files + "tar -cf case.tar -C case .", "case.tar"), "accepted warn:");
    // A ZIP named .tar.gz: accepted, with a note.
    EXPECT_EQ(pack(files + "cd case && zip -qr ../real.zip .", "real.zip", "logs.tar.gz"),
              "accepted warn: extension_mismatch");
}

TEST_F(PackedArchives, ReadmesInEveryEncodingCustomersUse) {
    // UTF-16 LE with BOM (Windows Notepad "Unicode") and Windows-1252 ("ANSI"), with umlauts.
    const std::string text = "Sehr geehrte Damen und Herren, der Export bricht ab. Grüße, Jörg Müller, "
                             "Telefon +49 30 1234567";
    EXPECT_EQ(pack("mkdir c && printf '\\xff\\xfe' > c/Readme.txt && printf '" + text +
                       "' | iconv -f UTF-8 -t UTF-16LE >> c/Readme.txt && cd c && zip -q ../u16.zip Readme.txt",
                   "u16.zip"),
              "accepted warn:");
    EXPECT_EQ(pack("mkdir c && printf '" + text +
                       "' | iconv -f UTF-8 -t WINDOWS-1252 > c/LIESMICH.TXT && tar -czf w.tar.gz -C c .",
                   "w.tar.gz"),
              "accepted warn:");
}

TEST_F(PackedArchives, MissingOrThinReadmesAreRejectedWithTheReason) {
    EXPECT_EQ(pack("mkdir c && echo x > c/data.bin && cd c && zip -q ../none.zip data.bin", "none.zip"),
              "rejected: missing_readme warn:");
    EXPECT_EQ(pack("mkdir c && echo 'The export fails every night, please have a look at the logs.' > c/Readme.txt"
                   " && tar -czf nocontact.tar.gz -C c .",
                   "nocontact.tar.gz"),
              "rejected: readme_no_contact warn:");
    EXPECT_EQ(
        pack("mkdir c && echo 'erika@example.com' > c/readme.md && tar -cf noconcern.tar -C c .", "noconcern.tar"),
        "rejected: readme_no_concern warn:");
}

TEST_F(PackedArchives, EncryptedArchivesAreAcceptedAndAskForThePassword) {
    const std::string files = std::string("mkdir -p case && echo secret > case/data.txt\n") + k_readme;
    EXPECT_EQ(pack(files + "cd case && zip -q -P geheim ../all.zip Readme.txt data.txt", "all.zip"),
              "accepted warn: readme_encrypted encrypted");
    EXPECT_EQ(
        pack(files + "cd case && zip -q -P geheim ../data.zip data.txt && zip -q ../data.zip Readme.txt", "data.zip"),
        "accepted warn: encrypted");
    EXPECT_EQ(
        pack(files + "cd case && 7z a -tzip -pgeheim -mem=AES256 ../aes.zip Readme.txt data.txt >/dev/null", "aes.zip"),
        "accepted warn: readme_encrypted encrypted");
}

TEST_F(PackedArchives, DangerousEntriesAreFlagged) {
    const std::string files = std::string("mkdir -p case && echo x > case/f\n") + k_readme;
    EXPECT_EQ(pack(files + "cd case && tar -cPf ../escape.tar Readme.txt ../case/f \"$PWD/f\"", "escape.tar"),
              "rejected: path_traversal absolute_path warn: links"); // the same file twice: a hard link
    EXPECT_EQ(pack(files + "ln -s /etc/passwd case/link && cd case && zip -q --symlinks ../links.zip Readme.txt link",
                   "links.zip"),
              "accepted warn: links");
    EXPECT_EQ(pack(files + "cd case && seq 1 20000 | sed 's/^/e/' | xargs touch && tar -cf ../many.tar .", "many.tar"),
              "rejected: missing_readme too_many_entries warn:"); // the listing stops before the Readme
}

TEST_F(PackedArchives, BombsAreRejected) {
    // 1 GiB of zeros deflated into one ZIP entry (1 MB), and 1 GiB in a tar.gz of identical
    // gzip members of 64 MiB. (The same zeros deflated fast, 230 times smaller, are no bomb: 1 GiB
    // unpacked is within max_total_bytes.)
    const std::string files = std::string("mkdir -p case\n") + k_readme;
    EXPECT_EQ(pack(files + "cd case && zip -q ../bomb.zip Readme.txt && head -c 1073741824 /dev/zero | zip -q -9 "
                           "../bomb.zip -",
                   "bomb.zip"),
              "rejected: compression_bomb warn:");
    EXPECT_EQ(pack(files + "truncate -s 1G zeros && tar -cf - -C case Readme.txt | head -c 1024 | gzip > bomb.tar.gz\n"
                           "tar -cf - zeros 2>/dev/null | head -c 512 | gzip >> bomb.tar.gz\n"
                           "head -c 67108864 /dev/zero | gzip > part.gz\n"
                           "for i in $(seq 16); do cat part.gz >> bomb.tar.gz; done\n"
                           "head -c 1024 /dev/zero | gzip >> bomb.tar.gz",
                   "bomb.tar.gz"),
              "rejected: compression_bomb warn: decompression_limit");
}

TEST_F(PackedArchives, GzipOfASingleFileAndPolyglotsAreRefused) {
    EXPECT_EQ(pack("mkdir -p case && echo log > case/app.log && gzip -c case/app.log > app.log.gz", "app.log.gz"),
              "rejected: bare_gzip warn:");
    const std::string files = std::string("mkdir -p case\n") + k_readme;
    EXPECT_EQ(pack(files + "cd case && zip -q ../inner.zip Readme.txt && cd .. && gzip -c inner.zip > inner.zip.gz",
                   "inner.zip.gz"),
              "rejected: bare_gzip warn:");
    // HTML with a ZIP appended: the content starts as HTML, so it is not an archive at all.
    EXPECT_EQ(pack(files + "cd case && zip -q ../inner.zip Readme.txt && cd .. && "
                           "(echo '<!DOCTYPE html><html><body>hi</body></html>'; cat inner.zip) > poly.zip",
                   "poly.zip"),
              "not_an_archive");
}

} // namespace
} // namespace supportdrop::pipeline
