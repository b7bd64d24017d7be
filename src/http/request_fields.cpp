#include "http/request_fields.hpp"

#include "util/text.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>

namespace supportdrop::http {
namespace {

std::optional<std::string> normalized_address(std::string_view text) {
    std::string candidate(util::trim(text));
    if (candidate.size() > 1 && candidate.front() == '"' && candidate.back() == '"') {
        candidate = candidate.substr(1, candidate.size() - 2);
    }
    if (!candidate.empty() && candidate.front() == '[') {
        candidate = candidate.substr(1, candidate.find(']') - 1);
    } else if (std::ranges::count(candidate, ':') == 1) {
        candidate = candidate.substr(0, candidate.find(':')); // "1.2.3.4:port"
    }
    boost::system::error_code error;
    const auto address = boost::asio::ip::make_address(candidate, error);
    if (error) {
        return std::nullopt;
    }
    return address.to_string();
}

} // namespace

std::string_view target_path(std::string_view target) {
    return target.substr(0, target.find('?'));
}

std::string_view query_parameter(std::string_view target, std::string_view name) {
    const std::size_t question = target.find('?');
    if (question == std::string_view::npos) {
        return {};
    }
    std::string_view query = target.substr(question + 1);
    while (!query.empty()) {
        const std::size_t amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        const std::size_t equals = pair.find('=');
        if (pair.substr(0, equals) == name) {
            return equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1);
        }
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    }
    return {};
}

std::string_view cookie_value(std::string_view cookie_header, std::string_view name) {
    while (!cookie_header.empty()) {
        const std::size_t semicolon = cookie_header.find(';');
        const std::string_view pair = util::trim(cookie_header.substr(0, semicolon));
        const std::size_t equals = pair.find('=');
        if (equals != std::string_view::npos && util::trim(pair.substr(0, equals)) == name) {
            return util::trim(pair.substr(equals + 1));
        }
        cookie_header = semicolon == std::string_view::npos ? std::string_view() : cookie_header.substr(semicolon + 1);
    }
    return {};
}

std::string client_address(const std::string& peer, const std::vector<std::string>& trusted_proxies,
                           std::string_view x_forwarded_for, std::string_view forwarded) {
    const auto is_trusted = [&](const std::string& address) {
        return std::ranges::find(trusted_proxies, address) != trusted_proxies.end();
    };
    if (!is_trusted(peer)) {
        return peer;
    }
    // X-Forwarded-For lists hops left to right; the right-most entry not added by one of our
    // proxies is the client. Entries further left are the client's own claims.
    std::vector<std::string> hops;
    while (!x_forwarded_for.empty()) {
        const std::size_t comma = x_forwarded_for.find(',');
        if (auto address = normalized_address(x_forwarded_for.substr(0, comma))) {
            hops.push_back(*address);
        }
        x_forwarded_for = comma == std::string_view::npos ? std::string_view() : x_forwarded_for.substr(comma + 1);
    }
    if (hops.empty()) {
        // RFC 7239: Forwarded: for=192.0.2.60;proto=http, for="[2001:db8::1]"
        while (!forwarded.empty()) {
            const std::size_t comma = forwarded.find(',');
            std::string_view element = forwarded.substr(0, comma);
            while (!element.empty()) {
                const std::size_t semicolon = element.find(';');
                const std::string_view pair = util::trim(element.substr(0, semicolon));
                if (pair.size() > 4 && (pair.substr(0, 4) == "for=" || pair.substr(0, 4) == "For=")) {
                    if (auto address = normalized_address(pair.substr(4))) {
                        hops.push_back(*address);
                    }
                }
                element = semicolon == std::string_view::npos ? std::string_view() : element.substr(semicolon + 1);
            }
            forwarded = comma == std::string_view::npos ? std::string_view() : forwarded.substr(comma + 1);
        }
    }
    for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
        if (!is_trusted(*it)) {
            return *it;
        }
    }
    return hops.empty() ? peer : hops.front();
}

bool wants_json(std::string_view accept) {
    const std::size_t json = accept.find("application/json");
    const std::size_t html = accept.find("text/html");
    return json != std::string_view::npos && (html == std::string_view::npos || json < html);
}

} // namespace supportdrop::http
