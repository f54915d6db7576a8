// Passes each finished request to several observers (access log, metrics), in order, on the
// worker that served it. Owned by that worker's setup in run_serve; holds no state of its own.
#pragma once

#include <vector>

#include "proxy/request_observer.h"

namespace sy::obs {

class FanOut final : public proxy::RequestObserver {
 public:
  void add(proxy::RequestObserver* o) {
    if (o) observers_.push_back(o);
  }
  void on_request_done(const http::RequestHead& head, const proxy::RequestInfo& info) override {
    for (auto* o : observers_) o->on_request_done(head, info);
  }
  void on_connection_opened(const proxy::RequestInfo& info) override {
    for (auto* o : observers_) o->on_connection_opened(info);
  }

 private:
  std::vector<proxy::RequestObserver*> observers_;
};

}  // namespace sy::obs
