#include "config/model/path_lines.h"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>

namespace sy::config {
namespace {

// Scenario: lines recorded in any order are found by path; the first line of a path stays; an
// unknown path is absent (and at() throws, as map::at does).
TEST(PathLines, RecordsAndFinds) {
  struct Case {
    std::string path;
    std::optional<int> line;
  };
  PathLines lines;
  lines.record("spec.http[1]", 20);
  lines.record("metadata.name", 4);
  lines.record("spec.http[0]", 10);
  lines.record("spec.http[1]", 99);  // a second record of a path does not move it
  const Case cases[] = {
      {"spec.http[1]", 20}, {"metadata.name", 4}, {"spec.http[0]", 10}, {"spec.http[2]", std::nullopt}, {"", std::nullopt},
  };
  for (const Case& c : cases) EXPECT_EQ(lines.find(c.path), c.line) << c.path;
  EXPECT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines.at("metadata.name"), 4);
  EXPECT_THROW(lines.at("spec.hosts[0]"), std::out_of_range);
}

// Scenario: the objects of one file share one table of path names; each keeps its own lines.
TEST(PathLines, ObjectsOfOneFileShareTheirPathNames) {
  auto names = std::make_shared<PathNames>();
  PathLines a(names), b(names);
  a.record("metadata.name", 4);
  a.record("spec.hosts[0]", 7);
  b.record("spec.hosts[0]", 27);
  b.record("metadata.name", 24);
  b.record("spec.gateways[0]", 29);
  EXPECT_EQ(names->size(), 3u);
  EXPECT_EQ(a.find("spec.hosts[0]"), 7);
  EXPECT_EQ(b.find("spec.hosts[0]"), 27);
  EXPECT_EQ(a.find("spec.gateways[0]"), std::nullopt);  // named in the table, not recorded for a
  EXPECT_EQ(b.find("spec.gateways[0]"), 29);
}

// Scenario: for_each visits every recorded path with its line.
TEST(PathLines, VisitsEveryPath) {
  PathLines lines;
  lines.record("b", 2);
  lines.record("a", 1);
  lines.record("c", 3);
  std::map<std::string, int> seen;
  lines.for_each([&](std::string_view path, int line) { seen.emplace(path, line); });
  EXPECT_EQ(seen, (std::map<std::string, int>{{"a", 1}, {"b", 2}, {"c", 3}}));
}

// Scenario: a copy keeps its lines when the original changes, and an empty one finds nothing.
TEST(PathLines, CopiesAreIndependent) {
  PathLines empty;
  EXPECT_EQ(empty.find("metadata.name"), std::nullopt);
  PathLines a;
  a.record("metadata.name", 4);
  PathLines b = a;
  a.record("spec.hosts[0]", 7);
  EXPECT_EQ(b.find("metadata.name"), 4);
  EXPECT_EQ(b.find("spec.hosts[0]"), std::nullopt);
  EXPECT_EQ(b.size(), 1u);
}

}  // namespace
}  // namespace sy::config
