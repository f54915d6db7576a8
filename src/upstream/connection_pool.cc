#include "upstream/connection_pool.h"

#include <sys/socket.h>

#include <algorithm>
#include <functional>

namespace sy::upstream {
namespace {

// A connection the upstream closed (or sent unsolicited bytes on) while idle must not be reused:
// writing a request into it would fail after we think the request was sent.
// Over TLS, bytes waiting are no sign of trouble (a TLS 1.3 server sends its session tickets after
// the handshake, read only with the next response): only a close counts there.
bool still_usable(PooledConnection& c) {
  char byte;
  ssize_t n = ::recv(c.tcp().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
  if (n > 0) return c.tls != nullptr;
  return false;  // 0 = orderly close; >0 on plaintext = stray data (e.g. a late response): unusable
}

}  // namespace

size_t EndpointHash::operator()(const boost::asio::ip::tcp::endpoint& e) const noexcept {
  size_t h = std::hash<unsigned short>()(e.port());
  if (e.address().is_v4()) return h ^ (std::hash<uint32_t>()(e.address().to_v4().to_uint()) << 1);
  auto bytes = e.address().to_v6().to_bytes();
  for (auto b : bytes) h = h * 131 + b;
  return h;
}

ConnectionPool::ConnectionPool(boost::asio::io_context* io) {
  if (io != nullptr) sweep_timer_.emplace(*io);
}

bool ConnectionPool::take_idle(const boost::asio::ip::tcp::endpoint& endpoint, PooledConnection& out,
                               std::chrono::milliseconds max_idle, bool always_probe, uint64_t pool_key) {
  auto it = idle_.find(endpoint);
  if (it == idle_.end()) return false;
  auto& list = it->second;
  const auto now = Clock::now();
  for (size_t i = list.size(); i-- > 0;) {
    if (list[i].conn.pool_key != pool_key) continue;  // another SNI, client (PROXY), or plaintext vs TLS
    Idle idle = std::move(list[i]);
    list.erase(list.begin() + static_cast<std::ptrdiff_t>(i));
    const bool fresh = now < idle.expires && (max_idle.count() <= 0 || now - idle.since < max_idle);
    const bool probe = always_probe || now - idle.since >= kProbeAfterIdle;
    if (fresh && (!probe || still_usable(idle.conn))) {
      out = std::move(idle.conn);
      out.reused = true;
      return true;
    }
    idle.conn.close();
  }
  return false;
}

void ConnectionPool::give_back(const boost::asio::ip::tcp::endpoint& endpoint, PooledConnection conn,
                               std::chrono::milliseconds max_idle) {
  if (!known(endpoint)) {
    conn.close();
    return;
  }
  auto& list = idle_[endpoint];
  if (list.size() >= kMaxIdlePerEndpoint) {
    conn.close();
    return;
  }
  const auto now = Clock::now();
  if (now >= conn.close_at) {
    conn.close();
    return;
  }
  const auto idle_until = max_idle.count() > 0 ? now + max_idle : Clock::time_point::max();
  const auto expires = std::min(idle_until, conn.close_at);
  list.push_back(Idle{std::move(conn), now, expires});
  if (sweep_timer_ && !sweep_armed_) arm_sweep();
}

// Armed only while connections are idle, so a worker without any has no timer to wake for.
void ConnectionPool::arm_sweep() {
  sweep_armed_ = true;
  sweep_timer_->expires_after(kSweepEvery);
  sweep_timer_->async_wait([this](const boost::system::error_code& ec) {
    sweep_armed_ = false;
    if (ec) return;
    sweep();
    if (!idle_.empty()) arm_sweep();
  });
}

void ConnectionPool::sweep(Clock::time_point now) {
  for (auto it = idle_.begin(); it != idle_.end();) {
    auto& list = it->second;
    std::erase_if(list, [&](Idle& i) {
      const bool keep = now < i.expires && (now - i.since < kProbeAfterIdle || still_usable(i.conn));
      if (keep) return false;
      i.conn.close();
      return true;
    });
    it = list.empty() ? idle_.erase(it) : std::next(it);
  }
}

void ConnectionPool::drop(const boost::asio::ip::tcp::endpoint& endpoint) {
  auto it = idle_.find(endpoint);
  if (it == idle_.end()) return;
  for (auto& i : it->second) {
    i.conn.close();
  }
  idle_.erase(it);
}

void ConnectionPool::retain_only(EndpointSet known) {
  known_ = std::move(known);
  for (auto it = idle_.begin(); it != idle_.end();) {
    if (known_->contains(it->first)) {
      ++it;
      continue;
    }
    for (auto& i : it->second) {
      i.conn.close();
    }
    it = idle_.erase(it);
  }
}

void ConnectionPool::admit(const boost::asio::ip::tcp::endpoint& endpoint) {
  if (known_) known_->insert(endpoint);
}

void ConnectionPool::wake_one() {
  if (waiters_.empty()) return;
  boost::asio::steady_timer* w = waiters_.front();
  waiters_.pop_front();
  w->cancel();
}

size_t ConnectionPool::idle_count() const {
  size_t n = 0;
  for (const auto& [_, list] : idle_) n += list.size();
  return n;
}

}  // namespace sy::upstream
