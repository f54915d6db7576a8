#include "upstream/socket_options.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <boost/asio/io_context.hpp>

namespace sy::upstream {
namespace {

int get_int(int fd, int level, int name) {
  int v = -1;
  socklen_t len = sizeof v;
  ::getsockopt(fd, level, name, &v, &len);
  return v;
}

// Scenario: tcpKeepalive as the kernel sees it on a socket: off unless configured; each field
// set only when given, in whole seconds of at least 1 (Linux's bounds apply).
TEST(SocketOptions, TcpKeepalive) {
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  struct Case {
    const char* name;
    bool configured;
    Duration time, interval;
    uint32_t probes;
    int want_keepalive, want_idle, want_interval, want_count;  // -1: the OS default, not checked
  } cases[] = {
      {"not configured", false, {}, {}, 0, 0, -1, -1, -1},
      {"all fields", true, seconds(7), seconds(3), 4, 1, 7, 3, 4},
      {"only time", true, seconds(30), {}, 0, 1, 30, -1, -1},
      {"sub-second rounds up to 1 s", true, milliseconds(200), milliseconds(1500), 0, 1, 1, 1, -1},
      {"beyond Linux's bound", true, seconds(100000), {}, 500, 1, 32767, -1, 127},
  };
  boost::asio::io_context io;
  for (const auto& c : cases) {
    boost::asio::ip::tcp::socket s(io);
    s.open(boost::asio::ip::tcp::v4());
    policy::ConnectionPoolPolicy pool;
    pool.tcp_keepalive = c.configured;
    pool.keepalive_time = c.time;
    pool.keepalive_interval = c.interval;
    pool.keepalive_probes = c.probes;
    apply_tcp_keepalive(s, pool);
    const int fd = s.native_handle();
    EXPECT_EQ(get_int(fd, SOL_SOCKET, SO_KEEPALIVE) != 0, c.want_keepalive != 0) << c.name;
    if (c.want_idle >= 0) {
      EXPECT_EQ(get_int(fd, IPPROTO_TCP, TCP_KEEPIDLE), c.want_idle) << c.name;
    }
    if (c.want_interval >= 0) {
      EXPECT_EQ(get_int(fd, IPPROTO_TCP, TCP_KEEPINTVL), c.want_interval) << c.name;
    }
    if (c.want_count >= 0) {
      EXPECT_EQ(get_int(fd, IPPROTO_TCP, TCP_KEEPCNT), c.want_count) << c.name;
    }
  }
}

// Scenario: maxConnectionDuration as the moment a connection stops taking requests.
TEST(SocketOptions, ConnectionCloseAt) {
  const auto opened = std::chrono::steady_clock::now();
  policy::ConnectionPoolPolicy pool;
  EXPECT_EQ(connection_close_at(pool, opened), std::chrono::steady_clock::time_point::max());
  pool.max_connection_duration = std::chrono::seconds(90);
  EXPECT_EQ(connection_close_at(pool, opened), opened + std::chrono::seconds(90));
}

}  // namespace
}  // namespace sy::upstream
