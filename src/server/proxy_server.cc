#include "server/proxy_server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
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

bool ProxyServer::open(Slot& slot, const std::string& host, uint16_t port, proxy::ListenerBinding binding,
                       std::string& error) {
  boost::system::error_code ec;
  net::ListenAddress addr{host, port};
  auto acceptor = std::make_unique<tcp::acceptor>(net::open_reuseport_acceptor(slot.worker->io(), addr, ec));
  if (ec) {
    error = "cannot listen on " + addr.to_string() + ": " + ec.message();
    return false;
  }
  if (slot.worker->index() == 0) endpoints_.push_back(addr.to_string() + (binding.mesh ? " (mesh)" : ""));
  asio::co_spawn(slot.worker->io(), accept_loop(*slot.ctx, *acceptor, std::move(binding)), asio::detached);
  slot.acceptors.push_back(std::move(acceptor));
  return true;
}

bool ProxyServer::start(std::string& error) {
  auto snap = store_.load();
  for (auto& slot : slots_) {
    for (const auto& listener : snap->listeners) {
      const std::string host = listener.bind.empty() ? opts_.bind : listener.bind;
      proxy::ListenerBinding binding{.mesh = false, .bind = listener.bind, .port = listener.port};
      if (!open(slot, host, static_cast<uint16_t>(listener.port), binding, error)) return false;
    }
    for (const auto& text : opts_.mesh_listen) {
      net::ListenAddress addr;
      if (!net::parse_listen_address(text, addr)) {
        error = "bad --mesh-listen address \"" + text + "\"";
        return false;
      }
      proxy::ListenerBinding binding{.mesh = true, .bind = {}, .port = addr.port};
      if (!open(slot, addr.host, addr.port, binding, error)) return false;
    }
  }
  for (auto& slot : slots_) slot.worker->start();
  return true;
}

void ProxyServer::stop_accepting() {
  for (auto& slot : slots_) {
    auto* s = &slot;
    slot.worker->post([s] {
      for (auto& a : s->acceptors) {
        boost::system::error_code ignored;
        a->close(ignored);
      }
    });
  }
}

void ProxyServer::stop() {
  for (auto& slot : slots_) slot.worker->stop();
  for (auto& slot : slots_) slot.worker->join();
}

}  // namespace sy::server
