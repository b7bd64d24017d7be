#pragma once
// Loading key files for the commands, with the one-line error report they share.

#include "age/x25519_keys.hpp"

#include <optional>
#include <string>
#include <vector>

namespace supportdrop::cli {

// Reads and parses an identity file, warning when group or others can access it. On failure
// reports "identity file 'PATH'[, line N]: reason" and returns nothing.
std::optional<std::vector<age::X25519Identity>> load_identity_file(const std::string& path);

// Reads and parses a recipients file. On failure reports "recipients file 'PATH'[, line N]:
// reason" and returns nothing.
std::optional<std::vector<age::X25519Recipient>> load_recipients_file(const std::string& path);

} // namespace supportdrop::cli
