#include "obs/metrics.h"

#include "http/grpc.h"

#include "proxy/response_flags.h"

namespace sy::obs {

namespace {

size_t code_class(int status) { return status >= 100 && status < 600 ? static_cast<size_t>(status / 100) : 0; }

std::string label_or_unknown(const config::Labels& labels, const char* key) {
  auto it = labels.find(key);
  return it == labels.end() || it->second.empty() ? std::string("unknown") : it->second;
}

// "reviews.default.svc.cluster.local" -> "reviews".
std::string short_name(const std::string& host) { return host.substr(0, host.find('.')); }

std::string destination_key(const Destination& d) {
  return d.service + '\n' + d.name + '\n' + d.namespace_ + '\n' + d.workload + '\n' + d.version;
}

template <size_t N>
void add_array(std::array<uint64_t, N>& a, const std::array<uint64_t, N>& b) {
  for (size_t i = 0; i < N; ++i) a[i] += b[i];
}

}  // namespace

void RequestSeries::add(const RequestSeries& o) {
  requests += o.requests;
  duration_ms.add(o.duration_ms);
  request_bytes.add(o.request_bytes);
  response_bytes.add(o.response_bytes);
}

void ClusterCounters::add(const ClusterCounters& o) {
  rq_total += o.rq_total;
  rq_retry += o.rq_retry;
  rq_timeout += o.rq_timeout;
  rq_pending_overflow += o.rq_pending_overflow;
  no_healthy += o.no_healthy;
  add_array(rq_xx, o.rq_xx);
}

WorkerMetrics::WorkerMetrics(const snapshot::SnapshotStore& store, size_t max_series)
    : store_(store), max_series_(max_series) {
  intern(Destination{});  // index 0: nothing known (no route, or over the destination cap)
  series_.reserve(64);
}

uint32_t WorkerMetrics::intern(Destination d) {
  auto key = destination_key(d);
  if (auto it = destination_index_.find(key); it != destination_index_.end()) return it->second;
  if (destinations_.size() >= kMaxDestinations) return 0;
  const auto idx = static_cast<uint32_t>(destinations_.size());
  destinations_.push_back(std::move(d));
  destination_index_.emplace(std::move(key), idx);
  return idx;
}

void WorkerMetrics::adopt(std::shared_ptr<const snapshot::Snapshot> snap) {
  snap_ = std::move(snap);
  labels_.clear();
  if (!snap_) return;
  labels_.reserve(snap_->clusters.size());
  for (const auto& c : snap_->clusters) {
    ClusterLabels cl;
    Destination base;
    base.service = c.host;
    base.name = short_name(c.host);
    if (!c.service_namespace.empty()) base.namespace_ = c.service_namespace;
    cl.fallback = intern(base);
    bool same = !c.endpoints.empty();
    for (const auto& ep : c.endpoints) {
      Destination d = base;
      d.workload = label_or_unknown(ep.labels, "app");
      d.version = label_or_unknown(ep.labels, "version");
      cl.per_endpoint.push_back(intern(std::move(d)));
      cl.endpoint_keys.push_back(ep.address + ':' + std::to_string(ep.port));
      same = same && cl.per_endpoint.back() == cl.per_endpoint.front();
    }
    if (same) cl.common = cl.per_endpoint.front();
    auto [it, added] = cluster_index_.emplace(c.name, static_cast<uint32_t>(clusters_.size()));
    if (added) clusters_.emplace_back(c.name, ClusterCounters{});
    cl.counters = it->second;
    labels_.push_back(std::move(cl));
  }
}

// The snapshot the request's cluster id refers to: the cached one unless a reload changed it.
const snapshot::Snapshot* WorkerMetrics::snapshot_for(const proxy::RequestInfo& info) {
  auto fits = [&] {
    return snap_ && info.cluster < snap_->clusters.size() && snap_->clusters[info.cluster].name == info.cluster_name;
  };
  if (!fits()) {
    adopt(store_.load());
    if (!fits()) return nullptr;  // the request's snapshot is gone (reloaded twice mid-request)
  }
  return snap_.get();
}

uint32_t WorkerMetrics::destination_of(const ClusterLabels& cl, std::string_view upstream_host) const {
  if (cl.common != UINT32_MAX) return cl.common;
  for (size_t i = 0; i < cl.endpoint_keys.size(); ++i)
    if (cl.endpoint_keys[i] == upstream_host) return cl.per_endpoint[i];
  return cl.fallback;  // DNS-resolved address, or no attempt made
}

TcpSeries& WorkerMetrics::tcp_series(const proxy::RequestInfo& info, uint32_t flags) {
  uint32_t dest = 0;
  if (info.cluster != UINT32_MAX && snapshot_for(info))
    dest = destination_of(labels_[info.cluster], info.upstream_host);
  SeriesKey key{dest, 0, flags, false};
  auto it = tcp_.find(key);
  if (it == tcp_.end()) {
    if (tcp_.size() >= max_series_) key = SeriesKey{dest, 0, 0, true};
    it = tcp_.try_emplace(key).first;
  }
  return it->second;
}

void WorkerMetrics::on_connection_opened(const proxy::RequestInfo& info) { ++tcp_series(info, 0).opened; }

void WorkerMetrics::on_request_done(const http::RequestHead&, const proxy::RequestInfo& info) {
  if (info.l4) {
    TcpSeries& s = tcp_series(info, info.flags);
    ++s.closed;
    s.sent_bytes += info.response_body_bytes;
    s.received_bytes += info.request_body_bytes;
    return;
  }
  const size_t cls = code_class(info.status);
  ++downstream_rq_total_;
  ++downstream_rq_xx_[cls];

  uint32_t dest = 0;
  if (info.cluster != UINT32_MAX) {
    if (snapshot_for(info)) {
      const ClusterLabels& cl = labels_[info.cluster];
      dest = destination_of(cl, info.upstream_host);
      ClusterCounters& cc = clusters_[cl.counters].second;
      cc.rq_total += info.attempts;
      if (info.attempts > 1) cc.rq_retry += info.attempts - 1;
      if (info.flags & proxy::kUpstreamRequestTimeout) ++cc.rq_timeout;
      if (info.flags & proxy::kUpstreamOverflow) ++cc.rq_pending_overflow;
      if (info.flags & proxy::kNoHealthyUpstream) ++cc.no_healthy;
      if (info.attempts > 0) ++cc.rq_xx[cls];
    }
  }

  // Istio's grpc_response_status: the response's grpc-status (trailers, then headers), else the
  // one its HTTP status maps to (istio_stats, Envoy's Grpc::Common::getGrpcStatus).
  const int32_t grpc = !info.grpc              ? -1
                       : info.grpc_status >= 0 ? info.grpc_status
                                               : http::grpc_status_from_http(info.status);
  SeriesKey key{dest, static_cast<uint16_t>(info.status > 0 && info.status < 1000 ? info.status : 0), info.flags, false,
                grpc};
  auto it = series_.find(key);
  if (it == series_.end()) {
    if (series_.size() >= max_series_) key = SeriesKey{dest, 0, 0, true};
    it = series_.try_emplace(key).first;
  }
  RequestSeries& s = it->second;
  ++s.requests;
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - info.start).count();
  s.duration_ms.observe(ms, kDurationBucketsMs);
  // Body bytes (Istio counts headers too; body size is what both sides can check exactly).
  s.request_bytes.observe(static_cast<double>(info.request_body_bytes), kByteBuckets);
  s.response_bytes.observe(static_cast<double>(info.response_body_bytes), kByteBuckets);
}

MetricsData WorkerMetrics::snapshot() const {
  MetricsData d;
  d.destinations = destinations_;
  d.series.assign(series_.begin(), series_.end());
  d.tcp.assign(tcp_.begin(), tcp_.end());
  d.clusters = clusters_;
  d.downstream_rq_total = downstream_rq_total_;
  d.downstream_rq_xx = downstream_rq_xx_;
  return d;
}

}  // namespace sy::obs
