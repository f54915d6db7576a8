#include "server/reloader.h"

#include <spdlog/spdlog.h>
#include <chrono>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "config/loader.h"
#include "server/proxy_server.h"
#include "snapshot/compile.h"

namespace sy::server {
namespace {

// Gives the pages freed since the last reload back to the kernel. A load builds yaml-cpp node
// trees several times the size of the model (188 MiB at the peak for 10,000 VirtualServices)
// and frees them at once; glibc keeps most of that memory mapped otherwise, and RSS stays high.
void return_freed_memory() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

}  // namespace

bool Reloader::reload(ProxyServer* server, bool catch_up) {
  const auto started = std::chrono::steady_clock::now();
  // Files unchanged since they were last admitted whole are not parsed again (admission.h).
  config::AdmissionResult admitted = admission_.admit(config::load_paths(
      opts_.config_paths, [this](const std::string& file, uint64_t hash) { return admission_.reusable(file, hash); }));
  for (const auto& d : admitted.diagnostics.items())
    if (d.severity == config::Severity::kError) spdlog::error("{}", d.to_string());
  for (const auto& r : admitted.rejected)
    spdlog::error("rejected {} ({}){}", r.key, r.errors.empty() ? "see above" : r.errors.front().message,
                  r.kept_previous ? "; its last good version stays in force" : "");

  const bool failed = !admitted.rejected.empty();
  const auto& cs = *admitted.config;
  const bool has_objects = !cs.gateways.empty() || !cs.virtual_services.empty() || !cs.destination_rules.empty() ||
                           !cs.service_entries.empty() || !cs.workload_entries.empty() || !cs.secrets.empty() ||
                           !cs.services.empty() || !cs.endpoint_slices.empty();
  const bool clean = !failed && !admitted.diagnostics.has_errors();
  if (has_objects || clean) {
    std::lock_guard lock(status_mu_);
    status_.applied = true;
  }

  snapshot::CompileOptions copts;
  copts.version = status_.version + 1;
  copts.proxy_namespace = opts_.proxy_namespace;
  copts.proxy_labels = opts_.selector;
  copts.locality = opts_.locality;
  copts.workload = snapshot::read_workload_identity(opts_.workload_cert, opts_.workload_key, opts_.workload_ca);
  copts.trust_domain = opts_.trust_domain;
  // Shared with the snapshot (the const& overload would copy the whole config on every reload);
  // admission keeps the same ConfigSet for last-good versions, so the model is held once.
  auto snap = snapshot::compile(admitted.config, copts);

  // The same effective config (an editor's save without changes, a rejected edit that kept the
  // last good versions, a SIGHUP): nothing to publish, workers keep their tables.
  if (status_.version > 0 && snap->content_hash == status_.content_hash) {
    spdlog::debug("config unchanged ({:016x})", snap->content_hash);
    snap.reset();
    admitted.config.reset();
    admission_.keep_previous();  // the config in force stays the one copy of the model
    if (catch_up) {
      return_freed_memory();
      return true;
    }
    {
      std::lock_guard lock(status_mu_);
      ++(failed ? status_.reloads_failed : status_.reloads_ok);
      ++status_.reloads_unchanged;
      status_.rejected = std::move(admitted.rejected);
    }
    if (server) server->retry_failed();  // a reload is also a retry of listeners that failed to open
    admitted = {};
    return_freed_memory();
    return true;
  }
  // Warnings once per config version: what is accepted but not (or not yet) in force is said.
  for (const auto& d : admitted.diagnostics.items())
    if (d.severity != config::Severity::kError) spdlog::warn("{}", d.to_string());
  for (const auto& d : snap->diagnostics.items()) spdlog::warn("{}", d.to_string());
  store_.publish(snap);
  {
    std::lock_guard lock(status_mu_);
    status_.version = snap->version;
    status_.content_hash = snap->content_hash;
    ++(failed ? status_.reloads_failed : status_.reloads_ok);
    status_.rejected = std::move(admitted.rejected);
  }
  if (server) {
    server->sync_listeners(*snap);
    server->refresh_workers();
  }
  const auto ms =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count() /
      1000.0;
  spdlog::info("config version {} ({:016x}) applied in {:.1f} ms: {} listener(s), {} cluster(s){}", snap->version,
               snap->content_hash, ms, snap->listeners.size(), snap->clusters.size(),
               failed ? fmt::format(", {} rejected", status_.rejected.size()) : "");
  return_freed_memory();  // after the log line: its time is the apply time, not the trim's
  return true;
}

}  // namespace sy::server
