#pragma once
// Small parsers for request fields: query parameters, cookies, the client address behind
// trusted proxies.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace supportdrop::http {

// The path of a request target ("/upload?x=1" -> "/upload").
std::string_view target_path(std::string_view target);

// The value of `name` in the target's query string; percent-decoding is not needed for the
// server-minted values read this way, so encoded values are returned as sent.
std::string_view query_parameter(std::string_view target, std::string_view name);

// The value of cookie `name` in a Cookie header, or empty.
std::string_view cookie_value(std::string_view cookie_header, std::string_view name);

// The client address: the peer, or, when the peer is a trusted proxy, the address it reports
// (the last untrusted entry of X-Forwarded-For, or the "for=" of Forwarded).
std::string client_address(const std::string& peer, const std::vector<std::string>& trusted_proxies,
                           std::string_view x_forwarded_for, std::string_view forwarded);

// Whether the Accept header asks for JSON rather than HTML.
bool wants_json(std::string_view accept);

} // namespace supportdrop::http
