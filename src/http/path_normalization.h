// Request path normalization before routing, as Istio's meshConfig.pathNormalization does it
// (docs/hardening.md has the table). Without it, `prefix: /admin` -> 403 plus a catch-all route
// lets `/public/../admin/users` through to an application that resolves the dots itself.
// The normalized path is both what routes match and what the upstream receives. Pure; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sy::http {

enum class PathNormalization {
  kNone,                   // forwarded as received (only %00 is still refused)
  kBase,                   // Istio's default, Envoy's normalize_path: RFC 3986 section 6.2.2
  kMergeSlashes,           // BASE, then runs of '/' become one
  kDecodeAndMergeSlashes,  // %2F and %5C decoded first, then MERGE_SLASHES
};

// "none" | "base" | "merge-slashes" | "decode-and-merge-slashes" (also Istio's upper-case names).
std::optional<PathNormalization> parse_path_normalization(std::string_view name);

enum class PathVerdict {
  kUnchanged,  // `out` untouched: the path is already normal (the common case, no allocation)
  kChanged,    // `out` holds the normalized path (query kept as received)
  kReject,     // 400: %00 in the path, or a path that does not start with '/'
};

// Normalizes the path part of an origin-form `path_and_query` (the query is never touched):
// percent-encoded unreserved characters decoded (%41 -> A, %2e -> .), '\' turned into '/', dot
// segments removed; other escapes, %2F included, stay encoded unless the mode decodes them.
PathVerdict normalize_path(std::string_view path_and_query, PathNormalization mode, std::string& out);

}  // namespace sy::http
