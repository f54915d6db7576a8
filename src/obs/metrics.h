// Istio standard request metrics (istio_requests_total, istio_request_duration_milliseconds,
// istio_request_bytes, istio_response_bytes) plus Envoy-style per-cluster, downstream request
// and listener connection counters, kept per worker and summed when scraped.
//
// Threads: one WorkerMetrics per worker, touched only on that worker's thread (on_request_done
// and snapshot()). A scrape posts to each worker, which copies its state into an immutable
// MetricsData that travels back to the admin thread by value; the admin thread merges and renders.
// Steady state (no new label combination, no reload) takes no lock and allocates nothing.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "obs/listener_stats.h"
#include "proxy/request_observer.h"
#include "snapshot/snapshot_store.h"

namespace sy::obs {

// Istio's default buckets (milliseconds) and its byte-size buckets.
inline constexpr std::array<double, 19> kDurationBucketsMs = {
    0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000};
inline constexpr std::array<double, 10> kByteBuckets = {1, 10, 100, 1000, 10000, 100000, 1e6, 1e7, 1e8, 1e9};

// Per-bucket (not cumulative) counts; the last slot is +Inf. Cumulated when rendered.
template <size_t N>
struct Histogram {
  std::array<uint64_t, N + 1> buckets{};
  double sum = 0;
  void observe(double v, const std::array<double, N>& bounds) {
    size_t i = 0;
    while (i < N && v > bounds[i]) ++i;
    ++buckets[i];
    sum += v;
  }
  void add(const Histogram& o) {
    for (size_t i = 0; i <= N; ++i) buckets[i] += o.buckets[i];
    sum += o.sum;
  }
  uint64_t count() const {
    uint64_t c = 0;
    for (auto b : buckets) c += b;
    return c;
  }
};

// Who a request went to, as Istio labels it. Interned per worker.
struct Destination {
  std::string service = "unknown";     // destination_service (the host)
  std::string name = "unknown";        // destination_service_name
  std::string namespace_ = "unknown";  // destination_service_namespace
  std::string workload = "unknown";    // the endpoint's `app` label
  std::string version = "unknown";     // the endpoint's `version` label
  bool operator==(const Destination&) const = default;
};

struct RequestSeries {
  uint64_t requests = 0;
  Histogram<kDurationBucketsMs.size()> duration_ms;
  Histogram<kByteBuckets.size()> request_bytes;
  Histogram<kByteBuckets.size()> response_bytes;
  void add(const RequestSeries& o);
};

// Counters of one upstream cluster as seen by the requests that finished on one worker.
struct ClusterCounters {
  uint64_t rq_total = 0;  // upstream attempts
  uint64_t rq_retry = 0;
  uint64_t rq_timeout = 0;
  uint64_t rq_pending_overflow = 0;  // 503 UO (circuit breaker)
  uint64_t no_healthy = 0;           // 503 UH
  std::array<uint64_t, 6> rq_xx{};   // by response code class 0..5 (0 = no response)
  void add(const ClusterCounters& o);
};

// One series of istio_* metrics; `code` 0 with `overflow` set is the bucket for series over the cap.
struct SeriesKey {
  uint32_t destination = 0;
  uint16_t code = 0;
  uint32_t flags = 0;
  bool overflow = false;
  int32_t grpc_status = -1;  // -1: not a gRPC request; else grpc_response_status
  bool operator==(const SeriesKey&) const = default;
};

struct SeriesKeyHash {
  size_t operator()(const SeriesKey& k) const {
    uint64_t h = (uint64_t{k.destination} << 32) ^ (uint64_t{k.code} << 20) ^ k.flags ^ (k.overflow ? 1ull << 63 : 0) ^
                 (static_cast<uint64_t>(static_cast<uint32_t>(k.grpc_status)) << 40);
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    return static_cast<size_t>(h ^ (h >> 32));
  }
};

// Istio's TCP metrics of one (destination, response flags) series.
struct TcpSeries {
  uint64_t opened = 0, closed = 0;
  uint64_t sent_bytes = 0;      // upstream -> client
  uint64_t received_bytes = 0;  // client -> upstream
  void add(const TcpSeries& o) {
    opened += o.opened;
    closed += o.closed;
    sent_bytes += o.sent_bytes;
    received_bytes += o.received_bytes;
  }
};

// A worker's state copied at one instant (immutable once built; crosses threads by value).
struct MetricsData {
  std::vector<Destination> destinations;
  std::vector<std::pair<SeriesKey, RequestSeries>> series;
  std::vector<std::pair<SeriesKey, TcpSeries>> tcp;               // code is 0
  std::vector<std::pair<std::string, ClusterCounters>> clusters;  // by cluster name
  uint64_t downstream_rq_total = 0;
  std::array<uint64_t, 6> downstream_rq_xx{};
  std::vector<std::pair<std::string, ListenerCounters>> listeners;  // by listener address (listener_stats.h)
};

class WorkerMetrics final : public proxy::RequestObserver {
 public:
  // Distinct (destination, code, flags) series one worker keeps before folding new ones into
  // an overflow series per destination-less "other" bucket.
  static constexpr size_t kMaxSeries = 4096;
  static constexpr size_t kMaxDestinations = 1024;

