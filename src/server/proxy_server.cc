#include "server/proxy_server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <spdlog/spdlog.h>
#include <thread>

#include "net/listen_socket.h"
#include "server/accept_loop.h"

namespace sy::server {

namespace asio = boost::asio;
using asio::ip::tcp;

ProxyServer::ProxyServer(const ServeOptions& opts, const snapshot::SnapshotStore& store) : opts_(opts), store_(store) {
  int n = opts.workers > 0 ? opts.workers : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  slots_.resize(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    auto& slot = slots_[static_cast<size_t>(i)];
    slot.worker = std::make_unique<net::Worker>(i);
    slot.ctx = std::make_unique<proxy::WorkerContext>(slot.worker->io(), store_, i, opts.timeouts);
  }
}

ProxyServer::~ProxyServer() { stop(); }

std::map<std::string, ProxyServer::Listening> ProxyServer::desired(const snapshot::Snapshot& snap) const {
  std::map<std::string, Listening> out;
  for (const auto& listener : snap.listeners) {
    Listening l;
    l.host = listener.bind.empty() ? opts_.bind : listener.bind;
    l.port = static_cast<uint16_t>(listener.port);
    l.binding = proxy::ListenerBinding{.mesh = false, .bind = listener.bind, .port = listener.port};
    out.emplace(net::ListenAddress{l.host, l.port}.to_string(), std::move(l));
  }
  for (const auto& text : opts_.mesh_listen) {
    net::ListenAddress addr;
    if (!net::parse_listen_address(text, addr)) continue;  // rejected in start()
    Listening l{addr.host, addr.port, proxy::ListenerBinding{.mesh = true, .bind = {}, .port = addr.port}};
    out.emplace(addr.to_string() + " (mesh)", std::move(l));
  }
  return out;
}

bool ProxyServer::open(Slot& slot, const Listening& l, std::string& error) {
  boost::system::error_code ec;
  net::ListenAddress addr{l.host, l.port};
  auto acceptor = std::make_shared<tcp::acceptor>(net::open_reuseport_acceptor(slot.worker->io(), addr, ec));
  if (ec) {
    error = "cannot listen on " + addr.to_string() + ": " + ec.message();
    return false;
  }
  asio::co_spawn(slot.worker->io(), accept_loop(*slot.ctx, acceptor, l.binding), asio::detached);
  slot.acceptors[addr.to_string() + (l.binding.mesh ? " (mesh)" : "")] = std::move(acceptor);
  return true;
}

void ProxyServer::close(Slot& slot, const std::string& key) {
  auto it = slot.acceptors.find(key);
  if (it == slot.acceptors.end()) return;
  boost::system::error_code ignored;
  // The accept loop holds its own reference: its pending accept completes with
  // operation_aborted and the loop ends, whenever that completion runs.
  it->second->close(ignored);
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
  open_ = desired(*store_.load());
  for (auto& slot : slots_) {
    for (const auto& [key, l] : open_) {
      if (!open(slot, l, error)) return false;
    }
  }
  for (auto& slot : slots_) slot.worker->start();
  started_ = true;
  return true;
}

void ProxyServer::sync_listeners(const snapshot::Snapshot& snap) {
  auto want = desired(snap);
  for (const auto& [key, l] : want) {
    if (open_.contains(key)) continue;
    for (auto& slot : slots_) {
      Slot* s = &slot;
      slot.worker->post([s, l] {
        std::string error;
        if (!open(*s, l, error)) spdlog::error("{}", error);
      });
    }
    spdlog::info("listener added: {}", key);
  }
  for (const auto& [key, l] : open_) {
    if (want.contains(key)) continue;
    for (auto& slot : slots_) {
      Slot* s = &slot;
      slot.worker->post([s, key] { close(*s, key); });
    }
    spdlog::info("listener removed: {}", key);
  }
  open_ = std::move(want);
}

void ProxyServer::stop_accepting() {
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
}

}  // namespace sy::server
