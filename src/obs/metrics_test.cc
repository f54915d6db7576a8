#include "obs/metrics.h"

#include <gtest/gtest.h>

#include "proxy/response_flags.h"

namespace sy::obs {
namespace {

using namespace std::chrono_literals;

snapshot::Endpoint ep(std::string addr, uint32_t port, std::string app, std::string version) {
  snapshot::Endpoint e;
  e.address = std::move(addr);
  e.port = port;
  e.labels["app"] = std::move(app);
  if (!version.empty()) e.labels["version"] = std::move(version);
  return e;
}

std::shared_ptr<const snapshot::Snapshot> two_subsets(uint64_t version = 1) {
  auto s = std::make_shared<snapshot::Snapshot>();
  s->version = version;
  for (std::string v : {"v1", "v2"}) {
    snapshot::Cluster c;
    c.id = static_cast<uint32_t>(s->clusters.size());
    c.name = "outbound|80|" + v + "|reviews.shop.svc.cluster.local";
    c.host = "reviews.shop.svc.cluster.local";
    c.port = 80;
    c.subset = v;
    c.service_namespace = "shop";
    c.endpoints = {ep("10.0.0." + v.substr(1), 9080, "reviews", v)};
    s->clusters.push_back(std::move(c));
  }
  // Mixed versions in one cluster: the label comes from the endpoint that served.
  snapshot::Cluster all;
  all.id = 2;
  all.name = "outbound|80||reviews.shop.svc.cluster.local";
  all.host = "reviews.shop.svc.cluster.local";
  all.service_namespace = "shop";
  all.endpoints = {ep("10.0.0.1", 9080, "reviews", "v1"), ep("10.0.0.2", 9080, "reviews", "")};
  s->clusters.push_back(std::move(all));
  return s;
}

proxy::RequestInfo done(const snapshot::Snapshot& s, uint32_t cluster, int status, std::string host = "",
                        std::chrono::milliseconds took = 0ms) {
  proxy::RequestInfo i;
  i.start = std::chrono::steady_clock::now() - took;
  i.status = status;
  i.cluster = cluster;
  if (cluster != UINT32_MAX) i.cluster_name = s.clusters[cluster].name;
  i.attempts = cluster != UINT32_MAX && !host.empty() ? 1 : 0;
  i.upstream_host = std::move(host);
  return i;
}

// Value of the one line that starts with `prefix` (name + labels), or -1.
double value_of(const std::string& text, const std::string& prefix) {
  size_t pos = 0;
  double found = -1;
  int hits = 0;
  while ((pos = text.find(prefix, pos)) != std::string::npos) {
    if (pos == 0 || text[pos - 1] == '\n') {
      auto end = text.find('\n', pos);
      auto line = text.substr(pos, end - pos);
      found = std::stod(line.substr(line.rfind(' ') + 1));
      ++hits;
    }
    pos += prefix.size();
  }
  return hits == 1 ? found : -1;
}

const std::string kV1 =
    "destination_service=\"reviews.shop.svc.cluster.local\",destination_service_name=\"reviews\","
    "destination_service_namespace=\"shop\",destination_workload=\"reviews\",destination_version=\"v1\"";

std::string series(const std::string& metric, const std::string& dest, const std::string& code,
                   const std::string& flags) {
  return metric +
         "{reporter=\"source\",source_workload=\"switchyard\",source_workload_namespace=\"default\","
         "source_app=\"switchyard\"," +
         dest + ",request_protocol=\"http\",response_code=\"" + code + "\",response_flags=\"" + flags +
         "\",grpc_response_status=\"\"";
}

TEST(Metrics, CountsPerVersionCodeAndFlags) {
  snapshot::SnapshotStore store(two_subsets());
  auto snap = store.load();
  WorkerMetrics m(store);
  http::RequestHead head;
  for (int i = 0; i < 3; ++i) m.on_request_done(head, done(*snap, 0, 200, "10.0.0.1:9080"));
  m.on_request_done(head, done(*snap, 1, 200, "10.0.0.2:9080"));
  auto uh = done(*snap, 1, 503);
  uh.flags = proxy::kNoHealthyUpstream;
  m.on_request_done(head, uh);
  auto nr = done(*snap, UINT32_MAX, 404);
  nr.flags = proxy::kNoRoute;
  m.on_request_done(head, nr);

  const std::string text = render_prometheus({m.snapshot()}, ScrapeExtras{}, {});
  EXPECT_EQ(value_of(text, series("istio_requests_total", kV1, "200", "-") + "}"), 3) << text;
  std::string v2 = kV1;
  v2.replace(v2.find("\"v1\""), 4, "\"v2\"");
  EXPECT_EQ(value_of(text, series("istio_requests_total", v2, "200", "-") + "}"), 1);
  EXPECT_EQ(value_of(text, series("istio_requests_total", v2, "503", "UH") + "}"), 1);
  const std::string unknown =
      "destination_service=\"unknown\",destination_service_name=\"unknown\",destination_service_namespace=\"unknown\","
      "destination_workload=\"unknown\",destination_version=\"unknown\"";
  EXPECT_EQ(value_of(text, series("istio_requests_total", unknown, "404", "NR") + "}"), 1);
  EXPECT_EQ(
      value_of(text, "envoy_cluster_upstream_rq_total{cluster_name=\"outbound|80|v1|reviews.shop.svc.cluster.local\"}"),
      3);
  EXPECT_EQ(value_of(text,
                     "envoy_cluster_upstream_rq_no_healthy_upstream{cluster_name=\"outbound|80|v2|reviews.shop.svc."
                     "cluster.local\"}"),
            1);
  EXPECT_EQ(value_of(text, "envoy_http_downstream_rq_total "), 6);
  EXPECT_EQ(value_of(text, "envoy_http_downstream_rq_xx{response_code_class=\"4xx\"}"), 1);
}

TEST(Metrics, VersionFromTheEndpointThatServed) {
  snapshot::SnapshotStore store(two_subsets());
  auto snap = store.load();
  WorkerMetrics m(store);
  http::RequestHead head;
  m.on_request_done(head, done(*snap, 2, 200, "10.0.0.1:9080"));
  m.on_request_done(head, done(*snap, 2, 200, "10.0.0.2:9080"));
  const std::string text = render_prometheus({m.snapshot()}, ScrapeExtras{}, {});
  EXPECT_EQ(value_of(text, series("istio_requests_total", kV1, "200", "-") + "}"), 1) << text;
  std::string unversioned = kV1;
  unversioned.replace(unversioned.find("\"v1\""), 4, "\"unknown\"");
  EXPECT_EQ(value_of(text, series("istio_requests_total", unversioned, "200", "-") + "}"), 1);
}

TEST(Metrics, HistogramBucketsAreCumulative) {
  snapshot::SnapshotStore store(two_subsets());
  auto snap = store.load();
  WorkerMetrics m(store);
  http::RequestHead head;
  auto slow = done(*snap, 0, 200, "10.0.0.1:9080", 30ms);
  slow.response_body_bytes = 500;
  m.on_request_done(head, slow);
  const std::string text = render_prometheus({m.snapshot()}, ScrapeExtras{}, {});
  const std::string d = series("istio_request_duration_milliseconds_bucket", kV1, "200", "-");
  EXPECT_EQ(value_of(text, d + ",le=\"25\"}"), 0) << text;
  EXPECT_EQ(value_of(text, d + ",le=\"50\"}"), 1);
  EXPECT_EQ(value_of(text, d + ",le=\"+Inf\"}"), 1);
  const std::string b = series("istio_response_bytes_bucket", kV1, "200", "-");
  EXPECT_EQ(value_of(text, b + ",le=\"100\"}"), 0);
  EXPECT_EQ(value_of(text, b + ",le=\"1000\"}"), 1);
  EXPECT_EQ(value_of(text, series("istio_response_bytes_sum", kV1, "200", "-") + "}"), 500);
  EXPECT_EQ(value_of(text, series("istio_request_bytes_count", kV1, "200", "-") + "}"), 1);
}

TEST(Metrics, WorkersAreSummedAtScrape) {
  snapshot::SnapshotStore store(two_subsets());
  auto snap = store.load();
  WorkerMetrics a(store), b(store);
  http::RequestHead head;
  a.on_request_done(head, done(*snap, 0, 200, "10.0.0.1:9080"));
  b.on_request_done(head, done(*snap, 0, 200, "10.0.0.1:9080"));
  b.on_request_done(head, done(*snap, 0, 200, "10.0.0.1:9080"));
  const std::string text = render_prometheus({a.snapshot(), b.snapshot()}, ScrapeExtras{}, {});
  EXPECT_EQ(value_of(text, series("istio_requests_total", kV1, "200", "-") + "}"), 3) << text;
}

TEST(Metrics, SeriesOverTheCapFoldIntoOther) {
  snapshot::SnapshotStore store(two_subsets());
  auto snap = store.load();
  WorkerMetrics m(store, /*max_series=*/2);
  http::RequestHead head;
  for (int code : {200, 201, 202, 203, 202}) m.on_request_done(head, done(*snap, 0, code, "10.0.0.1:9080"));
  const std::string text = render_prometheus({m.snapshot()}, ScrapeExtras{}, {});
  EXPECT_EQ(value_of(text, series("istio_requests_total", kV1, "200", "-") + "}"), 1) << text;
  EXPECT_EQ(value_of(text, series("istio_requests_total", kV1, "other", "other") + "}"), 3);
  EXPECT_EQ(value_of(text, series("istio_requests_total", kV1, "202", "-") + "}"), -1);
}

TEST(Metrics, ReloadThatRenumbersClustersKeepsLabelsRight) {
  snapshot::SnapshotStore store(two_subsets(1));
  WorkerMetrics m(store);
  http::RequestHead head;
  auto first = store.load();
  m.on_request_done(head, done(*first, 0, 200, "10.0.0.1:9080"));
  // New snapshot: v1 is now cluster 1.
  auto next = std::make_shared<snapshot::Snapshot>(*two_subsets(2));
  std::swap(next->clusters[0], next->clusters[1]);
  next->clusters[0].id = 0;
  next->clusters[1].id = 1;
  store.publish(next);
  m.on_request_done(head, done(*next, 1, 200, "10.0.0.1:9080"));
  const std::string text = render_prometheus({m.snapshot()}, ScrapeExtras{}, {});
  EXPECT_EQ(value_of(text, series("istio_requests_total", kV1, "200", "-") + "}"), 2) << text;
  EXPECT_EQ(
      value_of(text, "envoy_cluster_upstream_rq_total{cluster_name=\"outbound|80|v1|reviews.shop.svc.cluster.local\"}"),
      2);
}

TEST(Metrics, ConfigGaugesAndEscaping) {
  snapshot::SnapshotStore store(two_subsets());
  ScrapeExtras x;
  x.source_workload = "gw\"1";
  x.config_version = 7;
  x.reloads_ok = 3;
  x.reloads_rejected = 1;
  x.rejected_objects = 2;
  WorkerMetrics m(store);
  http::RequestHead head;
  m.on_request_done(head, done(*store.load(), 0, 200, "10.0.0.1:9080"));
  const std::string text = render_prometheus({m.snapshot()}, x, {});
  EXPECT_EQ(value_of(text, "switchyard_config_version "), 7);
  EXPECT_EQ(value_of(text, "switchyard_config_reloads_total{result=\"ok\"}"), 3);
  EXPECT_EQ(value_of(text, "switchyard_config_reloads_total{result=\"rejected\"}"), 1);
  EXPECT_EQ(value_of(text, "switchyard_config_rejected_objects "), 2);
  EXPECT_NE(text.find("source_workload=\"gw\\\"1\""), std::string::npos);
}

TEST(Metrics, ListenerConnectionsAreSummedPerListenerAndOverall) {
  // Two workers share listener 0.0.0.0_8080; one also has a mesh listener.
  ListenerStats w1, w2;
  auto& a = w1.listener(listener_stat_name("0.0.0.0", 8080));
  a.cx_total = 5;
  a.cx_destroy = 3;
  a.cx_active = 2;
  auto& b = w2.listener(listener_stat_name("0.0.0.0", 8080));
  b.cx_total = 1;
  b.cx_active = 1;
  w2.listener(listener_stat_name("::1", 15001)).cx_total = 4;
  w2.listener(listener_stat_name("::1", 15001)).cx_destroy = 4;
  MetricsData d1, d2;
  d1.listeners = w1.snapshot();
  d2.listeners = w2.snapshot();
  ScrapeExtras x;
  x.listeners_failed = 1;
  const std::string text = render_prometheus({d1, d2}, x, {});
  const std::string l8080 = "{envoy_listener_address=\"0.0.0.0_8080\"}";
  const std::string l15001 = "{envoy_listener_address=\"__1_15001\"}";
  EXPECT_EQ(value_of(text, "envoy_listener_downstream_cx_total" + l8080), 6) << text;
  EXPECT_EQ(value_of(text, "envoy_listener_downstream_cx_active" + l8080), 3);
  EXPECT_EQ(value_of(text, "envoy_listener_downstream_cx_destroy" + l8080), 3);
  EXPECT_EQ(value_of(text, "envoy_listener_downstream_cx_total" + l15001), 4);
  EXPECT_EQ(value_of(text, "envoy_listener_downstream_cx_active" + l15001), 0);
  EXPECT_EQ(value_of(text, "envoy_http_downstream_cx_total "), 10);
  EXPECT_EQ(value_of(text, "envoy_http_downstream_cx_active "), 3);
  EXPECT_EQ(value_of(text, "envoy_http_downstream_cx_destroy "), 7);
  EXPECT_EQ(value_of(text, "switchyard_listeners_failed "), 1);
  EXPECT_NE(text.find("# TYPE envoy_listener_downstream_cx_active gauge"), std::string::npos);
}

}  // namespace
}  // namespace sy::obs
