#include "snapshot/delegate_merge.h"

#include <gtest/gtest.h>

namespace sy::snapshot {
namespace {

using config::HTTPMatchRequest;
using config::StringMatch;
using K = StringMatch::Kind;

StringMatch exact(std::string v) { return {K::kExact, std::move(v)}; }
StringMatch prefix(std::string v) { return {K::kPrefix, std::move(v)}; }
StringMatch regex(std::string v) { return {K::kRegex, std::move(v)}; }
StringMatch present() { return {K::kPresent, ""}; }

HTTPMatchRequest uri(StringMatch m) {
  HTTPMatchRequest r;
  r.uri = std::move(m);
  return r;
}

template <class F>
HTTPMatchRequest with(HTTPMatchRequest m, F f) {
  f(m);
  return m;
}

struct ConflictCase {
  const char* name;
  HTTPMatchRequest root, leaf;
  bool conflict;
};

TEST(DelegateMerge, MatchConflicts) {
  const std::vector<ConflictCase> cases = {
      {"prefix within root prefix", uri(prefix("/productpage")), uri(prefix("/productpage/v1")), false},
      {"same prefix", uri(prefix("/a")), uri(prefix("/a")), false},
      {"prefix outside root prefix", uri(prefix("/productpage")), uri(prefix("/other")), true},
      {"shorter prefix than root", uri(prefix("/a/b")), uri(prefix("/a")), true},
      {"exact within root prefix", uri(prefix("/a")), uri(exact("/a/x")), false},
      {"exact outside root prefix", uri(prefix("/a")), uri(exact("/b")), true},
      {"root exact, leaf same exact", uri(exact("/a")), uri(exact("/a")), false},
      {"root exact, leaf other exact", uri(exact("/a")), uri(exact("/b")), true},
      {"root exact, leaf prefix", uri(exact("/a")), uri(prefix("/a")), true},
      {"root regex, leaf prefix", uri(regex("/a.*")), uri(prefix("/a")), true},
      {"root prefix, leaf regex", uri(prefix("/a")), uri(regex("/a.*")), true},
      {"both regex, even equal", uri(regex("/a")), uri(regex("/a")), true},
      {"root sets uri, leaf does not", uri(prefix("/a")), HTTPMatchRequest{}, false},
      {"leaf sets uri, root does not", HTTPMatchRequest{}, uri(prefix("/z")), false},
      {"root regex, leaf leaves uri open", uri(regex("/a.*")), HTTPMatchRequest{}, false},
      {"presence on both sides", uri(present()), uri(present()), true},
      {"method exact equal", with({}, [](auto& m) { m.method = exact("GET"); }),
       with({}, [](auto& m) { m.method = exact("GET"); }), false},
      {"method exact differs", with({}, [](auto& m) { m.method = exact("GET"); }),
       with({}, [](auto& m) { m.method = exact("POST"); }), true},
      {"header only in leaf", uri(prefix("/a")),
       with(uri(prefix("/a/b")), [](auto& m) { m.headers["x"] = exact("1"); }), false},
      {"header differs", with({}, [](auto& m) { m.headers["x"] = exact("1"); }),
       with({}, [](auto& m) { m.headers["x"] = exact("2"); }), true},
      {"withoutHeaders compared with root withoutHeaders",
       with({}, [](auto& m) { m.without_headers["x"] = prefix("a"); }),
       with({}, [](auto& m) { m.without_headers["x"] = prefix("b"); }), true},
      {"leaf withoutHeaders vs root headers of the same key are independent",
       with({}, [](auto& m) { m.headers["x"] = exact("a"); }),
       with({}, [](auto& m) { m.without_headers["x"] = exact("b"); }), false},
      {"query param within prefix", with({}, [](auto& m) { m.query_params["q"] = prefix("ab"); }),
       with({}, [](auto& m) { m.query_params["q"] = exact("abc"); }), false},
      {"ignoreUriCase differs", uri(prefix("/a")), with(uri(prefix("/a")), [](auto& m) { m.ignore_uri_case = true; }),
       true},
      {"ports differ", with({}, [](auto& m) { m.port = 80u; }), with({}, [](auto& m) { m.port = 8080u; }), true},
      {"port only in root", with({}, [](auto& m) { m.port = 80u; }), HTTPMatchRequest{}, false},
      {"root sourceNamespace not repeated", with({}, [](auto& m) { m.source_namespace = "a"; }), HTTPMatchRequest{},
       true},
      {"sourceLabels value differs", with({}, [](auto& m) { m.source_labels["app"] = "x"; }),
       with({}, [](auto& m) { m.source_labels["app"] = "y"; }), true},
      {"sourceLabels extra key", with({}, [](auto& m) { m.source_labels["app"] = "x"; }),
       with({}, [](auto& m) { m.source_labels["v"] = "1"; }), false},
      {"gateways subset",
       with({},
            [](auto& m) {
              m.gateways = {"ns/a", "ns/b"};
            }),
       with({}, [](auto& m) { m.gateways = {"ns/b"}; }), false},
      {"gateways not in root", with({}, [](auto& m) { m.gateways = {"ns/a"}; }),
       with({}, [](auto& m) { m.gateways = {"ns/c"}; }), true},
  };
  for (const auto& c : cases) EXPECT_EQ(match_conflicts(c.root, c.leaf), c.conflict) << c.name;
}

TEST(DelegateMerge, MergeMatchAndsFieldsDelegateWins) {
  HTTPMatchRequest root = uri(prefix("/productpage"));
  root.name = "pp";
  root.method = exact("GET");
  root.headers = {{"a", exact("1")}, {"b", exact("root")}};
  root.port = 80;
  root.gateways = {"ns/gw"};
  root.stat_prefix = "root-stats";
  HTTPMatchRequest leaf = uri(prefix("/productpage/v1"));
  leaf.name = "v1";
  leaf.headers = {{"b", exact("leaf")}, {"c", present()}};
  leaf.query_params = {{"q", exact("x")}};

  HTTPMatchRequest m = merge_match(root, leaf);
  EXPECT_EQ(m.name, "pp-v1");
  EXPECT_EQ(m.uri->value, "/productpage/v1");
  EXPECT_EQ(m.method->value, "GET");
  ASSERT_EQ(m.headers.size(), 3u);
  EXPECT_EQ(m.headers.at("a").value, "1");
  EXPECT_EQ(m.headers.at("b").value, "leaf");
  EXPECT_EQ(m.headers.at("c").kind, K::kPresent);
  EXPECT_EQ(m.query_params.size(), 1u);
  EXPECT_EQ(m.port, 80u);
  EXPECT_EQ(m.gateways, std::vector<std::string>{"ns/gw"});
  EXPECT_EQ(m.stat_prefix, "root-stats");

  root.name.clear();
  EXPECT_EQ(merge_match(root, leaf).name, "v1");
  leaf.name.clear();
  root.name = "pp";
  EXPECT_EQ(merge_match(root, leaf).name, "pp");
}

struct MatchesCase {
  const char* name;
  std::vector<HTTPMatchRequest> root, leaf;
  std::optional<std::vector<std::string>> uris;  // nullopt: conflict (rule dropped)
};

std::vector<std::string> uris_of(const std::vector<HTTPMatchRequest>& ms) {
  std::vector<std::string> out;
  for (const auto& m : ms) out.push_back(m.uri ? m.uri->value : "-");
  return out;
}

TEST(DelegateMerge, MergeMatchesCrossesBlocks) {
  using V = std::vector<std::string>;
  const std::vector<MatchesCase> cases = {
      {"root without match keeps the delegate's", {}, {uri(prefix("/x"))}, V{"/x"}},
      {"delegate without match takes the root's", {uri(prefix("/a")), uri(prefix("/b"))}, {}, V{"/a", "/b"}},
      {"each leaf block with each root block it fits",
       {uri(prefix("/a")), uri(prefix("/a/b"))},
       {uri(prefix("/a/b/c")), uri(prefix("/a/z"))},
       V{"/a/b/c", "/a/b/c", "/a/z"}},
      {"a leaf block fitting no root block drops the rule",
       {uri(prefix("/productpage"))},
       {uri(prefix("/productpage/v1")), uri(prefix("/other"))},
       std::nullopt},
      {"leaf without uri inherits each root uri",
       {uri(prefix("/a")), uri(exact("/b"))},
       {with({}, [](auto& m) { m.method = exact("GET"); })},
       V{"/a", "/b"}},
  };
  for (const auto& c : cases) {
    auto got = merge_matches(c.root, c.leaf);
    ASSERT_EQ(got.has_value(), c.uris.has_value()) << c.name;
    if (got) {
      EXPECT_EQ(uris_of(*got), *c.uris) << c.name;
    }
  }
}

TEST(DelegateMerge, MergeRouteInheritsUnsetFields) {
  config::HTTPRoute root;
  root.name = "root";
  root.match = {uri(prefix("/productpage"))};
  root.delegate = config::Delegate{"d", "ns"};
  root.timeout = Duration(std::chrono::seconds(3));
  root.retries = config::HTTPRetry{};
  root.retries->attempts = 5;
  root.rewrite = config::HTTPRewrite{};
  root.rewrite->uri = "/root";
  root.fault = config::HTTPFaultInjection{};
  root.mirror = config::Destination{"shadow.ns.svc.cluster.local", "", std::nullopt};
  root.mirror_percentage = config::Percent{10};
  root.cors_policy = config::CorsPolicy{};
  root.headers = config::Headers{};
  root.mirrors.push_back({{"m.ns.svc.cluster.local", "", std::nullopt}, std::nullopt});

  config::HTTPRoute leaf;
  leaf.name = "v1";
  leaf.match = {uri(prefix("/productpage/v1"))};
  leaf.route.push_back({{"v1.ns.svc.cluster.local", "", std::nullopt}, std::nullopt, std::nullopt});
  leaf.timeout = Duration(std::chrono::seconds(1));

  auto merged = merge_route(root, leaf);
  ASSERT_TRUE(merged);
  EXPECT_EQ(merged->name, "root-v1");
  EXPECT_FALSE(merged->delegate);
  EXPECT_EQ(merged->match.size(), 1u);
  EXPECT_EQ(merged->route.size(), 1u);
  EXPECT_EQ(*merged->timeout, Duration(std::chrono::seconds(1)));  // set by the delegate: kept
  ASSERT_TRUE(merged->retries);
  EXPECT_EQ(merged->retries->attempts, 5);
  ASSERT_TRUE(merged->rewrite);
  EXPECT_EQ(merged->rewrite->uri, "/root");
  EXPECT_TRUE(merged->fault);
  ASSERT_TRUE(merged->mirror);
  EXPECT_EQ(merged->mirror->host, "shadow.ns.svc.cluster.local");
  EXPECT_EQ(merged->mirror_percentage->value, 10);
  EXPECT_TRUE(merged->cors_policy);
  EXPECT_TRUE(merged->headers);
  EXPECT_EQ(merged->mirrors.size(), 1u);

  leaf.match = {uri(prefix("/other"))};
  EXPECT_FALSE(merge_route(root, leaf)) << "a conflicting delegate rule is dropped";
}

TEST(DelegateMerge, QualifyReferencesUsesTheOwnNamespace) {
  config::HTTPRoute r;
  r.route.push_back({{"reviews", "v1", std::nullopt}, std::nullopt, std::nullopt});
  r.route.push_back({{"ratings.other.svc.cluster.local", "", std::nullopt}, std::nullopt, std::nullopt});
  r.mirror = config::Destination{"shadow", "", std::nullopt};
  r.match = {with({}, [](auto& m) { m.gateways = {"gw", "mesh", "edge/gw2"}; })};
  qualify_references(r, "bookinfo");
  EXPECT_EQ(r.route[0].destination.host, "reviews.bookinfo.svc.cluster.local");
  EXPECT_EQ(r.route[0].destination.subset, "v1");
  EXPECT_EQ(r.route[1].destination.host, "ratings.other.svc.cluster.local");
  EXPECT_EQ(r.mirror->host, "shadow.bookinfo.svc.cluster.local");
  EXPECT_EQ(r.match[0].gateways, (std::vector<std::string>{"bookinfo/gw", "mesh", "edge/gw2"}));
}

}  // namespace
}  // namespace sy::snapshot
