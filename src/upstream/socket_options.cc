#include "upstream/socket_options.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace sy::upstream {
namespace {

// Linux takes 1..32767 s for the idle time and the interval (MAX_TCP_KEEPIDLE, MAX_TCP_KEEPINTVL).
int whole_seconds(Duration d) {
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  return static_cast<int>(std::clamp<long long>(s, 1, 32767));
}

void set_int(int fd, int level, int name, int value, const char* what) {
  if (::setsockopt(fd, level, name, &value, sizeof value) != 0)
    spdlog::debug("upstream socket: cannot set {} to {}: {}", what, value, std::strerror(errno));
}

}  // namespace

void apply_tcp_keepalive(boost::asio::ip::tcp::socket& socket, const policy::ConnectionPoolPolicy& pool) {
  if (!pool.tcp_keepalive) return;
  const int fd = socket.native_handle();
  set_int(fd, SOL_SOCKET, SO_KEEPALIVE, 1, "SO_KEEPALIVE");
  if (pool.keepalive_time.count() > 0) set_int(fd, IPPROTO_TCP, TCP_KEEPIDLE, whole_seconds(pool.keepalive_time), "TCP_KEEPIDLE");
  if (pool.keepalive_interval.count() > 0)
    set_int(fd, IPPROTO_TCP, TCP_KEEPINTVL, whole_seconds(pool.keepalive_interval), "TCP_KEEPINTVL");
  if (pool.keepalive_probes > 0)
    set_int(fd, IPPROTO_TCP, TCP_KEEPCNT, static_cast<int>(std::min<uint32_t>(pool.keepalive_probes, 127)), "TCP_KEEPCNT");
}

std::chrono::steady_clock::time_point connection_close_at(const policy::ConnectionPoolPolicy& pool,
                                                          std::chrono::steady_clock::time_point opened) {
  if (pool.max_connection_duration.count() <= 0) return std::chrono::steady_clock::time_point::max();
  return opened + std::chrono::duration_cast<std::chrono::steady_clock::duration>(pool.max_connection_duration);
}

}  // namespace sy::upstream
