#include "http/csrf.hpp"

#include "crypto/hmac.hpp"
#include "crypto/random.hpp"
#include "util/atomic_file.hpp"
#include "util/base64.hpp"
#include "util/text.hpp"

#include <fcntl.h>
#include <unistd.h>

namespace supportdrop::http {
util::Result<CsrfGuard> CsrfGuard::open(const std::filesystem::path& key_file) {
    std::array<std::uint8_t, 32> key{};
    const int fd = ::open(key_file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        util::FdSource source(fd);
        auto n = util::read_full(source, key);
        ::close(fd);
        if (!n) {
            return n.error();
        }
        if (*n == key.size()) {
            return CsrfGuard(key);
        }
    } else if (errno != ENOENT) {
        return util::last_system_error();
    }
    if (auto filled = crypto::fill_random(key); !filled) {
        return filled.error();
    }
    auto file = util::AtomicFile::create(key_file, 0600, util::Overwrite::yes);
    if (!file) {
        return file.error();
    }
    if (auto written = file->write(key); !written) {
        return written.error();
    }
    if (auto committed = file->commit(); !committed) {
        return committed.error();
    }
    return CsrfGuard(key);
}

util::Result<std::string> CsrfGuard::new_cookie_value() const {
    std::array<std::uint8_t, 16> value{};
    if (auto filled = crypto::fill_random(value); !filled) {
        return filled.error();
    }
    return util::encode_base64url_unpadded(value);
}

std::string CsrfGuard::token_for(std::string_view cookie_value) const {
    const auto mac = crypto::hmac_sha256(m_key, util::bytes_of(cookie_value));
    return mac ? util::encode_base64url_unpadded(*mac) : std::string();
}

bool CsrfGuard::verify(std::string_view cookie_value, std::string_view token) const {
    if (cookie_value.empty() || token.empty()) {
        return false;
    }
    const std::string expected = token_for(cookie_value);
    return !expected.empty() && crypto::equal_constant_time(util::bytes_of(expected), util::bytes_of(token));
}

} // namespace supportdrop::http
