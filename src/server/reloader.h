// Turns the --config paths into published snapshots: load, admit object by object (a broken
// object keeps its last good version), compile off the worker threads, publish with one atomic
// store, then open/close the listeners that changed. Runs on the main (control) thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "config/admission.h"
#include "server/serve_options.h"
#include "snapshot/snapshot_store.h"

namespace sy::server {

class ProxyServer;

struct ReloadStatus {
  uint64_t version = 0;  // applied config version (counter)
  uint64_t content_hash = 0;
  uint64_t reloads_ok = 0;         // reloads where everything was admitted
  uint64_t reloads_failed = 0;     // reloads where at least one object or file was rejected
  uint64_t reloads_unchanged = 0;  // of both: reloads whose result equalled the config in force
  // A config has taken effect: some reload admitted at least one object, or loaded a clean
  // (error-free, possibly empty) config. Stays true: later broken reloads keep the last good
  // objects. False while every load so far failed outright (missing path, nothing parseable).
  bool applied = false;
  std::vector<config::Rejection> rejected;  // of the last reload (still in force: they are not fixed yet)
};

class Reloader {
 public:
  Reloader(const ServeOptions& opts, snapshot::SnapshotStore& store) : opts_(opts), store_(store) {}

  // Loads and publishes a new snapshot; `server` (may be null before start) gets its listeners
  // synced. Returns false when nothing could be published (first load only).
  // `catch_up`: a look for changes nobody signalled (right after the watcher starts); when the
  // config turns out unchanged it is not counted as a reload.
  bool reload(ProxyServer* server, bool catch_up = false);
  // A copy of the current status; safe from any thread (the admin API reads it from a worker).
  ReloadStatus status() const {
    std::lock_guard lock(status_mu_);
    return status_;
  }

 private:
  const ServeOptions& opts_;
  snapshot::SnapshotStore& store_;
  config::AdmissionState admission_;
  mutable std::mutex status_mu_;  // guards status_ against status() readers; written here only
  ReloadStatus status_;
};

}  // namespace sy::server
