// HTTP/2 connections to upstreams (ports of protocol HTTP2, GRPC, GRPC-WEB; h2UpgradePolicy
// UPGRADE; useClientProtocol with an HTTP/2 client): one connection carries many requests at
// once. An H2Upstream is a read loop and a write loop around an http::h2::ClientSession over an
// established connection (plaintext h2c with prior knowledge, or TLS that chose h2 by ALPN);
// forwarders open streams on it and wait on their own wake-ups. H2Pool keeps the live ones per
// (endpoint, TLS key) on one worker; a connection leaves it when it fails, receives GOAWAY, has
// served maxRequestsPerConnection streams, or stays without streams for the idle timeout.
// Used by the worker thread that owns it only.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "http/h2/client_session.h"
#include "net/wake_signal.h"
#include "upstream/connection_pool.h"

namespace sy::upstream {

class H2Upstream final : public std::enable_shared_from_this<H2Upstream>, public http::h2::ClientEvents {
 public:
  struct Options {
    std::chrono::milliseconds idle_timeout{3'600'000};  // without streams (Istio's http.idleTimeout, 1 h)
    uint32_t max_concurrent_streams = 2147483647u;      // DestinationRule maxConcurrentStreams
    uint32_t max_requests = 0;                          // maxRequestsPerConnection; 0 = unlimited
    std::chrono::milliseconds write_timeout{300'000};   // a write the upstream does not take
    std::chrono::milliseconds ping_interval{0};         // http2KeepAlive; 0 = no PINGs
    std::chrono::milliseconds ping_timeout{0};
  };

  // Takes over `conn` and starts the loops.
  static std::shared_ptr<H2Upstream> start(boost::asio::io_context& io, PooledConnection conn, const Options& options);

  http::h2::ClientSession& session() { return session_; }
  bool dead() const { return dead_; }
  // Whether a new stream may go on this connection now.
  bool usable() const;
  // Something was queued on the session: the write loop sends it.
  void kick() { writer_wake_.notify(); }
  // The connection's TLS, for saving its session once (after a first stream, when TLS 1.3
  // tickets have arrived): non-null the first time only, and only over TLS.
  SSL* tls_for_session_save() {
    if (session_saved_ || !conn_.tls) return nullptr;
    session_saved_ = true;
    return conn_.tls->native_handle();
  }

  void stream_event(http::h2::ClientStream& s) override {
    if (s.io != nullptr) static_cast<net::WakeSignal*>(s.io)->notify();
    if (s.body_io != nullptr) static_cast<net::WakeSignal*>(s.body_io)->notify();
  }

  H2Upstream(boost::asio::io_context& io, PooledConnection conn, const Options& options);

 private:
  boost::asio::awaitable<void> read_loop();
  boost::asio::awaitable<void> write_loop();
  boost::asio::awaitable<void> idle_watch();
  boost::asio::awaitable<void> keepalive();
  void finish();

  boost::asio::io_context& io_;
  PooledConnection conn_;
  Options options_;
  http::h2::ClientSession session_;
  net::WakeSignal writer_wake_;
  boost::asio::steady_timer idle_timer_;
  boost::asio::steady_timer write_timer_;
  boost::asio::steady_timer ping_timer_;
  Clock::time_point last_active_ = Clock::now();
  bool dead_ = false;
  bool reading_done_ = false;
  bool session_saved_ = false;
};

class H2Pool {
 public:
  // A connection being opened: requests that find none usable wait for it rather than each
  // opening their own (forty concurrent first requests would open forty connections).
  struct Connecting {
    explicit Connecting(boost::asio::io_context& io) : done(io, Clock::time_point::max()) {}
    boost::asio::steady_timer done;    // cancelled when the attempt ends: every waiter wakes
    std::shared_ptr<H2Upstream> conn;  // null when it failed
    bool finished = false;
  };

  // A live connection to `endpoint` with the same TLS key that can take another stream; null if none.
  std::shared_ptr<H2Upstream> find(const boost::asio::ip::tcp::endpoint& endpoint, uint64_t pool_key);
  void add(const boost::asio::ip::tcp::endpoint& endpoint, uint64_t pool_key, std::shared_ptr<H2Upstream> conn);
  // The connection being opened to `endpoint`, if any; else registers one for the caller to open
  // (`mine` set), who must call finish_connect however it ends.
  std::shared_ptr<Connecting> connecting(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint,
                                         uint64_t pool_key, bool& mine);
  void finish_connect(const boost::asio::ip::tcp::endpoint& endpoint, uint64_t pool_key,
                      const std::shared_ptr<Connecting>& attempt, std::shared_ptr<H2Upstream> conn);
  size_t size() const;

 private:
  struct Key {
    boost::asio::ip::tcp::endpoint endpoint;
    uint64_t pool_key;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const noexcept { return EndpointHash{}(k.endpoint) ^ (k.pool_key * 31); }
  };
  std::unordered_map<Key, std::vector<std::shared_ptr<H2Upstream>>, KeyHash> conns_;
  std::unordered_map<Key, std::shared_ptr<Connecting>, KeyHash> connecting_;
};

}  // namespace sy::upstream
