// The admin listener (--admin, default 127.0.0.1:15000): a small HTTP/1.1 server on its own
// thread and io_context, never on a traffic worker and never bound by traffic listeners.
// One request per connection (Connection: close); GET only.
//
// Threads: everything in AdminServer runs on the admin thread. Data owned elsewhere is fetched by
// message: a scrape posts to each worker, which copies its metrics and posts the copy back; the
// reload status is copied the same way on the control (main) thread. The snapshot comes from the
// SnapshotStore (immutable, atomic load).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "net/worker.h"
#include "obs/listener_stats.h"
#include "obs/metrics.h"
#include "policy/cluster_state.h"
#include "proxy/worker_context.h"
#include "server/listener_failure.h"
#include "server/reloader.h"
#include "snapshot/snapshot_store.h"

namespace sy::admin {

struct AdminSources {
  const snapshot::SnapshotStore* store = nullptr;
  boost::asio::io_context* control = nullptr;  // the thread that owns `reloader`
  const server::Reloader* reloader = nullptr;
  struct WorkerRef {
    net::Worker* loop = nullptr;
    const proxy::WorkerContext* ctx = nullptr;      // in_flight() only (atomic)
    const obs::WorkerMetrics* metrics = nullptr;    // read on `loop` only
    const obs::ListenerStats* listeners = nullptr;  // read on `loop` only
  };
  std::vector<WorkerRef> workers;
  // Shared cluster state (breakers, outlier), callable from any thread; empty when unavailable.
  std::function<std::vector<policy::ClusterStateRegistry::ClusterView>()> cluster_view;
  // Listeners the config wants whose port has not opened yet; callable from any thread, may be empty.
  std::function<std::vector<server::ListenerFailure>()> listener_failures;
  obs::ScrapeExtras identity;  // source_workload / namespace
};

struct Response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

class AdminServer {
 public:
  explicit AdminServer(AdminSources sources);
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;
  ~AdminServer();

  // Binds "host:port" and starts the admin thread. Main thread, once.
  bool start(const std::string& address, std::string& error);
  // Stops and joins the admin thread. Call before the workers and the control loop stop, since
  // an unfinished scrape waits on them.
  void stop();
  // Any thread: /ready answers 200 only while ready (listeners up, config applied, not draining).
  void set_ready(bool ready);
  uint16_t port() const { return port_; }

  // Admin thread: answers one request; `done` may run later (after a round trip to the workers).
  void handle(const std::string& method, const std::string& target, std::function<void(Response)> done);

 private:
  void accept();
  void scrape(std::function<void(Response)> done);
  void with_status(std::function<void(server::ReloadStatus)> then);

  AdminSources src_;
  boost::asio::io_context io_{1};
  boost::asio::ip::tcp::acceptor acceptor_{io_};
  std::thread thread_;
  uint16_t port_ = 0;
  bool ready_ = false;                          // admin thread
  std::promise<void>* accept_ended_ = nullptr;  // admin thread; set by stop()
};

}  // namespace sy::admin
