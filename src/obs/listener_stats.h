// Downstream connection counters of one worker, per listener, in the spirit of Envoy's
// listener.<address>.downstream_cx_* stats. One ListenerStats per worker, owned by the server
// and touched only on that worker's thread: the accept loop counts a connection when it accepts
// it and when its connection coroutine ends; a scrape copies the counters on the worker.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace sy::obs {

struct ListenerCounters {
  uint64_t cx_total = 0;            // connections accepted
  uint64_t cx_destroy = 0;          // connections that ended
  uint64_t cx_active = 0;           // open now (accepted, not yet ended)
  uint64_t cx_overflow = 0;         // accepted and closed at once: over serve --max-connections
  uint64_t cx_overload_reject = 0;  // accepted and closed at once: memory near the overload limit
  void add(const ListenerCounters& o) {
    cx_overload_reject += o.cx_overload_reject;
    cx_total += o.cx_total;
    cx_destroy += o.cx_destroy;
    cx_active += o.cx_active;
    cx_overflow += o.cx_overflow;
  }
};

class ListenerStats {
 public:
  // The counters of listener `address` (Envoy's form, "0.0.0.0_8080"). The reference stays
  // valid for the worker's lifetime: entries are never removed, so connections that outlive
  // their listener (removed on reload, still draining) keep counting. Bounded by the listener
  // addresses the config ever had. Allocates only when a listener is opened.
  ListenerCounters& listener(const std::string& address) { return by_address_[address]; }

  std::vector<std::pair<std::string, ListenerCounters>> snapshot() const {
    return {by_address_.begin(), by_address_.end()};
  }

 private:
  std::map<std::string, ListenerCounters> by_address_;
};

// Envoy's stat-name form of a listener address: "0.0.0.0", 8080 -> "0.0.0.0_8080"; the colons of
// an IPv6 host become underscores too ("::1" -> "__1_8080").
inline std::string listener_stat_name(std::string host, uint16_t port) {
  for (char& c : host)
    if (c == ':') c = '_';
  return host + "_" + std::to_string(port);
}

}  // namespace sy::obs
