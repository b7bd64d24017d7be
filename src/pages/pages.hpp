#pragma once
// The customer pages, rendered from the templates in web/templates, in German or English.

#include "pages/language.hpp"
#include "pages/messages.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace supportdrop::pages {

// The content of an embedded file of web/templates or web/static by file name; empty if none.
std::string_view asset(std::string_view name);

// Where a page is shown: its language and path (for the language switch).
struct PageFrame {
    Language language = Language::de;
    std::string path = "/";
};

// Who holds the keys that open a sealed upload. In the demo (no recipients configured) the
// identity lies on this server, and the pages must not promise that it cannot read uploads.
enum class SealingKeys { staff_only, demo_identity_on_server };

struct ServiceFacts {
    std::uint64_t max_upload_bytes = 0;
    unsigned retention_days = 0;
    std::size_t recipient_count = 0;
    std::string controller;
    std::string contact;
    SealingKeys sealing_keys = SealingKeys::staff_only;
};

// What the inspection found, as the receipt shows it.
struct ReceiptFindings {
    std::size_t entries = 0;
    bool readme_found = false;
    bool contact_found = false;
    bool encrypted = false;
};

struct ReceiptView {
    std::string reference;
    std::string archive_type; // "zip", ...
    std::uint64_t size = 0;
    std::string sha256;
    std::chrono::system_clock::time_point received_at;
    std::optional<ReceiptFindings> findings; // only right after the upload
    std::vector<std::string> warnings;       // reason codes: "reason.<code>.*" messages
    MessageParameters reason_parameters;     // the limits those messages name
    std::string receipt_url;                 // absolute; empty to leave it out
};

std::string upload_page(const PageFrame& frame, const ServiceFacts& facts, std::string_view csrf_token);
std::string receipt_page(const PageFrame& frame, const ReceiptView& receipt);
std::string privacy_page(const PageFrame& frame, const ServiceFacts& facts);

// An error page for a public error code ("too_large", ...); `parameters` fill its message.
// `reasons` (reason codes) are listed each with its message and what to do.
std::string error_page(const PageFrame& frame, std::string_view public_code, const MessageParameters& parameters,
                       const std::vector<std::string>& reasons = {});

// Megabytes as customers' file managers show them (Windows Explorer: 2^20 bytes, labelled "MB"),
// to a tenth, without needless decimals: 52428800 -> "50", 1500000 -> "1.4"/"1,4".
std::string format_megabytes(Language language, std::uint64_t bytes);

} // namespace supportdrop::pages
