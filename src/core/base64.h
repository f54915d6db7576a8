// Base64 decoding for proto `bytes` fields written in YAML (HTTPBody.bytes). Pure function.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sy {

// Decodes standard (+/) or URL-safe (-_) base64, padding optional, as protobuf's JSON mapping
// accepts. Returns nullopt on any other character, misplaced padding or a dangling 6-bit group.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace sy
