// UTF-8 checks for text that came from the network and goes into logs or JSON. Request paths and
// header values are bytes, not text: a client can send any byte >= 0x80, and a JSON encoder that
// meets invalid UTF-8 throws (nlohmann::json does), which inside a request's completion would
// take the process down. Log writers therefore pass every client-controlled field through here.
#pragma once

#include <string>
#include <string_view>

namespace sy {

// True when `s` is well-formed UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF)
// and holds no ASCII control character: such a string can go into a log line as it is.
bool is_clean_utf8(std::string_view s) noexcept;

// Appends `s` to `out` with every byte that is not part of a well-formed UTF-8 sequence, and every
// ASCII control character, written as \xHH. A clean string is appended unchanged.
void append_escaped_utf8(std::string_view s, std::string& out);

// `s` itself when clean, else its escaped form in `scratch` (returned as a view of it).
std::string_view log_safe(std::string_view s, std::string& scratch);

}  // namespace sy
