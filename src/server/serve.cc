#include <fcntl.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>

#include "admin/admin_server.h"
#include "obs/access_log.h"
#include "obs/fan_out.h"
#include "obs/metrics.h"
#include "policy/cluster_state.h"
#include "server/config_watcher.h"
#include "server/proxy_server.h"
#include "server/reloader.h"
#include "server/serve_options.h"

namespace sy::server {

namespace asio = boost::asio;

namespace {

// Opens the access-log destination. -1 = off.
int open_access_log(const std::string& where) {
  if (where == "off") return -1;
  if (where == "-") return STDOUT_FILENO;
  return ::open(where.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

// Flushes a worker's access-log buffer once a second, on that worker.
void schedule_flush(asio::io_context& io, obs::AccessLog& log, std::shared_ptr<asio::steady_timer> timer) {
  timer->expires_after(std::chrono::seconds(1));
  timer->async_wait([&io, &log, timer](boost::system::error_code ec) {
    if (ec) return;
    log.flush();
    schedule_flush(io, log, timer);
  });
}

}  // namespace

int run_serve(const ServeOptions& opts) {
  snapshot::SnapshotStore store;
  Reloader reloader(opts, store);
  reloader.reload(nullptr);

  ProxyServer server(opts, store);
  // Cross-worker cluster state (circuit breakers, retry budgets, outlier detection): one per
  // process, bound per snapshot by each worker, swept by the control thread below.
  policy::ClusterStateRegistry cluster_states;
  for (size_t i = 0; i < server.worker_count(); ++i) server.worker_context(i).set_cluster_states(&cluster_states);

  const int log_fd = open_access_log(opts.access_log);
  if (log_fd < 0 && opts.access_log != "off") {
    spdlog::error("cannot open access log {}", opts.access_log);
    return 1;
  }
  std::vector<std::unique_ptr<obs::AccessLog>> logs;
  std::vector<std::unique_ptr<obs::WorkerMetrics>> metrics;
  std::vector<std::unique_ptr<obs::FanOut>> observers;  // per worker: access log, then metrics
  for (size_t i = 0; i < server.worker_count(); ++i) {
    observers.push_back(std::make_unique<obs::FanOut>());
    if (log_fd >= 0) {
      auto format = opts.access_log_format == "json" ? obs::AccessLogFormat::kJson : obs::AccessLogFormat::kText;
      logs.push_back(std::make_unique<obs::AccessLog>(log_fd, format));
      observers.back()->add(logs.back().get());
      schedule_flush(server.worker(i).io(), *logs.back(), std::make_shared<asio::steady_timer>(server.worker(i).io()));
    }
    metrics.push_back(std::make_unique<obs::WorkerMetrics>(store));
    observers.back()->add(metrics.back().get());
    server.worker_context(i).set_observer(observers.back().get());
  }

  std::string error;
  if (!server.start(error)) {
    spdlog::error("{}", error);
    return 1;
  }
  for (const auto& ep : server.endpoints()) spdlog::info("listening on {}", ep);

  // The main thread is the control thread: signals, config watching, reloads, drain.
  asio::io_context main_io;
  std::unique_ptr<admin::AdminServer> admin_server;
  bool draining = false;
  // /ready: 200 once a config has taken effect (a first config that was broken or absent turns
  // it on when a later reload applies one), 503 from the start of the drain on.
  auto update_ready = [&] {
    if (admin_server) admin_server->set_ready(!draining && reloader.status().applied);
  };
  std::function<void()> reload = [&] {
    reloader.reload(&server);
    update_ready();
  };
  ConfigWatcher watcher(main_io, opts.config_paths, opts.reload_debounce, reload);
  if (opts.watch && !watcher.start()) spdlog::warn("inotify unavailable: reload with SIGHUP");

  // Admin listener: its own thread; asks the workers and this thread for data by message.
  if (opts.admin != "off") {
    admin::AdminSources src;
    src.store = &store;
    src.control = &main_io;
    src.reloader = &reloader;
    for (size_t i = 0; i < server.worker_count(); ++i)
      src.workers.push_back(
          {&server.worker(i), &server.worker_context(i), metrics[i].get(), &server.listener_stats(i)});
    auto app = opts.selector.find("app");
    if (app != opts.selector.end()) src.identity.source_workload = app->second;
    src.identity.source_namespace = opts.proxy_namespace;
    src.cluster_view = [&cluster_states] { return cluster_states.view(); };    // view() locks its own mutex
    src.listener_failures = [&server] { return server.listener_failures(); };  // locks its own mutex too
    admin_server = std::make_unique<admin::AdminServer>(std::move(src));
    // An unavailable admin port (say, a second instance on the default 15000) must not take the
    // data plane down with it: say so loudly and serve traffic without the admin listener.
    if (admin_server->start(opts.admin, error)) {
      spdlog::info("admin listening on {}:{}", opts.admin.substr(0, opts.admin.rfind(':')), admin_server->port());
      update_ready();
    } else {
      spdlog::error("{}; serving without the admin listener", error);
      admin_server.reset();
    }
  }

  asio::signal_set hup(main_io, SIGHUP);
  std::function<void()> wait_hup = [&] {
    hup.async_wait([&](boost::system::error_code ec, int) {
      if (ec) return;
      spdlog::info("SIGHUP: reloading");
      reload();
      wait_hup();
    });
  };
  wait_hup();

  // Outlier detection: un-eject endpoints whose ejection time is over. Each detector decides by
  // its own `interval` whether a sweep is due; this timer only gives it the chance every second.
  asio::steady_timer outlier_timer(main_io);
  std::function<void()> sweep_outliers = [&] {
    outlier_timer.expires_after(std::chrono::seconds(1));
    outlier_timer.async_wait([&](boost::system::error_code ec) {
      if (ec) return;
      cluster_states.sweep_all(std::chrono::steady_clock::now());
      sweep_outliers();
    });
  };
  sweep_outliers();

  // Listeners whose port could not be opened on a reload: try again every second until they open.
  asio::steady_timer listener_retry(main_io);
  std::function<void()> retry_listeners = [&] {
    listener_retry.expires_after(std::chrono::seconds(1));
    listener_retry.async_wait([&](boost::system::error_code ec) {
      if (ec) return;
      server.retry_failed();
      retry_listeners();
    });
  };
  retry_listeners();

  asio::signal_set term(main_io, SIGINT, SIGTERM);
  asio::steady_timer drain_timer(main_io);
  const auto drain_deadline = std::make_shared<std::chrono::steady_clock::time_point>();
  std::function<void()> poll_drain = [&] {
    if (server.in_flight() == 0 || std::chrono::steady_clock::now() >= *drain_deadline) {
      if (server.in_flight() > 0) spdlog::warn("drain time over with {} request(s) in flight", server.in_flight());
      main_io.stop();
      return;
    }
    drain_timer.expires_after(std::chrono::milliseconds(20));
    drain_timer.async_wait([&](boost::system::error_code ec) {
      if (!ec) poll_drain();
    });
  };
  term.async_wait([&](boost::system::error_code ec, int sig) {
    if (ec) return;
    spdlog::info("signal {}: no longer accepting; draining up to {} ms", sig, opts.drain_time.count());
    draining = true;
    update_ready();
    server.stop_accepting();
    hup.cancel();
    outlier_timer.cancel();
    listener_retry.cancel();
    *drain_deadline = std::chrono::steady_clock::now() + opts.drain_time;
    poll_drain();
  });
  main_io.run();
  if (admin_server) admin_server->stop();  // before the workers: a scrape may be waiting on them
  server.stop();
  logs.clear();  // flushes
  if (log_fd > STDERR_FILENO) ::close(log_fd);
  spdlog::info("stopped");
  return 0;
}

}  // namespace sy::server
