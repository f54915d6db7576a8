// Called once per finished request, on the worker that served it (access log, metrics).
// Implementations keep per-worker state and must not block or lock.
#pragma once

#include "http/message.h"
#include "proxy/request_info.h"

namespace sy::proxy {

class RequestObserver {
 public:
  virtual ~RequestObserver() = default;
  virtual void on_request_done(const http::RequestHead& head, const RequestInfo& info) = 0;
  // An L4 connection reached its upstream (info.l4; its end comes through on_request_done).
  virtual void on_connection_opened(const RequestInfo&) {}
};

}  // namespace sy::proxy
