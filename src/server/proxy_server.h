// The running data plane: N workers, each with its own loop, its own listening sockets
// (SO_REUSEPORT on the same ports) and its own WorkerContext. Owned by run_serve on the main
// thread; workers only ever touch their own slot.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <memory>
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

  // Opens every listener of the current snapshot plus the mesh listeners on every worker, then
  // starts the worker threads. Returns false (with `error`) if a port cannot be opened.
  bool start(std::string& error);
  // Stops accepting new connections (existing ones continue).
  void stop_accepting();
  // Stops the loops and joins the threads.
  void stop();
  // Human-readable list of what is being listened on.
  const std::vector<std::string>& endpoints() const { return endpoints_; }

 private:
  struct Slot {
    std::unique_ptr<net::Worker> worker;
    std::unique_ptr<proxy::WorkerContext> ctx;
    std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> acceptors;
  };
  bool open(Slot& slot, const std::string& host, uint16_t port, proxy::ListenerBinding binding, std::string& error);

  const ServeOptions& opts_;
  const snapshot::SnapshotStore& store_;
  std::vector<Slot> slots_;
  std::vector<std::string> endpoints_;
};

}  // namespace sy::server
