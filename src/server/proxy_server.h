// The running data plane: N workers, each with its own loop, its own listening sockets
// (SO_REUSEPORT on the same ports) and its own WorkerContext. Owned by run_serve on the main
// thread. A worker's acceptors are only touched on that worker's thread (changes are posted).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "net/worker.h"
#include "proxy/listener_binding.h"
#include "proxy/worker_context.h"
#include "server/serve_options.h"
#include "snapshot/snapshot_store.h"

namespace sy::server {

class ProxyServer {
 public:
  ProxyServer(const ServeOptions& opts, const snapshot::SnapshotStore& store);
  ~ProxyServer();

  // Opens the current snapshot's listeners and the mesh listeners on every worker, then starts
  // the worker threads. Returns false (with `error`) when a port cannot be opened.
  bool start(std::string& error);
  // After a reload: opens listeners the new snapshot added and closes the ones it removed.
  // Listeners that stay keep their sockets, so there is no accept gap.
  void sync_listeners(const snapshot::Snapshot& snap);
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

 private:
  struct Listening {
    std::string host;
    uint16_t port = 0;
    proxy::ListenerBinding binding;
  };
  struct Slot {
    std::unique_ptr<net::Worker> worker;
    std::unique_ptr<proxy::WorkerContext> ctx;
    std::map<std::string, std::shared_ptr<boost::asio::ip::tcp::acceptor>> acceptors;  // key "host:port"
  };
  std::map<std::string, Listening> desired(const snapshot::Snapshot& snap) const;
  static bool open(Slot& slot, const Listening& l, std::string& error);
  static void close(Slot& slot, const std::string& key);

  const ServeOptions& opts_;
  const snapshot::SnapshotStore& store_;
  std::vector<Slot> slots_;
  std::map<std::string, Listening> open_;  // main thread's view of what is open
  bool started_ = false;
};

}  // namespace sy::server
