#include "server/proxy_server.h"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <thread>

#include "net/listen_socket.h"
#include "server/accept_loop.h"

namespace sy::server {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

uint64_t max_connections(const ServeOptions& opts) {
  const uint64_t nofile = raise_descriptor_limit();
  const uint64_t limit = opts.max_connections > 0 ? opts.max_connections : default_max_connections(nofile);
  spdlog::info("accepting up to {} client connections (descriptor limit {})", limit, nofile);
  return limit;
}

uint64_t overload_memory_limit(const ServeOptions& opts) {
  if (opts.overload_memory_mb) {
    const uint64_t limit = uint64_t{*opts.overload_memory_mb} << 20;
    if (limit) spdlog::info("overload guard: new connections are shed above 95% of {} MiB resident", limit >> 20);
    return limit;
  }
  const auto cgroup = cgroup_memory_limit();
  if (cgroup)
    spdlog::info("overload guard: new connections are shed above 95% of the cgroup's {} MiB memory limit",
                 *cgroup >> 20);
  return cgroup.value_or(0);
}

}  // namespace

ProxyServer::ProxyServer(const ServeOptions& opts, const snapshot::SnapshotStore& store)
    : opts_(opts), store_(store), connection_limit_(max_connections(opts)), memory_guard_(overload_memory_limit(opts)) {
  int n = opts.workers > 0 ? opts.workers : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  slots_.resize(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    auto& slot = slots_[static_cast<size_t>(i)];
    slot.stats = std::make_unique<obs::ListenerStats>();
    slot.worker = std::make_unique<net::Worker>(i);
    slot.ctx = std::make_unique<proxy::WorkerContext>(slot.worker->io(), store_, i, opts.proxy);
  }
}

ProxyServer::~ProxyServer() { stop(); }

std::map<std::string, ProxyServer::Listening> ProxyServer::desired(const snapshot::Snapshot& snap) const {
  std::map<std::string, Listening> out;
  for (const auto& listener : snap.listeners) {
    Listening l;
    l.host = listener.bind.empty() ? opts_.bind : listener.bind;
    l.port = static_cast<uint16_t>(listener.port);
    l.binding = proxy::ListenerBinding{
        .mesh = false, .bind = listener.bind, .port = listener.port, .tls = listener.protocol == "HTTPS"};
    // TLS is part of the key: a port that switches between HTTP and HTTPS gets a new listener.
    out.emplace(net::ListenAddress{l.host, l.port}.to_string() + (l.binding.tls ? " (tls)" : ""), std::move(l));
  }
  for (const auto& listener : snap.l4) {
    Listening l;
    l.host = listener.bind.empty() ? opts_.bind : listener.bind;
    l.port = static_cast<uint16_t>(listener.port);
    l.binding = proxy::ListenerBinding{.mesh = false, .bind = listener.bind, .port = listener.port, .l4 = true};
    out.emplace(net::ListenAddress{l.host, l.port}.to_string() + " (l4)", std::move(l));
  }
  for (const auto& text : opts_.mesh_listen) {
    net::ListenAddress addr;
    if (!net::parse_listen_address(text, addr)) continue;  // rejected in start()
    Listening l{addr.host, addr.port, proxy::ListenerBinding{.mesh = true, .bind = {}, .port = addr.port}};
    out.emplace(addr.to_string() + " (mesh)", std::move(l));
  }
  return out;
}

// The sockets are opened here, on the main thread (opening registers them with the worker's
// reactor, which is thread-safe), so that a busy port is known before any worker accepts on it;
// each worker then takes its socket over on its own thread.
bool ProxyServer::open_everywhere(const std::string& key, const Listening& l, std::string& error) {
  std::vector<std::shared_ptr<tcp::acceptor>> opened;
  const net::ListenAddress addr{l.host, l.port};
  for (auto& slot : slots_) {
    boost::system::error_code ec;
    auto acceptor = std::make_shared<tcp::acceptor>(net::open_reuseport_acceptor(slot.worker->io(), addr, ec));
    if (ec) {
      error = "cannot listen on " + addr.to_string() + ": " + ec.message();
      for (auto& a : opened) a->close(ec);  // not yet seen by any worker
      return false;
    }
    opened.push_back(std::move(acceptor));
  }
  const std::string stat_name = obs::listener_stat_name(l.host, l.port);
  for (size_t i = 0; i < slots_.size(); ++i) {
    Slot* s = &slots_[i];
    s->worker->post([this, s, key, stat_name, binding = l.binding, acceptor = std::move(opened[i])] {
      AcceptedBy& by =
          s->accepted_by
              .try_emplace(stat_name, AcceptedBy{&s->stats->listener(stat_name), &connection_limit_, &memory_guard_})
              .first->second;
      asio::co_spawn(s->worker->io(), accept_loop(*s->ctx, acceptor, binding, by), asio::detached);
      s->acceptors[key] = acceptor;
    });
  }
  return true;
}

