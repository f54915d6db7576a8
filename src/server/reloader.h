// Turns the --config paths into published snapshots: load, admit object by object (a broken
// object keeps its last good version), compile off the worker threads, publish with one atomic
// store, then open/close the listeners that changed. Runs on the main (control) thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/admission.h"
#include "server/serve_options.h"
#include "snapshot/snapshot_store.h"

namespace sy::server {

class ProxyServer;

struct ReloadStatus {
  uint64_t version = 0;       // applied config version (counter)
  uint64_t content_hash = 0;
  uint64_t reloads_ok = 0;
  uint64_t reloads_failed = 0;  // reloads where at least one object or file was rejected
  std::vector<config::Rejection> rejected;  // of the last reload
};

class Reloader {
 public:
  Reloader(const ServeOptions& opts, snapshot::SnapshotStore& store) : opts_(opts), store_(store) {}

  // Loads and publishes a new snapshot; `server` (may be null before start) gets its listeners
  // synced. Returns false when nothing could be published (first load only).
  bool reload(ProxyServer* server);
  const ReloadStatus& status() const { return status_; }

 private:
  const ServeOptions& opts_;
  snapshot::SnapshotStore& store_;
  config::AdmissionState admission_;
  ReloadStatus status_;
};

}  // namespace sy::server
