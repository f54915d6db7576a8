// Keep-alive connections to upstream endpoints, one pool per worker (never shared across threads,
// so no locks). A connection is checked for a peer close before reuse; idle ones expire.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace sy::upstream {

using Clock = std::chrono::steady_clock;

// A pooled connection. `reused` tells the retry logic whether a failure before any byte was
// written may be retried on a fresh connection (the peer may have closed it while idle).
struct PooledConnection {
  explicit PooledConnection(boost::asio::ip::tcp::socket s) : socket(std::move(s)) {}

  boost::asio::ip::tcp::socket socket;  // the connection; moved into `tls` when TLS is originated
  std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> tls;
  uint64_t pool_key = 0;  // 0: plaintext; else which connections are interchangeable (cluster, SNI, PROXY header)
  bool reused = false;
  uint32_t requests = 0;  // requests already served on this connection
  // maxConnectionDuration: from then on the connection takes no new request (an exchange in
  // flight finishes), and an idle one is closed.
  Clock::time_point close_at = Clock::time_point::max();

  boost::asio::ip::tcp::socket& tcp() { return tls ? tls->next_layer() : socket; }
  void close() {
    boost::system::error_code ignored;
    tcp().close(ignored);
  }
};

struct EndpointHash {
  size_t operator()(const boost::asio::ip::tcp::endpoint& e) const noexcept;
};
using EndpointSet = std::unordered_set<boost::asio::ip::tcp::endpoint, EndpointHash>;

class ConnectionPool {
 public:
  // With `io` (a worker's), idle connections are swept every kSweepEvery while there are any;
  // without (unit tests), only when a request asks for their endpoint, or when sweep() is called.
  explicit ConnectionPool(boost::asio::io_context* io = nullptr);

  // Bounds memory: at most this many idle connections per endpoint are kept.
  static constexpr size_t kMaxIdlePerEndpoint = 256;

  // Takes an idle connection to `endpoint` that the peer has not closed, if any. Connections idle
  // longer than `max_idle` (the cluster's http.idleTimeout; 0 = no limit) are closed instead.
  // Connections nobody asks for are closed by sweep().
  //
  // The peer-close check is a recv(MSG_PEEK) system call. A connection that came back less than
  // kProbeAfterIdle ago is handed out unchecked unless `always_probe`: an upstream closing a
  // connection that young is rare, and the caller retries an idempotent request that finds its
  // reused connection closed on a fresh one. Requests that cannot be retried ask for the probe.
  static constexpr std::chrono::milliseconds kProbeAfterIdle{1000};
  // Only a connection with the same `pool_key` (0 for plain connections) is handed out.
  bool take_idle(const boost::asio::ip::tcp::endpoint& endpoint, PooledConnection& out,
                 std::chrono::milliseconds max_idle = std::chrono::milliseconds(0), bool always_probe = true,
                 uint64_t pool_key = 0);

  // Returns a healthy connection for reuse. A connection to an endpoint the config in force no
  // longer has (see retain_only) is closed instead: a request that was in flight across the
  // reload finishes, and its connection drains with it.
  // `max_idle` (the cluster's http.idleTimeout; 0 = no limit) is how long it may then stay idle.
  void give_back(const boost::asio::ip::tcp::endpoint& endpoint, PooledConnection conn,
                 std::chrono::milliseconds max_idle = std::chrono::milliseconds(0));

  // After a reload: `known` is every endpoint address of the new config (static addresses and
  // the addresses DNS names currently resolve to). Idle connections to other endpoints are
  // closed now, and give_back refuses them from then on. Until the first call, any endpoint is
  // accepted (unit tests, contexts without a config).
  void retain_only(EndpointSet known);
  // A DNS name of the config in force resolved to a new address: connections to it may be pooled.
  void admit(const boost::asio::ip::tcp::endpoint& endpoint);
  bool known(const boost::asio::ip::tcp::endpoint& endpoint) const { return !known_ || known_->contains(endpoint); }

  // Closes idle connections past their idle timeout, and those idle for kProbeAfterIdle or more
  // that the upstream has closed meanwhile (which would otherwise sit in CLOSE_WAIT, holding a
  // descriptor, until a request came for their endpoint). Called every kSweepEvery per worker.
  static constexpr std::chrono::seconds kSweepEvery{5};
  void sweep(Clock::time_point now = Clock::now());

  // Closes everything to `endpoint` (endpoint removed from config).
  void drop(const boost::asio::ip::tcp::endpoint& endpoint);

  size_t idle_count() const;

  // Requests pending for a circuit-breaker connection slot (http1MaxPendingRequests) park their
  // timer here; whoever releases a connection slot on this worker wakes the oldest. Slots freed
  // on other workers are noticed by the waiter's own short poll. Bounded by the pending limit.
  void park(boost::asio::steady_timer* waiter) { waiters_.push_back(waiter); }
  void unpark(boost::asio::steady_timer* waiter) { std::erase(waiters_, waiter); }
  void wake_one();

 private:
  struct Idle {
    PooledConnection conn;
    Clock::time_point since;
    Clock::time_point expires;  // time_point::max(): no idle timeout
  };
  std::unordered_map<boost::asio::ip::tcp::endpoint, std::vector<Idle>, EndpointHash> idle_;
  std::optional<EndpointSet> known_;  // endpoints of the config in force; unset = all
  std::deque<boost::asio::steady_timer*> waiters_;
  void arm_sweep();
  std::optional<boost::asio::steady_timer> sweep_timer_;
  bool sweep_armed_ = false;
};

}  // namespace sy::upstream
