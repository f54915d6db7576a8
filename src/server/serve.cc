#include <fcntl.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <filesystem>
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

// What each worker reports its finished requests to: its access log (when the log is on), then
// its metrics, behind one FanOut. Owned by run_serve and outliving the workers' event loops,
// since each worker holds raw pointers into it; each element is touched only by its worker
// (the admin thread reads metrics by posting to that worker).
struct WorkerObservers {
  std::vector<std::unique_ptr<obs::AccessLog>> logs;         // one per worker, or none when the log is off
  std::vector<std::unique_ptr<obs::WorkerMetrics>> metrics;  // one per worker, by worker index
  std::vector<std::unique_ptr<obs::FanOut>> fan_outs;        // one per worker: access log, then metrics
};

// Gives every worker its observers. `log_fd` < 0: no access log. The flush timers run on the
// workers' own loops, so a log buffer is never touched from two threads.
WorkerObservers attach_observers(ProxyServer& server, const snapshot::SnapshotStore& store, int log_fd,
                                 obs::AccessLogFormat format) {
  WorkerObservers o;
  for (size_t i = 0; i < server.worker_count(); ++i) {
    o.fan_outs.push_back(std::make_unique<obs::FanOut>());
    if (log_fd >= 0) {
      o.logs.push_back(std::make_unique<obs::AccessLog>(log_fd, format));
      o.fan_outs.back()->add(o.logs.back().get());
      schedule_flush(server.worker(i).io(), *o.logs.back(),
                     std::make_shared<asio::steady_timer>(server.worker(i).io()));
    }
    o.metrics.push_back(std::make_unique<obs::WorkerMetrics>(store));
    o.fan_outs.back()->add(o.metrics.back().get());
    server.worker_context(i).set_observer(o.fan_outs.back().get());
  }
  return o;
}

// The admin listener (its own thread), wired to ask the workers and the control thread for data
// by message. Null when `--admin off`, or when its port cannot be opened: an unavailable admin
// port (say, a second instance on the default 15000) must not take the data plane down with it,
// so that is said loudly and traffic is served without the admin listener.
std::unique_ptr<admin::AdminServer> start_admin(const ServeOptions& opts, const snapshot::SnapshotStore& store,
                                                asio::io_context& control, const Reloader& reloader,
                                                ProxyServer& server, const WorkerObservers& observers,
                                                policy::ClusterStateRegistry& cluster_states, bool ready) {
  if (opts.admin == "off") return nullptr;
  admin::AdminSources src;
  src.store = &store;
  src.control = &control;
  src.reloader = &reloader;
  for (size_t i = 0; i < server.worker_count(); ++i)
    src.workers.push_back(
        {&server.worker(i), &server.worker_context(i), observers.metrics[i].get(), &server.listener_stats(i)});
  auto app = opts.selector.find("app");
  if (app != opts.selector.end()) src.identity.source_workload = app->second;
  src.identity.source_namespace = opts.proxy_namespace;
  src.cluster_view = [&cluster_states] { return cluster_states.view(); };    // view() locks its own mutex
  src.listener_failures = [&server] { return server.listener_failures(); };  // locks its own mutex too
  auto admin_server = std::make_unique<admin::AdminServer>(std::move(src));
  // Queued before the admin thread runs, so it comes before any request: a /ready probe in the
  // first moments would otherwise see 503 although a config is in force.
  admin_server->set_ready(ready);
  std::string error;
  if (!admin_server->start(opts.admin, error)) {
    spdlog::error("{}; serving without the admin listener", error);
    return nullptr;
  }
  spdlog::info("admin listening on {}:{}", opts.admin.substr(0, opts.admin.rfind(':')), admin_server->port());
  return admin_server;
}

// Runs `action` on the timer's thread every `interval` until the timer is cancelled (the drain
// cancels it). The control thread's periodic chores share this one shape.
void every(asio::steady_timer& timer, std::chrono::milliseconds interval, std::function<void()> action) {
  timer.expires_after(interval);
  timer.async_wait([&timer, interval, action = std::move(action)](boost::system::error_code ec) mutable {
    if (ec) return;
    action();
    every(timer, interval, std::move(action));
  });
}

void every_second(asio::steady_timer& timer, std::function<void()> action) {
  every(timer, std::chrono::seconds(1), std::move(action));
}

constexpr std::chrono::milliseconds kMemorySampleInterval{250};

