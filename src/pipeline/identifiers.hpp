#pragma once
// Server-minted identifiers (DESIGN.md section 5, property 4): nothing the client sends names a
// file, a row or a URL.

#include "db/metadata_store.hpp"
#include "util/errors.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace supportdrop::pipeline {

// 128 random bits as 32 lower-case hex digits; names the sealed files of an upload.
util::Result<std::string> mint_upload_id();

// "SD-" and 8 Crockford base32 characters in two groups ("SD-7K4M-Q2XP"): 40 random bits a
// person can read out on the phone (no I, L, O or U). Not a secret; unique per upload.
util::Result<std::string> mint_reference();

// "INC-" and 8 characters as above: names one failure in the log, quoted to the customer so
// that staff can find it. Not a secret.
util::Result<std::string> mint_incident_reference();

// `prefix` and 40 random bits in the readable form above.
util::Result<std::string> mint_readable_code(std::string_view prefix);

// 128 random bits as 22 base64url characters: the secret part of a receipt URL.
util::Result<std::string> mint_receipt_token();

// Whether `text` has the exact shape of a receipt token (checked before any lookup).
bool is_receipt_token(std::string_view text);

// What the database stores instead of the token, so that a database leak reveals no receipt URL.
util::Result<db::ReceiptHash> hash_receipt_token(std::string_view token);

} // namespace supportdrop::pipeline
