#include "proxy/request_preparation.h"

#include <gtest/gtest.h>

namespace sy::proxy {
namespace {

policy::HeaderOps ops(std::vector<std::pair<std::string, std::string>> set,
                      std::vector<std::pair<std::string, std::string>> add = {}, std::vector<std::string> remove = {}) {
  return policy::HeaderOps{std::move(set), std::move(add), std::move(remove)};
}

snapshot::RouteAction action_with(std::string rewrite_authority, policy::HeaderOps request_ops) {
  snapshot::RouteAction a;
  config::HTTPRewrite rw;
  rw.authority = std::move(rewrite_authority);
  a.rewrite = route::PathRewrite::compile(rw, route::RequestMatch::match_all());
  a.headers.request = std::move(request_ops);
  return a;
}

http::RequestHead request(std::string_view authority) {
  http::RequestHead head;
  head.method = http::Method::Get;
  head.path = "/";
  head.scheme = "http";
  head.authority = head.headers.intern(authority);
  return head;
}

// Scenario: the Host sent upstream when the route and its destination both try to set it — the
// route level wins, as pilot builds it (rewrite.authority or headers.request.set host alike).
TEST(RequestPreparation, AuthorityPrecedence) {
  struct Case {
    const char* name;
    std::string rewrite;
    policy::HeaderOps route_ops;
    policy::HeaderOps destination_ops;
    const char* want;
  } cases[] = {
      {"nothing set keeps the client's", "", {}, {}, "client.example"},
      {"destination set host", "", {}, ops({{"host", "dest.example"}}), "dest.example"},
      {"route rewrite beats destination", "route.example", {}, ops({{"host", "dest.example"}}), "route.example"},
      {"route set host beats destination", "", ops({{"host", "route.example"}}), ops({{"host", "dest.example"}}),
       "route.example"},
      {"route :authority beats destination", "", ops({{":authority", "route.example"}}),
       ops({{":authority", "dest.example"}}), "route.example"},
      {"route rewrite alone", "route.example", {}, {}, "route.example"},
      {"add host rewrites too", "", {}, ops({}, {{"host", "dest.example"}}), "dest.example"},
      {"set host beats add host", "", ops({{"host", "set.example"}}, {{"host", "add.example"}}), {}, "set.example"},
  };
  for (auto& c : cases) {
    snapshot::RouteAction action = action_with(c.rewrite, c.route_ops);
    snapshot::RouteDestination destination;
    destination.headers.request = c.destination_ops;
    http::RequestHead head = request("client.example");
    Random rng(1);
    prepare_upstream_request(head, action, destination, "10.0.0.1", rng, true);
    EXPECT_EQ(head.authority, c.want) << c.name;
    EXPECT_FALSE(head.headers.contains("host")) << c.name;
  }
}

// Scenario: header operations as pilot hands them to Envoy. One destination: a single list, every
// remove first, then the route's set/add, then the destination's (the destination wins on set).
// Several destinations: the destination's (weighted cluster) before the route's (the route wins).
TEST(RequestPreparation, HeaderOperationOrder) {
  struct Case {
    const char* name;
    size_t destinations;
    policy::HeaderOps route_ops;
    policy::HeaderOps destination_ops;
    const char* header;
    std::optional<std::string> want;
  } cases[] = {
      {"one destination: its set wins", 1, ops({{"x-v", "route"}}), ops({{"x-v", "dest"}}), "x-v", "dest"},
      {"weighted: the route's set wins", 2, ops({{"x-v", "route"}}), ops({{"x-v", "dest"}}), "x-v", "route"},
      {"remove then set keeps the set value", 1, ops({{"x-v", "new"}}, {}, {"x-v"}), {}, "x-v", "new"},
      {"remove then add keeps the added value", 1, ops({}, {{"x-a", "1"}}, {"x-a"}), {}, "x-a", "1"},
      {"one destination: a route remove runs before its set", 1, ops({}, {}, {"x-d"}), ops({{"x-d", "dest"}}), "x-d",
       "dest"},
      {"weighted: the route's remove drops the destination's set", 2, ops({}, {}, {"x-d"}), ops({{"x-d", "dest"}}),
       "x-d", std::nullopt},
      {"client value removed", 1, ops({}, {}, {"x-client"}), {}, "x-client", std::nullopt},
  };
  for (auto& c : cases) {
    snapshot::RouteAction action = action_with("", c.route_ops);
    action.destinations.resize(c.destinations);
    snapshot::RouteDestination destination;
    destination.headers.request = c.destination_ops;
    http::RequestHead head = request("client.example");
    head.headers.add("x-client", "1");
    Random rng(1);
    prepare_upstream_request(head, action, destination, "10.0.0.1", rng, true);
    auto got = head.headers.get(c.header);
    if (c.want) {
      ASSERT_TRUE(got.has_value()) << c.name;
      EXPECT_EQ(*got, *c.want) << c.name;
    } else {
      EXPECT_FALSE(got.has_value()) << c.name;
    }
  }
}

// Scenario: X-Forwarded-For gains the peer at the edge (use_remote_address) and is left alone on
// the mesh listener, like a sidecar's outbound path.
TEST(RequestPreparation, ForwardedForOnlyAtTheEdge) {
  struct Case {
    const char* name;
    bool edge;
    const char* client_xff;
    std::optional<std::string> want;
  } cases[] = {
      {"edge, no XFF", true, nullptr, "10.0.0.1"},
      {"edge, appended", true, "192.0.2.7", "192.0.2.7, 10.0.0.1"},
      {"mesh, no XFF added", false, nullptr, std::nullopt},
      {"mesh, client's kept", false, "192.0.2.7", "192.0.2.7"},
  };
  for (auto& c : cases) {
    snapshot::RouteAction action = action_with("", {});
    snapshot::RouteDestination destination;
    http::RequestHead head = request("client.example");
    if (c.client_xff) head.headers.add("x-forwarded-for", c.client_xff);
    Random rng(1);
    prepare_upstream_request(head, action, destination, "10.0.0.1", rng, c.edge);
    auto got = head.headers.get("x-forwarded-for");
    if (c.want) {
      ASSERT_TRUE(got.has_value()) << c.name;
      EXPECT_EQ(*got, *c.want) << c.name;
    } else {
      EXPECT_FALSE(got.has_value()) << c.name;
    }
  }
}

}  // namespace
}  // namespace sy::proxy