// The config paths, and the directories of the workload certificate files: istio-agent rotates
// those (by rename), and a rotation must reach new handshakes like an edited Secret does.
std::vector<std::string> watched_paths(const ServeOptions& opts) {
  std::vector<std::string> paths = opts.config_paths;
  for (const std::string* file : {&opts.workload_cert, &opts.workload_key, &opts.workload_ca}) {
    if (file->empty()) continue;
    std::string dir = std::filesystem::path(*file).parent_path().string();
    if (dir.empty()) dir = ".";
    if (std::find(paths.begin(), paths.end(), dir) == paths.end()) paths.push_back(dir);
  }
  return paths;
}

// Reloads the config on every SIGHUP until the signal set is cancelled (the drain cancels it).
void reload_on_sighup(asio::signal_set& hup, std::function<void()> reload) {
  hup.async_wait([&hup, reload = std::move(reload)](boost::system::error_code ec, int) mutable {
    if (ec) return;
    spdlog::info("SIGHUP: reloading");
    reload();
    reload_on_sighup(hup, std::move(reload));
  });
}

// The drain's wait: stops the control loop once no request is in flight or the drain time is
// over, whichever comes first. Polled every 20 ms because in_flight() is a sum of the workers'
// atomics, with nothing to wait on.
void stop_when_drained(asio::io_context& control, asio::steady_timer& timer, const ProxyServer& server,
                       std::chrono::steady_clock::time_point deadline) {
  if (server.in_flight() == 0 || std::chrono::steady_clock::now() >= deadline) {
    if (server.in_flight() > 0) spdlog::warn("drain time over with {} request(s) in flight", server.in_flight());
    control.stop();
    return;
  }
  timer.expires_after(std::chrono::milliseconds(20));
  timer.async_wait([&control, &timer, &server, deadline](boost::system::error_code ec) {
    if (!ec) stop_when_drained(control, timer, server, deadline);
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
  const auto format = opts.access_log_format == "json" ? obs::AccessLogFormat::kJson : obs::AccessLogFormat::kText;
  WorkerObservers observers = attach_observers(server, store, log_fd, format);

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
  ConfigWatcher watcher(main_io, watched_paths(opts), opts.reload_debounce, reload);
  if (opts.watch && !watcher.start()) spdlog::warn("inotify unavailable: reload with SIGHUP");
  // An edit between the first load and the start of watching raised no event: load once more now
  // that nothing can be missed (an unchanged config is recognised by its hash and not published).
  if (opts.watch) {
    reloader.reload(&server, /*catch_up=*/true);
    update_ready();
  }

  // Admin listener: its own thread; asks the workers and this thread for data by message.
  admin_server =
      start_admin(opts, store, main_io, reloader, server, observers, cluster_states, reloader.status().applied);

  asio::signal_set hup(main_io, SIGHUP);
  reload_on_sighup(hup, reload);

  // Outlier detection: un-eject endpoints whose ejection time is over. Each detector decides by
  // its own `interval` whether a sweep is due; this timer only gives it the chance every second.
  asio::steady_timer outlier_timer(main_io);
  every_second(outlier_timer, [&] { cluster_states.sweep_all(std::chrono::steady_clock::now()); });

  // Listeners whose port could not be opened on a reload: try again every second until they open.
  asio::steady_timer listener_retry(main_io);
  every_second(listener_retry, [&] { server.retry_failed(); });

  // The overload guard's memory sample; a flood of new connections grows memory fast, so more
  // often than the once-a-second chores.
  asio::steady_timer memory_timer(main_io);
  every(memory_timer, kMemorySampleInterval, [&] { server.memory_guard().sample(); });

  asio::signal_set term(main_io, SIGINT, SIGTERM);
  asio::steady_timer drain_timer(main_io);
  term.async_wait([&](boost::system::error_code ec, int sig) {
    if (ec) return;
    spdlog::info("signal {}: no longer accepting; draining up to {} ms", sig, opts.drain_time.count());
    draining = true;
    update_ready();
    server.stop_accepting();
    hup.cancel();
    outlier_timer.cancel();
    listener_retry.cancel();
    memory_timer.cancel();
    stop_when_drained(main_io, drain_timer, server, std::chrono::steady_clock::now() + opts.drain_time);
  });
  main_io.run();
  if (admin_server) admin_server->stop();  // before the workers: a scrape may be waiting on them
  server.stop();
  observers.logs.clear();  // flushes
  if (log_fd > STDERR_FILENO) ::close(log_fd);
  spdlog::info("stopped");
  return 0;
}

}  // namespace sy::server
