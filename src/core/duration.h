// Go-style duration strings ("1h2m", "0.5s", "250ms"), the format Istio's YAML uses.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace sy {

// Nanosecond resolution so validation can tell "1.5ms" (rejected by Istio) from "2ms".
using Duration = std::chrono::nanoseconds;

// Parses a Go time.ParseDuration string. Returns nullopt and sets `error` on failure.
std::optional<Duration> parse_duration(std::string_view text, std::string* error = nullptr);

// Formats the way Istio echoes durations back ("3m", "1.5s", "250ms").
std::string format_duration(Duration d);

}  // namespace sy
