#include "inspector/archive_lister.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <clocale>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <string_view>
#include <unistd.h>

namespace supportdrop::inspector {
namespace {

using test::run_shell;

// As in the inspector process: libarchive converts entry names through the C library's locale.
const bool k_utf8_locale = std::setlocale(LC_CTYPE, "C.UTF-8") != nullptr;

ArchiveListing list_file(const std::filesystem::path& path, const InspectionLimits& limits = {}) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    EXPECT_GE(fd, 0) << path;
    util::FdRandomAccessSource source(fd);
    ArchiveListing listing = list_archive(source, limits);
    ::close(fd);
    return listing;
}

ArchiveListing list_sample(const std::string& name) {
    return list_file(std::filesystem::path(SUPPORTDROP_TEST_DATA_DIR "/archives") / name);
}

std::vector<std::string> paths(const ArchiveListing& listing) {
    std::vector<std::string> names;
    for (const auto& entry : listing.entries) {
        names.push_back(entry.path);
    }
    return names;
}

TEST(ArchiveLister, ListsPlainArchivesWithoutFindings) {
    ASSERT_TRUE(k_utf8_locale);
    const auto zip = list_sample("test_read_format_zip.zip");
    EXPECT_EQ(zip.format, "zip");
    EXPECT_EQ(paths(zip), (std::vector<std::string>{"dir/", "file1", "file2"}));
    EXPECT_TRUE(zip.findings.empty());
    const auto tgz = list_sample("test_compat_gzip_1.tgz");
    EXPECT_EQ(tgz.format, "tar");
    EXPECT_TRUE(tgz.gzip);
    EXPECT_EQ(tgz.entries.size(), 6u);
    EXPECT_TRUE(tgz.findings.empty());
    const auto utf8 = list_sample("test_read_format_zip_7075_utf8_paths.zip");
    EXPECT_EQ(utf8.entries.at(1).path, "File 2 - \xC3\xB6.txt");
}

TEST(ArchiveLister, DetectsEncryption) {
    for (const char* name :
         {"test_read_format_zip_traditional_encryption_data.zip", "test_read_format_zip_winzip_aes128.zip",
          "test_read_format_zip_winzip_aes256.zip", "test_read_format_zip_encryption_partially.zip",
          "test_read_format_rar4_encrypted.rar", "test_read_format_rar_encryption_data.rar",
          // libarchive 3.6.2 does not flag these; the lister reads the RAR5 headers itself.
          "test_read_format_rar5_encrypted.rar", "test_read_format_rar5_solid_encrypted.rar"}) {
        const auto listing = list_sample(name);
        EXPECT_TRUE(listing.has(Finding::encrypted_data)) << name;
        EXPECT_FALSE(listing.has(Finding::encrypted_names)) << name;
    }
    for (const char* name :
         {"test_read_format_zip_encryption_header.zip", "test_read_format_rar_encryption_header.rar",
          "test_read_format_rar4_encrypted_filenames.rar", "test_read_format_rar5_encrypted_filenames.rar",
          "test_read_format_rar5_solid_encrypted_filenames.rar"}) {
        const auto listing = list_sample(name);
        EXPECT_TRUE(listing.has(Finding::encrypted_names)) << name;
        EXPECT_FALSE(listing.has(Finding::corrupt)) << name;
    }
    // Only the entries that need the password are marked.
    const auto rar5 = list_sample("test_read_format_rar5_encrypted.rar");
    for (const auto& entry : rar5.entries) {
        EXPECT_EQ(entry.encrypted, entry.path == "b.txt" || entry.path == "d.txt") << entry.path;
    }
}

TEST(ArchiveLister, FlagsLinksNestedArchivesAndBombs) {
    EXPECT_TRUE(list_sample("test_read_format_zip_symlink.zip").has(Finding::symlink));
    EXPECT_TRUE(list_sample("test_read_format_rar.rar").has(Finding::symlink));
    const auto unicode = list_sample("test_read_format_rar5_unicode.rar");
    EXPECT_TRUE(unicode.has(Finding::hardlink));
    EXPECT_TRUE(unicode.has(Finding::symlink));
    EXPECT_TRUE(list_sample("test_read_format_zip_nested.zip").has(Finding::nested_archive));
    // 60 KB that declares 102 MB (sparse tar) and 241 MB (one RAR volume).
    EXPECT_TRUE(
        list_sample("test_read_format_gtar_sparse_1_17_posix10.tar").has(Finding::compression_ratio_over_limit));
    EXPECT_TRUE(
        list_sample("test_read_format_rar_multivolume.part0001.rar").has(Finding::compression_ratio_over_limit));
    // Small files may compress well: 262 KB from 631 B is no finding.
    EXPECT_FALSE(list_sample("test_read_format_zip_high_compression.zip").has(Finding::compression_ratio_over_limit));
}

TEST(ArchiveLister, ReportsCorruptInputWithoutCrashing) {
    // test_read_filter_gzip_recursive.gz makes libarchive allocate until memory runs out: that
    // one belongs to the sandbox's resource limits, not to an in-process test.
    for (const char* name : {"test_read_format_zip_malformed1.zip", "test_read_too_many_filters.gz"}) {
        const auto listing = list_sample(name);
        EXPECT_TRUE(listing.has(Finding::corrupt)) << name << ": " << listing.error;
        EXPECT_FALSE(listing.error.empty()) << name;
    }
}

class GeneratedArchives : public testing::Test {
protected:
    std::filesystem::path make(const std::string& script) {
        const auto result = run_shell("set -e\n" + script, m_dir.path().string());
        EXPECT_EQ(result.exit_code, 0) << result.err;
        return m_dir / "out.tar.gz";
    }
    test::TempDir m_dir;
};

TEST_F(GeneratedArchives, FindsTheReadmeAtTheRootOrInTheOnlyFolder) {
    const auto root = list_file(make("mkdir -p case/logs && echo 'Root readme' > case/README.TXT && "
                                     "echo x > case/logs/a.log && cd case && tar -czf ../out.tar.gz ."));
    EXPECT_EQ(std::string(root.readme.begin(), root.readme.end()), "Root readme\n");
    const auto nested = list_file(make("mkdir -p top/logs && echo 'Nested' > top/liesmich.txt && "
                                       "echo x > top/logs/a.log && tar -czf out.tar.gz top"));
    EXPECT_EQ(nested.readme_path, "top/liesmich.txt");
    EXPECT_EQ(std::string(nested.readme.begin(), nested.readme.end()), "Nested\n");
    const auto two_folders = list_file(make("mkdir -p a b && echo r > a/Readme.txt && echo x > b/x && "
                                            "tar -czf out.tar.gz a b"));
    EXPECT_TRUE(two_folders.readme_path.empty());
}

TEST_F(GeneratedArchives, FindsTheReadmeInTheOnlyFolderBesideMacOsMetadata) {
    // macOS's Archive Utility adds __MACOSX/ (resource forks) beside the folder it packs, and
    // Finder leaves .DS_Store files: neither makes a second top-level folder.
    const auto listing = list_file(make("mkdir -p Case __MACOSX/Case && echo 'Mac readme' > Case/Readme.txt && "
                                        "echo x > Case/app.log && echo meta > __MACOSX/Case/._Readme.txt && "
                                        "echo meta > __MACOSX/._Case && echo ds > .DS_Store && "
                                        "zip -q -r out.tar.gz Case __MACOSX .DS_Store"));
    EXPECT_EQ(listing.readme_path, "Case/Readme.txt");
    EXPECT_EQ(std::string(listing.readme.begin(), listing.readme.end()), "Mac readme\n");
}

TEST_F(GeneratedArchives, CapsTheReadme) {
    const auto listing =
        list_file(make("head -c 200000 /dev/zero | tr '\\0' 'x' > Readme.txt && tar -czf out.tar.gz Readme.txt"));
    EXPECT_EQ(listing.readme.size(), 64u * 1024);
}

TEST_F(GeneratedArchives, KeepsAReadmeBelowTheCapWhole) {
    // 20,001 bytes, read in several pieces: all of them, in order.
    const auto listing = list_file(make("seq 1 5000 | head -c 20001 > Readme.txt && tar -czf out.tar.gz Readme.txt"));
    std::string expected;
    for (int i = 1; expected.size() < 20001; ++i) {
        expected += std::to_string(i) + "\n";
    }
    expected.resize(20001);
    EXPECT_TRUE(std::string(listing.readme.begin(), listing.readme.end()) == expected); // no 20 KB diff
}

TEST_F(GeneratedArchives, FlagsAbsoluteAndParentPathsAndDuplicates) {
    const auto listing = list_file(make("mkdir -p in && echo x > in/f && cd in && tar -cPzf ../out.tar.gz ../in/f "
                                        "$PWD/f f f"));
    EXPECT_TRUE(listing.has(Finding::path_traversal));
    EXPECT_TRUE(listing.has(Finding::absolute_path));
    EXPECT_TRUE(listing.has(Finding::duplicate_name));
}

TEST_F(GeneratedArchives, StopsAtTheEntryLimit) {
    const auto listing = list_file(make("mkdir many && cd many && seq 1 300 | xargs touch && tar -czf ../out.tar.gz ."),
                                   InspectionLimits{.max_entries = 100});
    EXPECT_EQ(listing.entries.size(), 100u);
    EXPECT_TRUE(listing.has(Finding::too_many_entries));
}

TEST_F(GeneratedArchives, LargeEntriesThatDoNotCompressAreNoBomb) {
    // Each ZIP entry is measured by its own sizes: random data stored or deflated, a log that
    // compresses as logs do and one that repeats an error line 150,000 times (about 110 times
    // smaller) are fine; one entry compressed beyond the limit among them is not.
    const std::string files =
        "head -c 5000000 /dev/urandom > data.bin && "
        "for i in $(seq 1 40000); do echo \"$i 2026-11-27 export step $((i * 7919 % 10007)) "
        "finished in $((i % 97)) ms\"; done > export.log && "
        "for i in $(seq 1 150000); do echo \"2026-11-27 12:$((i / 600 % 60)):$((i / 10 % 60)) "
        "ERROR db: connection refused (retrying)\"; done > spam.log && echo 'Readme' > Readme.txt && ";
    for (const char* method : {"-0", "-6"}) {
        const auto listing =
            list_file(make(files + "zip -q " + method + " out.tar.gz Readme.txt data.bin export.log spam.log"));
        EXPECT_EQ(listing.format, "zip");
        EXPECT_FALSE(listing.has(Finding::compression_ratio_over_limit)) << method;
    }
    const auto mixed = list_file(make(files + "rm -f out.tar.gz && zip -q out.tar.gz data.bin spam.log"),
                                 InspectionLimits{.max_compression_ratio = 50});
    EXPECT_TRUE(mixed.has(Finding::compression_ratio_over_limit));
    const auto tar_gz = list_file(make(files + "tar -czf out.tar.gz Readme.txt data.bin export.log spam.log"));
    EXPECT_FALSE(tar_gz.has(Finding::compression_ratio_over_limit));
}

std::uint32_t little_endian32(const std::vector<char>& bytes, std::size_t at) {
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        value |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
    }
    return value;
}

