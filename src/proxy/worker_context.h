// Everything one worker thread owns for proxying: its upstream pools, its per-snapshot cluster
// runtime table, its DNS cache and its random generator. Created on the worker's thread and used only there.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>

#include "proxy/connection_memory.h"
#include "proxy/forward_scratch.h"
#include "proxy/parked_connections.h"
#include "proxy/proxy_options.h"
#include "proxy/request_observer.h"
#include "proxy/stream_watch.h"

#include "core/random.h"
#include "policy/cluster_state.h"
#include "snapshot/snapshot_store.h"
#include "upstream/cluster_runtime.h"
#include "upstream/connection_pool.h"
#include "upstream/dns_cache.h"
#include "upstream/h2_upstream.h"

namespace sy::proxy {

class WorkerContext {
 public:
  WorkerContext(boost::asio::io_context& io, const snapshot::SnapshotStore& store, int index, ProxyOptions options)
      : io_(io),
        store_(store),
        pool_(&io),
        parked_(io),
        dns_(io, options.dns_refresh),
        rng_(entropy_seed() ^ (static_cast<uint64_t>(index) * 0x9E3779B97F4A7C15ull)),
        options_(options),
        stream_watches_(io, options.stream_idle) {}

  boost::asio::io_context& io() { return io_; }
  upstream::ConnectionPool& pool() { return pool_; }
  upstream::H2Pool& h2_pool() { return h2_pool_; }
  upstream::DnsCache& dns() { return dns_; }
  Random& rng() { return rng_; }
  const ProxyOptions& options() const { return options_; }
  FreeList<ForwardScratch>& forward_scratch() { return forward_scratch_; }
  FreeList<ConnectionMemory>& connection_memory() { return connection_memory_; }
  ParkedConnections& parked() { return parked_; }
  StreamWatchList& stream_watches() { return stream_watches_; }

  // Per-request bookkeeping for drain and observation. in_flight() and draining() may be read
  // from any thread; the rest is worker-only.
  void request_started() { in_flight_.fetch_add(1, std::memory_order_relaxed); }
  void request_finished(const http::RequestHead& head, const RequestInfo& info) {
    in_flight_.fetch_sub(1, std::memory_order_relaxed);
    if (observer_) observer_->on_request_done(head, info);
  }
  void connection_opened(const RequestInfo& info) {
    if (observer_) observer_->on_connection_opened(info);
  }
  int64_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }
  void begin_drain() { draining_.store(true, std::memory_order_relaxed); }
  bool draining() const { return draining_.load(std::memory_order_relaxed); }
  void set_observer(RequestObserver* o) { observer_ = o; }

  // Cross-worker cluster state (breakers, retry budgets, outlier detectors). The server sets its
  // one registry on every worker before they start; a context without one (unit tests) uses its
  // own, so limits then hold per worker only.
  void set_cluster_states(policy::ClusterStateRegistry* r) { registry_ = r; }
  policy::ClusterStateRegistry& cluster_states() {
    if (registry_ == nullptr) {
      own_registry_ = std::make_unique<policy::ClusterStateRegistry>();
      registry_ = own_registry_.get();
    }
    return *registry_;
  }

  // The cluster table of the snapshot in force, rebuilt when a new snapshot was published (the
  // server also calls it right after a reload, so idle pools are pruned without waiting for a
  // request). The caller keeps the shared_ptr for the whole request.
  std::shared_ptr<upstream::ClusterTable> current() {
    const uint64_t generation = store_.generation();
    if (table_ && generation == table_generation_) return table_;  // the usual case: one acquire load
    table_generation_ = generation;
    auto snap = store_.load();
    if (!table_ || &table_->snapshot() != snap.get()) {
      auto states = cluster_states().bind(*snap, std::chrono::steady_clock::now());
      table_ = std::make_shared<upstream::ClusterTable>(std::move(snap), rng_.next(), &dns_, &pool_);
      table_->set_states(std::move(states));
      pool_.retain_only(table_->known_endpoints());  // pools to removed endpoints drain
    }
    return table_;
  }

 private:
  boost::asio::io_context& io_;
  const snapshot::SnapshotStore& store_;
  upstream::ConnectionPool pool_;
  upstream::H2Pool h2_pool_;  // HTTP/2 upstream connections (several requests each)
  // Sized for the requests a busy worker has in flight at once; a burst beyond that allocates and
  // frees, rather than keeping a burst's worth of memory (each scratch is about 25 KiB) forever.
  FreeList<ForwardScratch> forward_scratch_{64};
  // Parked connections return theirs here (about 11 KiB each); same reasoning.
  FreeList<ConnectionMemory> connection_memory_{64};
  ParkedConnections parked_;  // idle client connections holding no coroutine (http1_connection.h)
  upstream::DnsCache dns_;
  std::shared_ptr<upstream::ClusterTable> table_;
  uint64_t table_generation_ = 0;  // SnapshotStore::generation() when table_ was last checked
  Random rng_;
  ProxyOptions options_;
  StreamWatchList stream_watches_;
  RequestObserver* observer_ = nullptr;
  policy::ClusterStateRegistry* registry_ = nullptr;
  std::unique_ptr<policy::ClusterStateRegistry> own_registry_;
  std::atomic<int64_t> in_flight_{0};
  std::atomic<bool> draining_{false};
};

}  // namespace sy::proxy
