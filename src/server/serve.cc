#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <spdlog/spdlog.h>

#include "config/loader.h"
#include "config/validate.h"
#include "server/proxy_server.h"
#include "server/serve_options.h"
#include "snapshot/compile.h"

namespace sy::server {

namespace asio = boost::asio;

namespace {

std::shared_ptr<const snapshot::Snapshot> load_snapshot(const ServeOptions& opts, uint64_t version, bool& ok) {
  config::LoadResult loaded = config::load_paths(opts.config_paths);
  config::Diagnostics diags = loaded.diagnostics;
  config::validate(loaded.config, diags);
  for (const auto& d : diags.items()) {
    if (d.severity == config::Severity::kError)
      spdlog::error("{}", d.to_string());
    else
      spdlog::warn("{}", d.to_string());
  }
  ok = !diags.has_errors();
  snapshot::CompileOptions copts;
  copts.version = version;
  copts.proxy_namespace = opts.proxy_namespace;
  copts.proxy_labels = opts.selector;
  return snapshot::compile(loaded.config, copts);
}

}  // namespace

int run_serve(const ServeOptions& opts) {
  snapshot::SnapshotStore store;
  bool ok = false;
  auto snap = load_snapshot(opts, 1, ok);
  if (!ok) {
    spdlog::error("the configuration has errors; not starting (run `switchyard validate` for the full list)");
    return 1;
  }
  store.publish(snap);
  spdlog::info("config version {} ({:016x}): {} listener(s), {} cluster(s)", snap->version, snap->content_hash,
               snap->listeners.size(), snap->clusters.size());

  ProxyServer server(opts, store);
  std::string error;
  if (!server.start(error)) {
    spdlog::error("{}", error);
    return 1;
  }
  for (const auto& ep : server.endpoints()) spdlog::info("listening on {}", ep);

  // The main thread only waits for signals; workers do all the traffic.
  asio::io_context main_io;
  asio::signal_set signals(main_io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("signal {}: no longer accepting, draining for up to {} ms", sig, opts.drain_time.count());
    server.stop_accepting();
    auto timer = std::make_shared<asio::steady_timer>(main_io, opts.drain_time);
    timer->async_wait([timer](const boost::system::error_code&) {});
  });
  main_io.run();
  server.stop();
  spdlog::info("stopped");
  return 0;
}

}  // namespace sy::server