void put_little_endian(std::vector<char>& bytes, std::size_t at, std::uint32_t value, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) {
        bytes[at + i] = static_cast<char>(value >> (8 * i));
    }
}

TEST_F(GeneratedArchives, FlagsZipEntriesThatShareTheirData) {
    // David Fifield's overlapping zip bombs list the same compressed data under many names: each
    // entry looks harmless, together they claim more compressed bytes than the archive has.
    const auto plain = make("head -c 3000000 /dev/urandom > data.bin && zip -q -0 out.tar.gz data.bin");
    std::ifstream in(plain, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::size_t end = std::string_view(bytes.data(), bytes.size()).rfind("PK\x05\x06");
    ASSERT_NE(end, std::string_view::npos);
    const std::uint32_t directory_size = little_endian32(bytes, end + 12);
    const std::uint32_t directory_offset = little_endian32(bytes, end + 16);
    const std::vector<char> record(bytes.begin() + directory_offset, bytes.begin() + directory_offset + directory_size);
    std::vector<char> bomb(bytes.begin(), bytes.begin() + directory_offset);
    constexpr std::uint32_t k_copies = 5;
    for (std::uint32_t i = 0; i < k_copies; ++i) {
        bomb.insert(bomb.end(), record.begin(), record.end());
    }
    const std::size_t new_end = bomb.size();
    bomb.insert(bomb.end(), bytes.begin() + static_cast<std::ptrdiff_t>(end), bytes.end());
    put_little_endian(bomb, new_end + 8, k_copies, 2);
    put_little_endian(bomb, new_end + 10, k_copies, 2);
    put_little_endian(bomb, new_end + 12, directory_size * k_copies, 4);
    const auto path = m_dir / "bomb.zip";
    std::ofstream(path, std::ios::binary).write(bomb.data(), static_cast<std::streamsize>(bomb.size()));
    const auto listing = list_file(path);
    EXPECT_EQ(listing.format, "zip");
    EXPECT_EQ(listing.entries.size(), 1u); // libarchive lists shared data once; the directory holds five
    EXPECT_TRUE(listing.has(Finding::compression_ratio_over_limit));
    EXPECT_FALSE(list_file(plain).has(Finding::compression_ratio_over_limit));
}

TEST_F(GeneratedArchives, StopsAtTheDecompressionBudget) {
    // 300 MB of zeros packed into a few hundred KB: listing it means decompressing it.
    const auto listing = list_file(make("head -c 300000000 /dev/zero > zeros && tar -czf out.tar.gz zeros zeros"),
                                   InspectionLimits{.max_decompressed_bytes = 100'000'000});
    EXPECT_TRUE(listing.has(Finding::decompression_budget_exceeded) ||
                listing.has(Finding::compression_ratio_over_limit));
    EXPECT_TRUE(listing.has(Finding::compression_ratio_over_limit));
}

} // namespace
} // namespace supportdrop::inspector
