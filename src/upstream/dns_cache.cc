#include "upstream/dns_cache.h"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace sy::upstream {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

DnsCache::DnsCache(asio::io_context& io, std::chrono::milliseconds refresh)
    : io_(io), refresh_(refresh), wake_(io), round_done_(io) {
  round_done_.expires_at(asio::steady_timer::time_point::max());
}

const std::vector<asio::ip::address>& DnsCache::lookup(const std::string& name) {
  auto [it, inserted] = names_.try_emplace(name);
  if (inserted) {
    dirty_ = true;
    if (!running_) {
      running_ = true;
      asio::co_spawn(io_, refresh_loop(), asio::detached);
    } else {
      wake_.cancel();
    }
  }
  return it->second.addresses;
}

bool DnsCache::pending(const std::string& name) const {
  auto it = names_.find(name);
  return it == names_.end() || !it->second.attempted;
}

const std::vector<std::chrono::steady_clock::time_point>& DnsCache::joined(const std::string& name) const {
  static const std::vector<std::chrono::steady_clock::time_point> kNever;
  auto it = names_.find(name);
  return it == names_.end() ? kNever : it->second.joined;
}

std::optional<asio::ip::address> DnsCache::first(const std::string& name) const {
  auto it = names_.find(name);
  return it == names_.end() ? std::nullopt : it->second.first;
}

const std::vector<asio::ip::address>& DnsCache::resolved(const std::string& name) const {
  static const std::vector<asio::ip::address> kNone;
  auto it = names_.find(name);
  return it == names_.end() ? kNone : it->second.addresses;
}

asio::awaitable<void> DnsCache::wait_round(std::chrono::steady_clock::time_point deadline) {
  asio::steady_timer limit(io_);
  limit.expires_at(deadline);
  co_await (round_done_.async_wait(kTuple) || limit.async_wait(kTuple));
}

asio::awaitable<void> DnsCache::resolve(const std::string& name, bool& changed) {
  asio::ip::tcp::resolver resolver(io_);
  auto [ec, results] = co_await resolver.async_resolve(name, "", kTuple);
  // The map may have rehashed while we were suspended: find the entry again.
  Entry& entry = names_[name];
  entry.attempted = true;
  if (ec) {
    spdlog::warn("dns: cannot resolve {}: {} (keeping {} address(es))", name, ec.message(), entry.addresses.size());
    co_return;
  }
  std::vector<asio::ip::address> answer;
  for (const auto& r : results) answer.push_back(r.endpoint().address());
  if (apply_answer(entry, answer, std::chrono::steady_clock::now())) changed = true;
}

bool DnsCache::apply_answer(Entry& entry, const std::vector<asio::ip::address>& answer,
                            std::chrono::steady_clock::time_point now) {
  std::vector<asio::ip::address> v4, v6;
  for (const auto& a : answer) {
    auto& list = a.is_v4() ? v4 : v6;
    if (std::find(list.begin(), list.end(), a) == list.end()) list.push_back(a);
  }
  auto& chosen = v4.empty() ? v6 : v4;
  if (chosen.empty()) return false;  // nothing usable: keep the last good answer
  bool changed = entry.first != chosen.front();
  entry.first = chosen.front();
  std::sort(chosen.begin(), chosen.end());
  if (chosen != entry.addresses) {
    std::vector<std::chrono::steady_clock::time_point> joined;
    for (const auto& a : chosen) {
      auto old = std::find(entry.addresses.begin(), entry.addresses.end(), a);
      joined.push_back(old == entry.addresses.end() ? now : entry.joined[old - entry.addresses.begin()]);
    }
    entry.addresses = std::move(chosen);
    entry.joined = std::move(joined);
    changed = true;
  }
  return changed;
}

asio::awaitable<void> DnsCache::refresh_loop() {
  for (;;) {
    dirty_ = false;
    std::vector<std::string> names;
    names.reserve(names_.size());
    for (const auto& [name, _] : names_) names.push_back(name);
    bool changed = false;
    for (const auto& name : names) co_await resolve(name, changed);
    if (changed) ++version_;
    round_done_.cancel();  // wakes every wait_round(); the timer itself stays armed at max()
    if (dirty_) continue;  // a name arrived mid-round: resolve it now, not after `refresh_`
    wake_.expires_after(refresh_);
    co_await wake_.async_wait(kTuple);
  }
}

}  // namespace sy::upstream
