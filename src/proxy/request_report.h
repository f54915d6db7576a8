// Reports one finished request (or L4 connection) to the worker exactly once, on every exit path:
// construct it when the request starts, and its destructor tells the observers (access log,
// metrics) and the drain count. Declare it after whatever keeps `snap` alive, so the names it
// reads are still there. A destructor must not throw (that is std::terminate): an observer
// that fails loses its line, never the process.
#pragma once

#include <spdlog/spdlog.h>
#include <exception>

#include "proxy/worker_context.h"

namespace sy::proxy {

class RequestReport {
 public:
  RequestReport(WorkerContext& ctx, const http::RequestHead& head, RequestInfo& info, const snapshot::Snapshot& snap)
      : ctx_(ctx), head_(head), info_(info), snap_(snap) {
    ctx_.request_started();
  }
  ~RequestReport() {
    try {
      if (info_.cluster < snap_.clusters.size()) info_.cluster_name = snap_.clusters[info_.cluster].name;
      ctx_.request_finished(head_, info_);
    } catch (const std::exception& e) {
      spdlog::error("request observer failed: {}", e.what());
    }
  }
  RequestReport(const RequestReport&) = delete;
  RequestReport& operator=(const RequestReport&) = delete;

 private:
  WorkerContext& ctx_;
  const http::RequestHead& head_;
  RequestInfo& info_;
  const snapshot::Snapshot& snap_;
};

}  // namespace sy::proxy
