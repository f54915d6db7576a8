#include "http/path_normalization.h"

#include <vector>

#include "http/header_map.h"

namespace sy::http {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 3986 section 2.3.
bool unreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

// Whether the path needs any work: cheap scan so normal paths cost nothing else.
bool needs_work(std::string_view path, PathNormalization mode) {
  const bool merge = mode == PathNormalization::kMergeSlashes || mode == PathNormalization::kDecodeAndMergeSlashes;
  for (size_t i = 0; i < path.size(); ++i) {
    const char c = path[i];
    if (c == '%' || c == '\\') return true;
    if (c == '.' && (i == 0 || path[i - 1] == '/')) return true;  // a possible dot segment
    if (merge && c == '/' && i + 1 < path.size() && path[i + 1] == '/') return true;
  }
  return false;
}

// Decodes the escapes the mode decodes; every other escape is kept as received.
std::string decode_escapes(std::string_view path, PathNormalization mode) {
  const bool slashes = mode == PathNormalization::kDecodeAndMergeSlashes;
  std::string out;
  out.reserve(path.size());
  for (size_t i = 0; i < path.size(); ++i) {
    const char c = path[i];
    if (c == '%' && i + 2 < path.size() && hex_value(path[i + 1]) >= 0 && hex_value(path[i + 2]) >= 0) {
      const auto decoded = static_cast<unsigned char>(hex_value(path[i + 1]) * 16 + hex_value(path[i + 2]));
      if (unreserved(decoded) || (slashes && (decoded == '/' || decoded == '\\'))) {
        out += static_cast<char>(decoded);
        i += 2;
        continue;
      }
    }
    out += c;
  }
  return out;
}

// RFC 3986 section 5.2.4 on an absolute path; '\' already turned into '/'.
std::string remove_dot_segments(std::string_view path, bool merge_slashes) {
  std::vector<std::string_view> kept;
  bool trailing_slash = false;
  size_t pos = 1;  // past the leading '/'
  for (;;) {
    const size_t slash = path.find('/', pos);
    const bool last = slash == std::string_view::npos;
    const std::string_view seg = path.substr(pos, last ? std::string_view::npos : slash - pos);
    if (seg == ".") {
      trailing_slash = last;
    } else if (seg == "..") {
      if (!kept.empty()) kept.pop_back();
      trailing_slash = last;
    } else if (!(merge_slashes && seg.empty() && !last)) {
      kept.push_back(seg);
      trailing_slash = false;
    }
    if (last) break;
    pos = slash + 1;
  }
  std::string out = "/";
  for (size_t i = 0; i < kept.size(); ++i) {
    if (i > 0) out += '/';
    out.append(kept[i]);
  }
  if (trailing_slash && !kept.empty()) out += '/';
  return out;
}

bool has_encoded_nul(std::string_view path) {
  for (size_t i = 0; i + 2 < path.size(); ++i)
    if (path[i] == '%' && path[i + 1] == '0' && path[i + 2] == '0') return true;
  return false;
}

}  // namespace

std::optional<PathNormalization> parse_path_normalization(std::string_view name) {
  struct Name {
    std::string_view text;
    PathNormalization mode;
  };
  static constexpr Name kNames[] = {
      {"none", PathNormalization::kNone},
      {"base", PathNormalization::kBase},
      {"merge-slashes", PathNormalization::kMergeSlashes},
      {"merge_slashes", PathNormalization::kMergeSlashes},
      {"decode-and-merge-slashes", PathNormalization::kDecodeAndMergeSlashes},
      {"decode_and_merge_slashes", PathNormalization::kDecodeAndMergeSlashes},
  };
  for (const Name& n : kNames)
    if (iequals(n.text, name)) return n.mode;
  return std::nullopt;
}

PathVerdict normalize_path(std::string_view path_and_query, PathNormalization mode, std::string& out) {
  const size_t q = path_and_query.find('?');
  const std::string_view path = path_and_query.substr(0, q);
  const std::string_view query = q == std::string_view::npos ? std::string_view() : path_and_query.substr(q);
  if (has_encoded_nul(path)) return PathVerdict::kReject;
  if (mode == PathNormalization::kNone) return PathVerdict::kUnchanged;
  if (path.empty() || path.front() != '/') return PathVerdict::kReject;
  if (!needs_work(path, mode)) return PathVerdict::kUnchanged;

  std::string decoded = decode_escapes(path, mode);
  for (char& c : decoded)
    if (c == '\\') c = '/';
  const bool merge = mode != PathNormalization::kBase;
  std::string normal = remove_dot_segments(decoded, merge);
  normal.append(query);
  if (normal == path_and_query) return PathVerdict::kUnchanged;
  out = std::move(normal);
  return PathVerdict::kChanged;
}

}  // namespace sy::http
