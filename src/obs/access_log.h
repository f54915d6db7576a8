// Access log: one line per finished request, in Envoy's default text format or as JSON.
// One AccessLog per worker: lines are formatted into a worker-local buffer and written with one
// write(2) when it fills or when flush() runs (a per-worker timer), so logging never takes a lock
// or a syscall per request.
#pragma once

#include <string>

#include "proxy/request_observer.h"

namespace sy::obs {

enum class AccessLogFormat { kText, kJson };

class AccessLog final : public proxy::RequestObserver {
 public:
  // `fd` is shared by all workers (O_APPEND file or stdout); not owned.
  AccessLog(int fd, AccessLogFormat format) : fd_(fd), format_(format) { buffer_.reserve(kFlushAt + 4096); }
  ~AccessLog() override { flush(); }

  void on_request_done(const http::RequestHead& head, const proxy::RequestInfo& info) override;
  void flush();

  // Formats one line (exposed for tests).
  static void format(const http::RequestHead& head, const proxy::RequestInfo& info, AccessLogFormat format,
                     std::string& out);

 private:
  static constexpr size_t kFlushAt = 32 * 1024;
  int fd_;
  AccessLogFormat format_;
  std::string buffer_;
};

}  // namespace sy::obs
