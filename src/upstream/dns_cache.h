// Addresses of the host names that `resolution: DNS` clusters use (endpoint addresses that are
// names, or the ServiceEntry host when it has no endpoints). One per worker, touched only on that
// worker's thread: each worker resolves the names its own requests needed, so nothing is shared
// or locked (the cost is one lookup per name per worker per refresh, which is small).
//
// Resolution never blocks the worker: Asio's resolver runs getaddrinfo on its own thread. A name
// is registered by the first lookup() and resolved right away, then every `refresh` interval
// (Istio's mesh default dnsRefreshRate is 60 s). A failed lookup keeps the last good addresses,
// as Envoy does. IPv4 is preferred: when a name has A records only those are used (Envoy's
// V4_PREFERRED), otherwise its AAAA records. Names stay registered for the worker's lifetime
// (bounded by the names the config ever used). Besides the address set (sorted, for `resolution:
// DNS`, where each address is an endpoint), the first address of the latest answer is kept in
// the answer's order: `DNS_ROUND_ROBIN` connects to it, as Envoy's LOGICAL_DNS does.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace sy::upstream {

class DnsCache {
 public:
  DnsCache(boost::asio::io_context& io, std::chrono::milliseconds refresh);

  // Last addresses resolved for `name` (possibly empty). The first call for a name registers it
  // and wakes the refresh loop; until its first resolution attempt ends, pending(name) is true.
  const std::vector<boost::asio::ip::address>& lookup(const std::string& name);
  bool pending(const std::string& name) const;
  // Last addresses resolved for `name`, without registering it (empty when never looked up).
  const std::vector<boost::asio::ip::address>& resolved(const std::string& name) const;
  // When each of resolved(name) first appeared in an answer for `name` (parallel to it), so slow
  // start treats an address a later answer adds as a new endpoint; empty when never resolved.
  const std::vector<std::chrono::steady_clock::time_point>& joined(const std::string& name) const;
  // The first address of the latest successful answer for `name`, in the resolver's order
  // (nullopt when never resolved).
  std::optional<boost::asio::ip::address> first(const std::string& name) const;

  struct Entry {
    std::vector<boost::asio::ip::address> addresses;            // sorted
    std::vector<std::chrono::steady_clock::time_point> joined;  // parallel to addresses
    std::optional<boost::asio::ip::address> first;             // of the latest answer, in its order
    bool attempted = false;
  };
  // Takes an answer (in the resolver's order, duplicates allowed) into `entry`: IPv4 preferred,
  // addresses kept in their first-seen times. True when the address set or the first address
  // changed. Pure; public for its table test.
  static bool apply_answer(Entry& entry, const std::vector<boost::asio::ip::address>& answer,
                           std::chrono::steady_clock::time_point now);

  // Changes whenever the address set of any name changes; cluster runtimes built from older
  // versions are rebuilt (cluster_runtime.h).
  uint64_t version() const { return version_; }

  // Suspends until the refresh loop finishes its current/next round, or until `deadline`.
  boost::asio::awaitable<void> wait_round(std::chrono::steady_clock::time_point deadline);

 private:
  boost::asio::awaitable<void> refresh_loop();
  boost::asio::awaitable<void> resolve(const std::string& name, bool& changed);

  boost::asio::io_context& io_;
  std::chrono::milliseconds refresh_;
  std::unordered_map<std::string, Entry> names_;
  uint64_t version_ = 0;
  bool running_ = false;                  // refresh loop spawned (lazily: configs without DNS never start it)
  bool dirty_ = false;                    // a name was registered since the current round began
  boost::asio::steady_timer wake_;        // the loop's sleep between rounds; cancelled to wake it
  boost::asio::steady_timer round_done_;  // never expires; cancelled at each round's end to wake waiters
};

}  // namespace sy::upstream
