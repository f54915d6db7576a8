// The running data plane: N workers, each with its own loop, its own listening sockets
// (SO_REUSEPORT on the same ports) and its own WorkerContext. Owned by run_serve on the main
// thread. A worker's acceptor map and listener stats are only touched on that worker's thread
// (changes are posted); sockets are opened on the main thread, then handed over by post.
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "net/worker.h"
#include "obs/listener_stats.h"
#include "proxy/listener_binding.h"
#include "proxy/worker_context.h"
#include "server/accept_loop.h"
#include "server/connection_limit.h"
#include "server/listener_failure.h"
#include "server/memory_guard.h"
#include "server/serve_options.h"
#include "snapshot/snapshot_store.h"

namespace sy::server {

class ProxyServer {
 public:
  ProxyServer(const ServeOptions& opts, const snapshot::SnapshotStore& store);
  ~ProxyServer();

  // The control thread samples it (serve.cc); the accept loops read its verdict.
  MemoryGuard& memory_guard() { return memory_guard_; }

  // Opens the current snapshot's listeners and the mesh listeners on every worker, then starts
  // the worker threads. Returns false (with `error`) when a port cannot be opened.
  bool start(std::string& error);
  // After a reload: opens listeners the new snapshot added and closes the ones it removed.
  // Listeners that stay keep their sockets, so there is no accept gap. A port that cannot be
  // opened is logged and remembered as failed; this and retry_failed() try it again.
  void sync_listeners(const snapshot::Snapshot& snap);
  // Retries the listeners that failed to open (the control thread calls it every second).
  // Returns true when some are still failing.
  bool retry_failed();
  // Copies of the failing listeners; safe from any thread (the admin API reads them).
  std::vector<ListenerFailure> listener_failures() const;
  // After a reload: every worker adopts the new snapshot now rather than at its next request,
  // so idle upstream connections to endpoints the config no longer has are closed right away.
  void refresh_workers();
  // Stops accepting new connections and asks workers to close idle keep-alive connections.
  void stop_accepting();
  // Requests in flight on all workers (for graceful drain).
  int64_t in_flight() const;
  void stop();
  // Human-readable list of what is being listened on.
  std::vector<std::string> endpoints() const;
  size_t worker_count() const { return slots_.size(); }
  proxy::WorkerContext& worker_context(size_t i) { return *slots_[i].ctx; }
  net::Worker& worker(size_t i) { return *slots_[i].worker; }
  // Worker i's downstream connection counters; read on worker i's thread only.
  const obs::ListenerStats& listener_stats(size_t i) const { return *slots_[i].stats; }

 private:
  struct Listening {
    std::string host;
    uint16_t port = 0;
    proxy::ListenerBinding binding;
  };
  struct Slot {
    std::unique_ptr<obs::ListenerStats> stats;  // first: outlives the worker's connections
    std::unique_ptr<net::Worker> worker;
    std::unique_ptr<proxy::WorkerContext> ctx;
    std::map<std::string, std::shared_ptr<boost::asio::ip::tcp::acceptor>> acceptors;  // key "host:port"
    // Per listener address; never removed (connections outlive their listener). Worker thread only.
    std::map<std::string, AcceptedBy> accepted_by;
  };
  std::map<std::string, Listening> desired(const snapshot::Snapshot& snap) const;
  // Opens `l` on every worker or on none; on success each worker starts accepting on it.
  bool open_everywhere(const std::string& key, const Listening& l, std::string& error);
  void note_failure(const std::string& key, const Listening& l, const std::string& error);
  static void close(Slot& slot, const std::string& key);

  const ServeOptions& opts_;
  const snapshot::SnapshotStore& store_;
  ConnectionLimit connection_limit_;
  MemoryGuard memory_guard_;
  std::vector<Slot> slots_;
  // Main thread's view: what is open on every worker, and what is wanted but failed to open.
  std::map<std::string, Listening> open_;
  struct Failed {
    Listening listening;
    ListenerFailure failure;
  };
  mutable std::mutex failed_mu_;  // guards failed_ for listener_failures() readers; written on the main thread
  std::map<std::string, Failed> failed_;
  bool accepting_ = true;  // main thread; false once draining
};

}  // namespace sy::server
