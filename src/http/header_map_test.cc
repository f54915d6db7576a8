#include "http/header_map.h"

#include <gtest/gtest.h>

#include <string>

#include "http/hop_by_hop.h"

namespace sy::http {
namespace {

std::string dump(const HeaderMap& m) {
  std::string s;
  for (const auto& e : m) s.append(e.name).append("=").append(e.value).append(";");
  return s;
}

// Scenario: lookups ignore case; repeated fields are all visible in order.
TEST(HeaderMap, CaseInsensitiveLookupAndValues) {
  HeaderMap m;
  m.add("Accept", "a");
  m.add("X-Id", "1");
  m.add("ACCEPT", "b");
  EXPECT_EQ(m.get("accept"), "a");
  EXPECT_EQ(m.get("x-ID"), "1");
  EXPECT_FALSE(m.get("missing").has_value());
  EXPECT_EQ(m.count("accept"), 2u);
  std::string all;
  for (auto v : m.values("Accept")) all += v;
  EXPECT_EQ(all, "ab");
  EXPECT_TRUE(iequals("Content-Length", "content-length"));
  EXPECT_FALSE(iequals("content-lengtx", "content-length"));
  EXPECT_FALSE(iequals("a", "ab"));
}

// Scenario: set replaces the first occurrence in place and removes the others; remove keeps order.
TEST(HeaderMap, SetAndRemove) {
  HeaderMap m;
  m.add("a", "1");
  m.add("b", "2");
  m.add("A", "3");
  m.add("c", "4");
  m.set("a", "x");
  EXPECT_EQ(dump(m), "a=x;b=2;c=4;");
  m.set("d", "5");
  EXPECT_EQ(dump(m), "a=x;b=2;c=4;d=5;");
  EXPECT_EQ(m.remove("B"), 1u);
  EXPECT_EQ(m.remove("nothing"), 0u);
  EXPECT_EQ(dump(m), "a=x;c=4;d=5;");
}

// Scenario: a map that already holds 300 fields still takes the proxy's own additions (the peer's
// field count is the codec's limit), and keeps every earlier entry in order.
TEST(HeaderMap, GrowsForProxyAdditions) {
  HeaderMap m;
  for (std::size_t i = 0; i < 300; ++i) m.add("x", std::to_string(i));
  m.add("x-request-id", "id");
  m.set("x-forwarded-for", "1.2.3.4");
  EXPECT_EQ(m.size(), 302u);
  EXPECT_EQ(m.get("x"), "0");
  EXPECT_EQ(m.get("x-request-id"), "id");
  EXPECT_EQ(m.get("x-forwarded-for"), "1.2.3.4");
  EXPECT_EQ(m[299].value, "299");
  HeaderMap copy = m;
  EXPECT_EQ(copy.size(), 302u);
  EXPECT_EQ(copy[150].value, "150");
}

// Scenario: edits copy their bytes, so the caller's strings may die; the arena grows past a chunk.
TEST(HeaderMap, ArenaOwnsEdits) {
  HeaderMap m;
  {
    std::string name = "x-long";
    std::string value(2000, 'v');
    m.add(name, value);
    name.assign("zzzzzz");
    value.assign(2000, 'z');
  }
  for (int i = 0; i < 50; ++i) m.add("k" + std::to_string(i), std::string(100, 'a' + i % 26));
  EXPECT_EQ(m.get("x-long"), std::string(2000, 'v'));
  EXPECT_EQ(m.get("k49"), std::string(100, 'a' + 49 % 26));
}

// Scenario: borrowed entries become owned by own_block; copies and moves keep valid views.
TEST(HeaderMap, OwnBlockCopyAndMove) {
  std::string raw = "Host: h\r\nX-A: 1\r\n";
  HeaderMap m;
  m.add_borrowed(std::string_view(raw).substr(0, 4), std::string_view(raw).substr(6, 1));
  m.add_borrowed(std::string_view(raw).substr(9, 3), std::string_view(raw).substr(14, 1));
  const std::string_view copy = m.own_block(raw);
  raw.assign(raw.size(), '#');
  EXPECT_EQ(dump(m), "Host=h;X-A=1;");
  EXPECT_EQ(m.begin()->name.data(), copy.data());
  m.add("X-B", "2");
  HeaderMap c = m;
  HeaderMap moved = std::move(m);
  EXPECT_EQ(dump(c), "Host=h;X-A=1;X-B=2;");
  EXPECT_EQ(dump(moved), "Host=h;X-A=1;X-B=2;");
  EXPECT_NE(c.begin()->name.data(), moved.begin()->name.data());
  moved.clear();
  EXPECT_TRUE(moved.empty());
  EXPECT_EQ(dump(c), "Host=h;X-A=1;X-B=2;");
}

// Scenario: hop-by-hop removal takes the fixed list and every name Connection lists.
TEST(HeaderMap, RemoveHopByHop) {
  HeaderMap m;
  m.add("Connection", "close, X-Internal");
  m.add("X-Internal", "1");
  m.add("Keep-Alive", "timeout=5");
  m.add("Transfer-Encoding", "chunked");
  m.add("TE", "trailers");
  m.add("Trailer", "X-T");
  m.add("Proxy-Connection", "keep-alive");
  m.add("Upgrade", "websocket");
  m.add("Accept", "*/*");
  HeaderMap tunnel = m;
  EXPECT_EQ(remove_hop_by_hop(m), 8u);
  EXPECT_EQ(dump(m), "Accept=*/*;");
  remove_hop_by_hop(tunnel, /*keep_upgrade=*/true);
  EXPECT_EQ(dump(tunnel), "Upgrade=websocket;Accept=*/*;");
}

}  // namespace
}  // namespace sy::http