void ProxyServer::note_failure(const std::string& key, const Listening& l, const std::string& error) {
  std::lock_guard lock(failed_mu_);
  auto [it, first] = failed_.try_emplace(key, Failed{l, {key, error, 0, std::chrono::system_clock::now()}});
  it->second.listening = l;
  it->second.failure.error = error;
  ++it->second.failure.attempts;
  if (first) spdlog::error("{}; retrying every second", error);
}

void ProxyServer::close(Slot& slot, const std::string& key) {
  auto it = slot.acceptors.find(key);
  if (it == slot.acceptors.end()) return;
  boost::system::error_code ignored;
  // Cancel, not close: the accept loop holds the other reference, its pending accept completes
  // with operation_aborted, and the acceptor closes when the loop ends. Closing a socket under a
  // pending operation is unsafe on Asio 1.81's io_uring service (it frees the socket's state
  // before the operation's completion arrives).
  it->second->cancel(ignored);
  slot.acceptors.erase(it);
}

bool ProxyServer::start(std::string& error) {
  for (const auto& text : opts_.mesh_listen) {
    net::ListenAddress addr;
    if (!net::parse_listen_address(text, addr)) {
      error = "bad --mesh-listen address \"" + text + "\"";
      return false;
    }
  }
  // A port that cannot be opened at startup is fatal (the operator is there to see it); later
  // ones are retried (sync_listeners).
  for (const auto& [key, l] : desired(*store_.load())) {
    if (!open_everywhere(key, l, error)) return false;
    open_.emplace(key, l);
  }
  for (auto& slot : slots_) slot.worker->start();
  return true;
}

void ProxyServer::sync_listeners(const snapshot::Snapshot& snap) {
  if (!accepting_) return;
  auto want = desired(snap);
  for (auto it = open_.begin(); it != open_.end();) {
    if (want.contains(it->first)) {
      ++it;
      continue;
    }
    for (auto& slot : slots_) {
      Slot* s = &slot;
      slot.worker->post([s, key = it->first] { close(*s, key); });
    }
    spdlog::info("listener removed: {}", it->first);
    it = open_.erase(it);
  }
  {
    std::lock_guard lock(failed_mu_);
    std::erase_if(failed_, [&](const auto& f) {
      if (want.contains(f.first)) return false;
      spdlog::info("listener {} no longer wanted; stopped retrying it", f.first);
      return true;
    });
  }
  for (const auto& [key, l] : want) {
    if (open_.contains(key)) continue;
    std::string error;
    if (!open_everywhere(key, l, error)) {
      note_failure(key, l, error);
      continue;
    }
    {
      std::lock_guard lock(failed_mu_);
      failed_.erase(key);
    }
    open_.emplace(key, l);
    spdlog::info("listener added: {}", key);
  }
}

bool ProxyServer::retry_failed() {
  if (!accepting_) return false;
  std::vector<std::pair<std::string, Listening>> todo;
  {
    std::lock_guard lock(failed_mu_);
    for (const auto& [key, f] : failed_) todo.emplace_back(key, f.listening);
  }
  for (const auto& [key, l] : todo) {
    std::string error;
    if (!open_everywhere(key, l, error)) {
      note_failure(key, l, error);
      continue;
    }
    uint32_t attempts = 0;
    {
      std::lock_guard lock(failed_mu_);
      attempts = failed_[key].failure.attempts;
      failed_.erase(key);
    }
    open_.emplace(key, l);
    spdlog::info("listener added: {} (opened after {} failed attempt(s))", key, attempts);
  }
  std::lock_guard lock(failed_mu_);
  return !failed_.empty();
}

std::vector<ListenerFailure> ProxyServer::listener_failures() const {
  std::lock_guard lock(failed_mu_);
  std::vector<ListenerFailure> out;
  for (const auto& [_, f] : failed_) out.push_back(f.failure);
  return out;
}

void ProxyServer::refresh_workers() {
  for (auto& slot : slots_) {
    proxy::WorkerContext* ctx = slot.ctx.get();
    slot.worker->post([ctx] { ctx->current(); });
  }
}

void ProxyServer::stop_accepting() {
  accepting_ = false;
  {
    std::lock_guard lock(failed_mu_);
    failed_.clear();
  }
  for (auto& slot : slots_) {
    Slot* s = &slot;
    slot.worker->post([s] {
      while (!s->acceptors.empty()) close(*s, s->acceptors.begin()->first);
      s->ctx->begin_drain();
    });
  }
}

int64_t ProxyServer::in_flight() const {
  int64_t n = 0;
  for (const auto& slot : slots_) n += slot.ctx->in_flight();
  return n;
}

std::vector<std::string> ProxyServer::endpoints() const {
  std::vector<std::string> out;
  for (const auto& [key, _] : open_) out.push_back(key);
  return out;
}

void ProxyServer::stop() {
  for (auto& slot : slots_) slot.worker->stop();
  for (auto& slot : slots_) slot.worker->join();
  // Connections still suspended hold pointers into their WorkerContext: end them first.
  for (auto& slot : slots_) slot.worker->abandon_pending();
}

}  // namespace sy::server