  explicit WorkerMetrics(const snapshot::SnapshotStore& store, size_t max_series = kMaxSeries);

  // Worker thread.
  void on_request_done(const http::RequestHead& head, const proxy::RequestInfo& info) override;
  void on_connection_opened(const proxy::RequestInfo& info) override;
  MetricsData snapshot() const;

 private:
  struct ClusterLabels {
    uint32_t common = UINT32_MAX;            // destination when every endpoint agrees on app/version
    std::vector<uint32_t> per_endpoint;      // destination per endpoint otherwise
    std::vector<std::string> endpoint_keys;  // "address:port", parallel to per_endpoint
    uint32_t fallback = 0;                   // workload/version unknown
    uint32_t counters = 0;                   // index into clusters_
  };
  // Rebuilds the per-cluster label cache for the snapshot in force (after a reload only).
  void adopt(std::shared_ptr<const snapshot::Snapshot> snap);
  const snapshot::Snapshot* snapshot_for(const proxy::RequestInfo& info);
  uint32_t intern(Destination d);
  uint32_t destination_of(const ClusterLabels& cl, std::string_view upstream_host) const;

  const snapshot::SnapshotStore& store_;
  size_t max_series_;
  std::shared_ptr<const snapshot::Snapshot> snap_;
  std::vector<ClusterLabels> labels_;  // by Cluster::id of snap_
  std::vector<Destination> destinations_;
  std::unordered_map<std::string, uint32_t> destination_index_;
  std::unordered_map<SeriesKey, RequestSeries, SeriesKeyHash> series_;
  std::unordered_map<SeriesKey, TcpSeries, SeriesKeyHash> tcp_;  // bounded like series_
  TcpSeries& tcp_series(const proxy::RequestInfo& info, uint32_t flags);
  std::vector<std::pair<std::string, ClusterCounters>> clusters_;
  std::unordered_map<std::string, uint32_t> cluster_index_;
  uint64_t downstream_rq_total_ = 0;
  std::array<uint64_t, 6> downstream_rq_xx_{};
};

// What a scrape adds besides the worker counters (gathered on the threads that own it).
struct ScrapeExtras {
  std::string source_workload = "switchyard";
  std::string source_namespace = "default";
  uint64_t config_version = 0;
  uint64_t reloads_ok = 0, reloads_rejected = 0;
  uint64_t rejected_objects = 0;
  int64_t requests_in_flight = 0;
  uint64_t listeners_failed = 0;  // wanted listeners whose port has not opened yet
};

// Upstream gauges/counters from the shared cluster state, when the proxy has one (optional).
struct ClusterGauges {
  std::string name;
  uint64_t cx_active = 0, rq_active = 0, rq_pending_active = 0;
  uint64_t rq_pending_overflow = 0, rq_retry_overflow = 0;
  uint64_t ejections_active = 0, ejections_total = 0;
  bool cx_open = false, rq_open = false, rq_pending_open = false, rq_retry_open = false;
};

// Sums the workers' data and renders Prometheus text exposition format (version 0.0.4).
std::string render_prometheus(const std::vector<MetricsData>& workers, const ScrapeExtras& extras,
                              const std::vector<ClusterGauges>& gauges);

}  // namespace sy::obs
