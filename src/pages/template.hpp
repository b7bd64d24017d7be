#pragma once
// A minimal logic-less template renderer for the server-rendered pages:
//   {{name}}               the value, HTML-escaped
//   {{{name}}}             the value as is (only for HTML this code produced)
//   {{#name}}...{{/name}}  the enclosed text when the value is not empty
//   {{^name}}...{{/name}}  the enclosed text when the value is empty
// A name without a value is an error, so a typo cannot silently render nothing.

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

namespace supportdrop::pages {

using TemplateValues = std::map<std::string, std::string, std::less<>>;

class TemplateError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string escape_html(std::string_view text);

// Throws TemplateError for unknown names or unbalanced sections (a programming error: the
// templates are part of the binary and rendered in tests).
std::string render_template(std::string_view text, const TemplateValues& values);

} // namespace supportdrop::pages
