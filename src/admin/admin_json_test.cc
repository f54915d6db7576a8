#include "admin/admin_json.h"

#include <gtest/gtest.h>

namespace sy::admin {
namespace {

TEST(AdminQuery, DecodesPercentAndPlus) {
  EXPECT_EQ(url_decode("http%3A%2F%2Fa.io%2Fx+y"), "http://a.io/x y");
  EXPECT_EQ(url_decode("100%"), "100%");  // a stray % stays as written
  EXPECT_EQ(url_decode("%zz"), "%zz");
}

TEST(AdminQuery, ExplainParameters) {
  ExplainQuery q;
  std::string error;
  ASSERT_TRUE(parse_explain_query(
      "method=POST&url=http%3A%2F%2Fa.io%2F&header=x-user%3A%20beta&header=b%3A1&gateway=edge/gw", q, error))
      << error;
  EXPECT_EQ(q.method, "POST");
  EXPECT_EQ(q.url, "http://a.io/");
  EXPECT_EQ(q.gateway, "edge/gw");
  EXPECT_FALSE(q.mesh);
  ASSERT_EQ(q.headers.size(), 2u);
  EXPECT_EQ(q.headers[0], std::make_pair(std::string("x-user"), std::string("beta")));
  EXPECT_EQ(q.headers[1], std::make_pair(std::string("b"), std::string("1")));

  ExplainQuery m;
  ASSERT_TRUE(parse_explain_query("url=http%3A%2F%2Fsvc%2F&mesh=1", m, error));
  EXPECT_TRUE(m.mesh);
}

TEST(AdminQuery, RejectsMalformed) {
  ExplainQuery q;
  std::string error;
  EXPECT_FALSE(parse_explain_query("method=GET", q, error));
  EXPECT_EQ(error, "missing url");
  EXPECT_FALSE(parse_explain_query("url=x&header=novalue", q, error));
  EXPECT_NE(error.find("name:value"), std::string::npos);
  EXPECT_FALSE(parse_explain_query("url=x&bogus=1", q, error));
}

TEST(AdminJson, ConfigDumpReportsRejections) {
  server::ReloadStatus st;
  st.version = 3;
  st.content_hash = 0xabc;
  st.reloads_ok = 2;
  st.reloads_failed = 1;
  config::Rejection r;
  r.key = "VirtualService/default/broken";
  r.kept_previous = true;
  st.rejected.push_back(r);
  auto j = config_dump_json(nullptr, st);
  EXPECT_EQ(j["version"], 3);
  EXPECT_EQ(j["content_hash"], "0000000000000abc");
  EXPECT_EQ(j["reloads"]["rejected"], 1);
  ASSERT_EQ(j["last_reload_rejected"].size(), 1u);
  EXPECT_EQ(j["last_reload_rejected"][0]["object"], "VirtualService/default/broken");
  EXPECT_EQ(j["last_reload_rejected"][0]["kept_previous"], true);
}

TEST(AdminJson, ConfigDumpListsListenersThatFailedToOpen) {
  server::ReloadStatus st;
  st.applied = true;
  server::ListenerFailure f{"127.0.0.1:8080", "cannot listen on 127.0.0.1:8080: Address already in use", 3,
                            std::chrono::system_clock::time_point(std::chrono::seconds(1700000000))};
  auto j = config_dump_json(nullptr, st, {f});
  ASSERT_EQ(j["listeners_failed"].size(), 1u);
  EXPECT_EQ(j["listeners_failed"][0]["address"], "127.0.0.1:8080");
  EXPECT_EQ(j["listeners_failed"][0]["attempts"], 3);
  EXPECT_EQ(j["listeners_failed"][0]["since_unix"], 1700000000);
  EXPECT_EQ(j["applied"], true);
  EXPECT_TRUE(config_dump_json(nullptr, st)["listeners_failed"].empty());
}

TEST(AdminJson, ClustersWithoutSharedStateAreHealthy) {
  snapshot::Snapshot s;
  snapshot::Cluster c;
  c.name = "outbound|80|v1|r.default.svc.cluster.local";
  c.host = "r.default.svc.cluster.local";
  snapshot::Endpoint e;
  e.address = "10.0.0.1";
  e.port = 9080;
  e.labels["version"] = "v1";
  e.weight = 3;
  c.endpoints.push_back(e);
  s.clusters.push_back(c);
  auto j = clusters_json(&s, std::nullopt);
  ASSERT_EQ(j["clusters"].size(), 1u);
  const auto& ep = j["clusters"][0]["endpoints"][0];
  EXPECT_EQ(ep["health"], "HEALTHY");
  EXPECT_EQ(ep["weight"], 3);
  EXPECT_EQ(ep["labels"]["version"], "v1");
  EXPECT_FALSE(j["clusters"][0].contains("circuit_breakers"));
}

}  // namespace
}  // namespace sy::admin
