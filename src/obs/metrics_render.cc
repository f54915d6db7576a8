// Merging the workers' MetricsData and rendering Prometheus text format. Runs on the admin
// thread at scrape time, so it allocates freely.
#include <fmt/format.h>

#include <map>
#include <tuple>

#include "obs/metrics.h"
#include "proxy/response_flags.h"

namespace sy::obs {

namespace {

// Label values escaped per the text format: backslash, double quote and newline.
std::string esc(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string num(double v) { return fmt::format("{}", v); }

// Series identity after merging: the rendered label set minus the metric name.
// destination labels, code, flags, grpc_response_status ("" for other than gRPC)
using MergedKey = std::tuple<std::string, std::string, std::string, std::string>;

std::string destination_labels(const Destination& d) {
  return fmt::format(
      "destination_service=\"{}\",destination_service_name=\"{}\",destination_service_namespace=\"{}\","
      "destination_workload=\"{}\",destination_version=\"{}\"",
      esc(d.service), esc(d.name), esc(d.namespace_), esc(d.workload), esc(d.version));
}

template <size_t N>
void render_histogram(std::string& out, const std::string& name, const std::string& labels, const Histogram<N>& h,
                      const std::array<double, N>& bounds) {
  uint64_t cum = 0;
  for (size_t i = 0; i < N; ++i) {
    cum += h.buckets[i];
    out += fmt::format("{}_bucket{{{},le=\"{}\"}} {}\n", name, labels, num(bounds[i]), cum);
  }
  cum += h.buckets[N];
  out += fmt::format("{}_bucket{{{},le=\"+Inf\"}} {}\n", name, labels, cum);
  out += fmt::format("{}_sum{{{}}} {}\n", name, labels, num(h.sum));
  out += fmt::format("{}_count{{{}}} {}\n", name, labels, cum);
}

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

// Every worker's data summed into one set of series. Workers intern destinations independently,
// so request and TCP series merge by their rendered labels rather than by a worker's index.
struct MergedMetrics {
  std::map<MergedKey, RequestSeries> series;
  std::map<MergedKey, TcpSeries> tcp;  // response code left empty
  std::map<std::string, ClusterCounters> clusters;
  std::map<std::string, ListenerCounters> listeners;  // by listener address
  ListenerCounters downstream_cx;                     // every listener's sum
  uint64_t downstream_total = 0;
  std::array<uint64_t, 6> downstream_xx{};  // by status class (index 1 = 1xx)
};

MergedMetrics merge_workers(const std::vector<MetricsData>& workers) {
  MergedMetrics m;
  for (const auto& w : workers) {
    for (const auto& [key, s] : w.series) {
      const Destination& d = key.destination < w.destinations.size() ? w.destinations[key.destination] : Destination{};
      MergedKey mk{destination_labels(d), key.overflow ? "other" : std::to_string(key.code),
                   key.overflow ? "other" : proxy::format_response_flags(key.flags),
                   key.grpc_status < 0 ? "" : std::to_string(key.grpc_status)};
      m.series[mk].add(s);
    }
    for (const auto& [key, s] : w.tcp) {
      const Destination& d = key.destination < w.destinations.size() ? w.destinations[key.destination] : Destination{};
      m.tcp[MergedKey{destination_labels(d), "", key.overflow ? "other" : proxy::format_response_flags(key.flags), ""}]
          .add(s);
    }
    for (const auto& [name, c] : w.clusters) m.clusters[name].add(c);
    for (const auto& [address, c] : w.listeners) {
      m.listeners[address].add(c);
      m.downstream_cx.add(c);
    }
    m.downstream_total += w.downstream_rq_total;
    for (size_t i = 0; i < m.downstream_xx.size(); ++i) m.downstream_xx[i] += w.downstream_rq_xx[i];
  }
  return m;
}

// Istio's request metrics: a counter and three histograms over the same label sets. `source`
// is the reporter/source part every series shares.
void render_request_series(std::string& out, const std::map<MergedKey, RequestSeries>& series,
                           const std::string& source) {
  auto labels_of = [&](const MergedKey& k) {
    return fmt::format(
        "{},{},request_protocol=\"{}\",response_code=\"{}\",response_flags=\"{}\","
        "grpc_response_status=\"{}\"",
        source, std::get<0>(k), std::get<3>(k).empty() ? "http" : "grpc", std::get<1>(k), std::get<2>(k),
        std::get<3>(k));
  };
  header(out, "istio_requests_total", "counter", "Requests handled, by destination and response.");
  for (const auto& [k, s] : series) out += fmt::format("istio_requests_total{{{}}} {}\n", labels_of(k), s.requests);
  header(out, "istio_request_duration_milliseconds", "histogram", "Request duration in milliseconds.");
  for (const auto& [k, s] : series)
    render_histogram(out, "istio_request_duration_milliseconds", labels_of(k), s.duration_ms, kDurationBucketsMs);
  header(out, "istio_request_bytes", "histogram", "Request body size in bytes.");
  for (const auto& [k, s] : series)
    render_histogram(out, "istio_request_bytes", labels_of(k), s.request_bytes, kByteBuckets);
  header(out, "istio_response_bytes", "histogram", "Response body size in bytes.");
  for (const auto& [k, s] : series)
    render_histogram(out, "istio_response_bytes", labels_of(k), s.response_bytes, kByteBuckets);
}

// Istio's L4 (tcp[] and TLS passthrough routes) counters.
void render_tcp_series(std::string& out, const std::map<MergedKey, TcpSeries>& tcp, const std::string& source) {
  auto tcp_counter = [&](std::string_view metric, std::string_view help, auto field) {
    header(out, metric, "counter", help);
    for (const auto& [k, s] : tcp)
      out += fmt::format("{}{{{},{},request_protocol=\"tcp\",response_flags=\"{}\"}} {}\n", metric, source,
                         std::get<0>(k), std::get<2>(k), field(s));
  };
  tcp_counter("istio_tcp_connections_opened_total", "TCP connections opened (L4 routes).",
              [](const TcpSeries& s) { return s.opened; });
  tcp_counter("istio_tcp_connections_closed_total", "TCP connections closed (L4 routes).",
              [](const TcpSeries& s) { return s.closed; });
  tcp_counter("istio_tcp_sent_bytes_total", "Bytes sent to the client on L4 routes.",
              [](const TcpSeries& s) { return s.sent_bytes; });
  tcp_counter("istio_tcp_received_bytes_total", "Bytes received from the client on L4 routes.",
              [](const TcpSeries& s) { return s.received_bytes; });
}

// Envoy's per-cluster counters, as the workers counted them.
void render_cluster_counters(std::string& out, const std::map<std::string, ClusterCounters>& clusters) {
  auto cluster_counter = [&](std::string_view metric, std::string_view help, auto field) {
    header(out, metric, "counter", help);
    for (const auto& [name, c] : clusters)
      out += fmt::format("{}{{cluster_name=\"{}\"}} {}\n", metric, esc(name), field(c));
  };
  cluster_counter("envoy_cluster_upstream_rq_total", "Upstream request attempts.",
                  [](const ClusterCounters& c) { return c.rq_total; });
  cluster_counter("envoy_cluster_upstream_rq_retry", "Upstream retries.",
                  [](const ClusterCounters& c) { return c.rq_retry; });
  cluster_counter("envoy_cluster_upstream_rq_timeout", "Requests whose route timeout fired.",
                  [](const ClusterCounters& c) { return c.rq_timeout; });
  cluster_counter("envoy_cluster_upstream_rq_pending_overflow", "Requests refused by the circuit breaker (UO).",
                  [](const ClusterCounters& c) { return c.rq_pending_overflow; });
  cluster_counter("envoy_cluster_upstream_rq_no_healthy_upstream", "Requests with no healthy endpoint (UH).",
                  [](const ClusterCounters& c) { return c.no_healthy; });
  header(out, "envoy_cluster_upstream_rq_xx", "counter", "Upstream responses by status class.");
  for (const auto& [name, c] : clusters)
    for (size_t i = 1; i < c.rq_xx.size(); ++i)
      if (c.rq_xx[i])
        out += fmt::format("envoy_cluster_upstream_rq_xx{{cluster_name=\"{}\",response_code_class=\"{}xx\"}} {}\n",
                           esc(name), i, c.rq_xx[i]);
}

// Envoy's per-cluster gauges, read from the shared cluster state (breakers, outlier detection)
// rather than from a worker. Nothing is rendered without a shared state, not even the headers.
void render_cluster_gauges(std::string& out, const std::vector<ClusterGauges>& gauges) {
  if (gauges.empty()) return;
  auto gauge = [&](std::string_view metric, std::string_view type, std::string_view help, auto field) {
    header(out, metric, type, help);
    for (const auto& g : gauges) out += fmt::format("{}{{cluster_name=\"{}\"}} {}\n", metric, esc(g.name), field(g));
  };
  gauge("envoy_cluster_upstream_cx_active", "gauge", "Upstream connections open.",
        [](const ClusterGauges& g) { return g.cx_active; });
  gauge("envoy_cluster_upstream_rq_active", "gauge", "Upstream requests in flight.",
        [](const ClusterGauges& g) { return g.rq_active; });
  gauge("envoy_cluster_upstream_rq_pending_active", "gauge", "Requests waiting for a connection.",
        [](const ClusterGauges& g) { return g.rq_pending_active; });
  gauge("envoy_cluster_circuit_breakers_default_cx_open", "gauge", "1 while the connection breaker is open.",
        [](const ClusterGauges& g) { return g.cx_open ? 1 : 0; });
  gauge("envoy_cluster_circuit_breakers_default_rq_open", "gauge", "1 while the request breaker is open.",
        [](const ClusterGauges& g) { return g.rq_open ? 1 : 0; });
  gauge("envoy_cluster_circuit_breakers_default_rq_pending_open", "gauge", "1 while the pending breaker is open.",
        [](const ClusterGauges& g) { return g.rq_pending_open ? 1 : 0; });
  gauge("envoy_cluster_circuit_breakers_default_rq_retry_open", "gauge", "1 while the retry breaker is open.",
        [](const ClusterGauges& g) { return g.rq_retry_open ? 1 : 0; });
  gauge("envoy_cluster_outlier_detection_ejections_active", "gauge", "Endpoints ejected now.",
        [](const ClusterGauges& g) { return g.ejections_active; });
  gauge("envoy_cluster_outlier_detection_ejections_enforced_total", "counter", "Ejections enforced.",
        [](const ClusterGauges& g) { return g.ejections_total; });
  gauge("envoy_cluster_upstream_rq_retry_overflow", "counter", "Retries refused by the retry breaker.",
        [](const ClusterGauges& g) { return g.rq_retry_overflow; });
}

// Envoy's downstream side: requests, then connections per listener and in total.
void render_downstream(std::string& out, const MergedMetrics& m, const ScrapeExtras& extras) {
  header(out, "envoy_http_downstream_rq_total", "counter", "Downstream requests finished.");
  out += fmt::format("envoy_http_downstream_rq_total {}\n", m.downstream_total);
  header(out, "envoy_http_downstream_rq_xx", "counter", "Downstream responses by status class.");
  for (size_t i = 1; i < m.downstream_xx.size(); ++i)
    out += fmt::format("envoy_http_downstream_rq_xx{{response_code_class=\"{}xx\"}} {}\n", i, m.downstream_xx[i]);
  header(out, "envoy_http_downstream_rq_active", "gauge", "Downstream requests in flight.");
  out += fmt::format("envoy_http_downstream_rq_active {}\n", extras.requests_in_flight);

  auto listener_metric = [&](std::string_view metric, std::string_view type, std::string_view help, auto field) {
    header(out, metric, type, help);
    for (const auto& [address, c] : m.listeners)
      out += fmt::format("{}{{envoy_listener_address=\"{}\"}} {}\n", metric, esc(address), field(c));
  };
  listener_metric("envoy_listener_downstream_cx_total", "counter", "Connections accepted.",
                  [](const ListenerCounters& c) { return c.cx_total; });
  listener_metric("envoy_listener_downstream_cx_destroy", "counter", "Connections that ended.",
                  [](const ListenerCounters& c) { return c.cx_destroy; });
  listener_metric("envoy_listener_downstream_cx_overflow", "counter",
                  "Connections closed at once because serve --max-connections were open.",
                  [](const ListenerCounters& c) { return c.cx_overflow; });
  listener_metric("envoy_listener_downstream_cx_overload_reject", "counter",
                  "Connections closed at once because resident memory was near serve --overload-memory-mb.",
                  [](const ListenerCounters& c) { return c.cx_overload_reject; });
  listener_metric("envoy_listener_downstream_cx_active", "gauge", "Connections open.",
                  [](const ListenerCounters& c) { return c.cx_active; });
  // Every listener serves HTTP: the connection manager totals are the listeners' sums.
  header(out, "envoy_http_downstream_cx_total", "counter", "Downstream connections accepted.");
  out += fmt::format("envoy_http_downstream_cx_total {}\n", m.downstream_cx.cx_total);
  header(out, "envoy_http_downstream_cx_destroy", "counter", "Downstream connections that ended.");
  out += fmt::format("envoy_http_downstream_cx_destroy {}\n", m.downstream_cx.cx_destroy);
  header(out, "envoy_http_downstream_cx_active", "gauge", "Downstream connections open.");
  out += fmt::format("envoy_http_downstream_cx_active {}\n", m.downstream_cx.cx_active);
}

// switchyard's own: config version and reloads, listeners not open yet.
void render_config_state(std::string& out, const ScrapeExtras& extras) {
  header(out, "switchyard_config_version", "gauge", "Version of the config in force.");
  out += fmt::format("switchyard_config_version {}\n", extras.config_version);
  header(out, "switchyard_config_reloads_total", "counter", "Config loads by result.");
  out += fmt::format("switchyard_config_reloads_total{{result=\"ok\"}} {}\n", extras.reloads_ok);
  out += fmt::format("switchyard_config_reloads_total{{result=\"rejected\"}} {}\n", extras.reloads_rejected);
  header(out, "switchyard_config_rejected_objects", "gauge", "Objects the last reload rejected.");
  out += fmt::format("switchyard_config_rejected_objects {}\n", extras.rejected_objects);
  header(out, "switchyard_listeners_failed", "gauge", "Listeners whose port could not be opened yet (retried).");
  out += fmt::format("switchyard_listeners_failed {}\n", extras.listeners_failed);
}

}  // namespace

std::string render_prometheus(const std::vector<MetricsData>& workers, const ScrapeExtras& extras,
                              const std::vector<ClusterGauges>& gauges) {
  const MergedMetrics merged = merge_workers(workers);
  const std::string source =
      fmt::format("reporter=\"source\",source_workload=\"{}\",source_workload_namespace=\"{}\",source_app=\"{}\"",
                  esc(extras.source_workload), esc(extras.source_namespace), esc(extras.source_workload));
  std::string out;
  out.reserve(4096 + merged.series.size() * 6000);
  render_request_series(out, merged.series, source);
  render_tcp_series(out, merged.tcp, source);
  render_cluster_counters(out, merged.clusters);
  render_cluster_gauges(out, gauges);
  render_downstream(out, merged, extras);
  render_config_state(out, extras);
  return out;
}

}  // namespace sy::obs
