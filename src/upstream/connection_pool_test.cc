#include "upstream/connection_pool.h"

#include <gtest/gtest.h>

#include <poll.h>
#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <memory>
#include <thread>

namespace sy::upstream {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

// A loopback "upstream": accepts connections synchronously so the test can watch the server side.
struct Upstream {
  explicit Upstream(asio::io_context& io) : acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {}
  tcp::endpoint endpoint() const { return acceptor.local_endpoint(); }
  // Connects a client socket and returns it; the accepted server side is kept in `accepted`.
  PooledConnection connect(asio::io_context& io) {
    PooledConnection c{tcp::socket(io)};
    c.socket.connect(endpoint());
    accepted.push_back(std::make_unique<tcp::socket>(acceptor.accept()));
    return c;
  }
  // True when the client closed the i-th connection: the server side reads EOF within 2 s.
  bool closed(size_t i) {
    pollfd p{accepted[i]->native_handle(), POLLIN, 0};
    if (::poll(&p, 1, 2000) != 1) return false;
    char byte;
    return ::recv(p.fd, &byte, 1, MSG_PEEK) == 0;
  }
  tcp::acceptor acceptor;
  std::vector<std::unique_ptr<tcp::socket>> accepted;
};

TEST(ConnectionPool, RetainOnlyClosesIdleConnectionsToRemovedEndpoints) {
  // A reload removed endpoint B: its idle connection is closed, A's stays reusable.
  asio::io_context io;
  Upstream a(io), b(io);
  ConnectionPool pool;
  pool.give_back(a.endpoint(), a.connect(io));
  pool.give_back(b.endpoint(), b.connect(io));
  ASSERT_EQ(pool.idle_count(), 2u);

  pool.retain_only({a.endpoint()});
  EXPECT_EQ(pool.idle_count(), 1u);
  EXPECT_TRUE(b.closed(0));
  PooledConnection reused{tcp::socket(io)};
  EXPECT_TRUE(pool.take_idle(a.endpoint(), reused));
  EXPECT_TRUE(reused.reused);
  EXPECT_FALSE(pool.take_idle(b.endpoint(), reused));
}

TEST(ConnectionPool, GiveBackRefusesEndpointsNoLongerKnown) {
  // A request in flight to B across the reload finishes; its connection is closed, not pooled.
  asio::io_context io;
  Upstream a(io), b(io);
  ConnectionPool pool;
  PooledConnection in_flight = b.connect(io);
  pool.retain_only({a.endpoint()});
  EXPECT_FALSE(pool.known(b.endpoint()));
  pool.give_back(b.endpoint(), std::move(in_flight));
  EXPECT_EQ(pool.idle_count(), 0u);
  EXPECT_TRUE(b.closed(0));

  // A DNS name of the config in force resolved to B: pooling to it works again.
  pool.admit(b.endpoint());
  EXPECT_TRUE(pool.known(b.endpoint()));
  pool.give_back(b.endpoint(), b.connect(io));
  EXPECT_EQ(pool.idle_count(), 1u);
}

TEST(ConnectionPool, EveryEndpointIsKnownUntilTheFirstRetain) {
  asio::io_context io;
  Upstream a(io);
  ConnectionPool pool;
  EXPECT_TRUE(pool.known(a.endpoint()));
  pool.give_back(a.endpoint(), a.connect(io));
  EXPECT_EQ(pool.idle_count(), 1u);
}

TEST(ConnectionPool, SweepClosesConnectionsPastTheirIdleTimeout) {
  // http.idleTimeout 50ms: a sweep 100 ms later closes it, one without a timeout stays.
  asio::io_context io;
  Upstream a(io);
  ConnectionPool pool;
  pool.give_back(a.endpoint(), a.connect(io), std::chrono::milliseconds(50));
  pool.give_back(a.endpoint(), a.connect(io));
  pool.sweep(Clock::now() + std::chrono::milliseconds(100));
  EXPECT_EQ(pool.idle_count(), 1u);
  EXPECT_TRUE(a.closed(0));
  pool.sweep(Clock::now() + std::chrono::milliseconds(100));
  EXPECT_EQ(pool.idle_count(), 1u);
}

TEST(ConnectionPool, SweepClosesConnectionsTheUpstreamClosed) {
  // The upstream closed one idle connection (its keep-alive timeout): once idle for
  // kProbeAfterIdle, the sweep notices and closes our side; the live one stays.
  asio::io_context io;
  Upstream a(io);
  ConnectionPool pool;
  pool.give_back(a.endpoint(), a.connect(io));
  pool.give_back(a.endpoint(), a.connect(io));
  a.accepted[0]->close();
  pool.sweep(Clock::now());  // too young to probe: kept
  EXPECT_EQ(pool.idle_count(), 2u);
  pool.sweep(Clock::now() + ConnectionPool::kProbeAfterIdle);
  EXPECT_EQ(pool.idle_count(), 1u);
  EXPECT_FALSE(a.closed(1));
}

TEST(ConnectionPool, TakeIdleRefusesAConnectionPastItsIdleTimeout) {
  asio::io_context io;
  Upstream a(io);
  ConnectionPool pool;
  pool.give_back(a.endpoint(), a.connect(io), std::chrono::milliseconds(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  PooledConnection c{tcp::socket(io)};
  EXPECT_FALSE(pool.take_idle(a.endpoint(), c));
  EXPECT_TRUE(a.closed(0));
}

}  // namespace
}  // namespace sy::upstream
