#include "http/path_normalization.h"

#include <gtest/gtest.h>

namespace sy::http {
namespace {

constexpr auto kNone = PathNormalization::kNone;
constexpr auto kBase = PathNormalization::kBase;
constexpr auto kMerge = PathNormalization::kMergeSlashes;
constexpr auto kDecode = PathNormalization::kDecodeAndMergeSlashes;

// Scenario: each mode turns a request path into what routes match and the upstream receives.
TEST(PathNormalization, Table) {
  struct Case {
    PathNormalization mode;
    std::string in;
    PathVerdict verdict;
    std::string out;  // for kChanged
  };
  const Case cases[] = {
      // Already normal: untouched.
      {kBase, "/", PathVerdict::kUnchanged, ""},
      {kBase, "/api/v1/items?x=../y", PathVerdict::kUnchanged, ""},
      {kBase, "/a.b/c..d/.e", PathVerdict::kUnchanged, ""},
      // Dot segments (RFC 3986 5.2.4).
      {kBase, "/public/../admin/users", PathVerdict::kChanged, "/admin/users"},
      {kBase, "/a/./b", PathVerdict::kChanged, "/a/b"},
      {kBase, "/a/b/..", PathVerdict::kChanged, "/a/"},
      {kBase, "/a/.", PathVerdict::kChanged, "/a/"},
      {kBase, "/../../etc/passwd", PathVerdict::kChanged, "/etc/passwd"},
      {kBase, "/..", PathVerdict::kChanged, "/"},
      {kBase, "/a/..?q=/../", PathVerdict::kChanged, "/?q=/../"},
      // Encoded unreserved characters are decoded, so encoded dots are dot segments too.
      {kBase, "/public/%2e%2e/admin", PathVerdict::kChanged, "/admin"},
      {kBase, "/public/%2E%2E/admin", PathVerdict::kChanged, "/admin"},
      {kBase, "/%61dmin", PathVerdict::kChanged, "/admin"},
      {kBase, "/a%2db%5fc%7e", PathVerdict::kChanged, "/a-b_c~"},
      // Reserved and other escapes stay encoded; %2F is not a separator in BASE.
      {kBase, "/a%2Fb", PathVerdict::kUnchanged, ""},
      {kBase, "/a%2f..%2fb", PathVerdict::kUnchanged, ""},  // ".." inside one segment is no dot segment
      {kBase, "/a%20b", PathVerdict::kUnchanged, ""},
      {kBase, "/a%zz", PathVerdict::kUnchanged, ""},
      {kBase, "/a%", PathVerdict::kUnchanged, ""},
      // Backslashes are separators.
      {kBase, "/a\\..\\admin", PathVerdict::kChanged, "/admin"},
      {kBase, "/a\\b", PathVerdict::kChanged, "/a/b"},
      // Slashes merged only in the MERGE modes.
      {kBase, "/a//b", PathVerdict::kUnchanged, ""},
      {kMerge, "/a//b", PathVerdict::kChanged, "/a/b"},
      {kMerge, "//a///b//", PathVerdict::kChanged, "/a/b/"},
      {kMerge, "/a/..//b", PathVerdict::kChanged, "/b"},
      {kMerge, "/a%2F%2Fb", PathVerdict::kUnchanged, ""},
      // DECODE_AND_MERGE_SLASHES: %2F and %5C decoded, then merged and normalized.
      {kDecode, "/a%2fb", PathVerdict::kChanged, "/a/b"},
      {kDecode, "/a%2F%2Fb", PathVerdict::kChanged, "/a/b"},
      {kDecode, "/public%2f..%2fadmin", PathVerdict::kChanged, "/admin"},
      {kDecode, "/a%5cb", PathVerdict::kChanged, "/a/b"},
      // %00 is refused in every mode; so is a path that is not absolute.
      {kBase, "/a%00b", PathVerdict::kReject, ""},
      {kNone, "/a%00", PathVerdict::kReject, ""},
      {kDecode, "/%00", PathVerdict::kReject, ""},
      {kBase, "a/b", PathVerdict::kReject, ""},
      // NONE forwards as received.
      {kNone, "/public/../admin", PathVerdict::kUnchanged, ""},
      // A query keeps its bytes, %00 there included (it is not part of the path).
      {kBase, "/a/../b?x=%00", PathVerdict::kChanged, "/b?x=%00"},
  };
  for (const Case& c : cases) {
    std::string out = "untouched";
    const PathVerdict v = normalize_path(c.in, c.mode, out);
    EXPECT_EQ(v, c.verdict) << c.in;
    const std::string want = c.verdict == PathVerdict::kChanged ? c.out : "untouched";
    EXPECT_EQ(out, want) << c.in;
  }
}

// Scenario: the CLI and Istio spellings of each mode are understood; anything else is not.
TEST(PathNormalization, Names) {
  EXPECT_EQ(parse_path_normalization("none"), kNone);
  EXPECT_EQ(parse_path_normalization("BASE"), kBase);
  EXPECT_EQ(parse_path_normalization("merge-slashes"), kMerge);
  EXPECT_EQ(parse_path_normalization("MERGE_SLASHES"), kMerge);
  EXPECT_EQ(parse_path_normalization("decode-and-merge-slashes"), kDecode);
  EXPECT_EQ(parse_path_normalization("DECODE_AND_MERGE_SLASHES"), kDecode);
  EXPECT_FALSE(parse_path_normalization("default"));
}

}  // namespace
}  // namespace sy::http
