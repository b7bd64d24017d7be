// Runs the C2SP CCTV age test vectors (tests/data/age, see its README).

#include "age/decryptor.hpp"
#include "age/x25519_keys.hpp"
#include "crypto/sha256.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <map>

namespace supportdrop::age {
namespace {

struct Vector {
    std::string name;
    std::multimap<std::string, std::string> fields;
    std::vector<std::uint8_t> body;

    std::string field(const std::string& key) const {
        const auto it = fields.find(key);
        return it == fields.end() ? std::string() : it->second;
    }
    // Needs only what supportdrop supports: X25519 identities, binary encoding.
    bool is_supported() const {
        if (field("armored") == "yes" || fields.contains("passphrase")) {
            return false;
        }
        const auto [begin, end] = fields.equal_range("identity");
        return std::all_of(begin, end, [](const auto& entry) { return entry.second.starts_with("AGE-SECRET-KEY-1"); });
    }
};

std::vector<std::uint8_t> inflate_zlib(const std::vector<std::uint8_t>& compressed) {
    std::vector<std::uint8_t> out;
    z_stream stream{};
    if (inflateInit(&stream) != Z_OK) {
        throw std::runtime_error("inflateInit failed");
    }
    stream.next_in = const_cast<Bytef*>(compressed.data());
    stream.avail_in = static_cast<uInt>(compressed.size());
    std::vector<std::uint8_t> buffer(1 << 16);
    int status = Z_OK;
    while (status != Z_STREAM_END) {
        stream.next_out = buffer.data();
        stream.avail_out = static_cast<uInt>(buffer.size());
        status = inflate(&stream, Z_NO_FLUSH);
        if (status != Z_OK && status != Z_STREAM_END) {
            inflateEnd(&stream);
            throw std::runtime_error("inflate failed");
        }
        out.insert(out.end(), buffer.begin(),
                   buffer.begin() + static_cast<std::ptrdiff_t>(buffer.size() - stream.avail_out));
    }
    inflateEnd(&stream);
    return out;
}

// The format of the CCTV README: "key: value" lines, a blank line, then the age file.
Vector load_vector(const std::filesystem::path& path) {
    const auto raw = test::read_file(path);
    const std::string_view text(reinterpret_cast<const char*>(raw.data()), raw.size());
    const std::size_t split = text.find("\n\n");
    Vector vector{path.filename().string(), {}, {}};
    std::string_view header = text.substr(0, split);
    while (!header.empty()) {
        const std::size_t end = header.find('\n');
        const std::string_view line = header.substr(0, end);
        const std::size_t colon = line.find(": ");
        vector.fields.emplace(std::string(line.substr(0, colon)), std::string(line.substr(colon + 2)));
        header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
    }
    vector.body.assign(raw.begin() + static_cast<std::ptrdiff_t>(split + 2), raw.end());
    if (vector.field("compressed") == "zlib") {
        vector.body = inflate_zlib(vector.body);
    }
    return vector;
}

std::vector<std::string> vector_names() {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(SUPPORTDROP_TEST_DATA_DIR "/age")) {
        if (entry.path().filename() != "README.md") {
            names.push_back(entry.path().filename().string());
        }
    }
    std::ranges::sort(names);
    return names;
}

struct Outcome {
    ErrorCode error;
    std::string payload_sha256; // of everything released, also before a failure
};

Outcome decrypt_vector(const Vector& vector) {
    std::vector<X25519Identity> identities;
    const auto [begin, end] = vector.fields.equal_range("identity");
    for (auto it = begin; it != end; ++it) {
        auto identity = X25519Identity::parse(it->second);
        if (!identity) {
            return {identity.error(), {}};
        }
        identities.push_back(*identity);
    }
    util::SpanSource source(vector.body);
    auto decryptor = Decryptor::open(source, identities);
    if (!decryptor) {
        return {decryptor.error(), {}};
    }
    auto hash = crypto::Sha256::create().value();
    for (;;) {
        auto chunk = decryptor->read_chunk();
        if (!chunk) {
            return {chunk.error(), crypto::to_hex(hash.finish().value())};
        }
        if (chunk->empty()) {
            return {{}, crypto::to_hex(hash.finish().value())};
        }
        hash.update(*chunk);
    }
}

FailureClass expected_class(const std::string& expect) {
    static const std::map<std::string, FailureClass> classes = {
        {"success", FailureClass::none},
        {"no match", FailureClass::no_match},
        {"HMAC failure", FailureClass::hmac},
        {"header failure", FailureClass::header},
        {"payload failure", FailureClass::payload},
        {"armor failure", FailureClass::header},
    };
    return classes.at(expect);
}

class CctvVector : public testing::TestWithParam<std::string> {};

TEST_P(CctvVector, GivesTheExpectedResult) {
    const Vector vector = load_vector(std::filesystem::path(SUPPORTDROP_TEST_DATA_DIR "/age") / GetParam());
    const std::string expect = vector.field("expect");
    const Outcome outcome = decrypt_vector(vector);
    const FailureClass actual = classify(outcome.error);

    if (!vector.is_supported()) {
        // Armor, scrypt and post-quantum keys: never a success, and a file that is valid for
        // the full age implementation must fail as "unsupported", not as damaged.
        ASSERT_NE(actual, FailureClass::none) << vector.name;
        if (expect == "success") {
            EXPECT_EQ(actual, FailureClass::unsupported) << vector.name << ": " << outcome.error.message();
        }
        return;
    }
    EXPECT_EQ(actual, expected_class(expect)) << vector.name << ": " << outcome.error.message();
    if (vector.fields.contains("payload")) {
        EXPECT_EQ(outcome.payload_sha256, vector.field("payload")) << vector.name;
    }
}

INSTANTIATE_TEST_SUITE_P(C2sp, CctvVector, testing::ValuesIn(vector_names()),
                         [](const testing::TestParamInfo<std::string>& param) { return param.param; });

TEST(CctvVectors, SupportedSetIsComplete) {
    // The README of the vectors counts 67 that need only X25519 identities and 143 in all.
    std::size_t supported = 0;
    const auto names = vector_names();
    for (const auto& name : names) {
        supported +=
            load_vector(std::filesystem::path(SUPPORTDROP_TEST_DATA_DIR "/age") / name).is_supported() ? 1u : 0u;
    }
    EXPECT_EQ(names.size(), 143u);
    EXPECT_EQ(supported, 67u);
}

} // namespace
} // namespace supportdrop::age
