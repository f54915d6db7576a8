#include "admin/admin_server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include "admin/admin_json.h"
#include "http/status.h"

namespace sy::admin {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr size_t kMaxHead = 16 * 1024;
constexpr auto kHeadTimeout = std::chrono::seconds(10);

Response json_response(const nlohmann::json& j, int status = 200) {
  return Response{status, "application/json", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"};
}

// One connection: read a head, answer, close. Lives on the admin thread.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket s, AdminServer& server)
      : socket_(std::move(s)), server_(server), buf_(kMaxHead), deadline_(socket_.get_executor()) {}

  void run() {
    // A client that never finishes its head is dropped, so idle connections cannot pile up.
    deadline_.expires_after(kHeadTimeout);
    // Cancel, not close: a socket must not be closed under a pending read (Asio 1.81's io_uring
    // service frees the socket's state before the read's completion arrives).
    deadline_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      boost::system::error_code ignored;
      if (auto self = weak.lock(); self && !ec) self->socket_.cancel(ignored);
    });
    asio::async_read_until(socket_, buf_, "\r\n\r\n",
                           [self = shared_from_this()](boost::system::error_code ec, size_t) {
                             self->deadline_.cancel();
                             if (ec == asio::error::operation_aborted)
                               return;  // timed out: the session ends, closing the socket
                             if (ec) return self->reply({400, "text/plain", "bad request\n"});
                             std::istream in(&self->buf_);
                             std::string method, target, version;
                             in >> method >> target >> version;
                             if (method.empty() || target.empty() || version.rfind("HTTP/1.", 0) != 0)
                               return self->reply({400, "text/plain", "bad request\n"});
                             self->server_.handle(method, target, [self](Response r) { self->reply(std::move(r)); });
                           });
  }

 private:
  void reply(Response r) {
    out_ = fmt::format("HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
                       r.status, http::reason_phrase(r.status), r.content_type, r.body.size(), r.body);
    asio::async_write(socket_, asio::buffer(out_), [self = shared_from_this()](boost::system::error_code, size_t) {
      boost::system::error_code ignored;
      self->socket_.shutdown(tcp::socket::shutdown_both, ignored);
      self->socket_.close(ignored);
    });
  }

  tcp::socket socket_;
  AdminServer& server_;
  asio::streambuf buf_;
  std::string out_;
  asio::steady_timer deadline_;
};

}  // namespace

AdminServer::AdminServer(AdminSources sources) : src_(std::move(sources)) {}

AdminServer::~AdminServer() { stop(); }

bool AdminServer::start(const std::string& address, std::string& error) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos) {
    error = "admin address must be HOST:PORT, got " + address;
    return false;
  }
  boost::system::error_code ec;
  auto ip = asio::ip::make_address(address.substr(0, colon), ec);
  int port = -1;
  try {
    port = std::stoi(address.substr(colon + 1));
  } catch (...) {
  }
  if (ec || port < 0 || port > 65535) {
    error = "bad admin address " + address;
    return false;
  }
  tcp::endpoint ep(ip, static_cast<uint16_t>(port));
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error = fmt::format("cannot listen on admin address {}: {}", address, ec.message());
    return false;
  }
  port_ = acceptor_.local_endpoint().port();
  accept();
  thread_ = std::thread([this] {
    // A handler that throws must not end the admin thread (std::terminate): log it and go on.
    for (;;) {
      try {
        io_.run();
        return;
      } catch (const std::exception& e) {
        spdlog::error("admin: request failed: {}", e.what());
      }
    }
  });
  return true;
}

void AdminServer::stop() {
  if (!thread_.joinable()) return;
  // The pending accept is cancelled and completes on the admin thread before the loop stops.
  // Destroyed under a pending accept, an acceptor leaves that operation in Asio 1.81's io_uring
  // service, which destroys it after the socket service is gone (a use after free that
  // AddressSanitizer caught at shutdown).
  std::promise<void> accept_ended;
  std::future<void> ended = accept_ended.get_future();
  asio::post(io_, [this, &accept_ended] {
    accept_ended_ = &accept_ended;
    boost::system::error_code ignored;
    acceptor_.cancel(ignored);
  });
  ended.wait_for(std::chrono::seconds(2));  // bounded, should the admin thread be wedged
  io_.stop();
  thread_.join();
}

void AdminServer::set_ready(bool ready) {
  asio::post(io_, [this, ready] { ready_ = ready; });
}

void AdminServer::accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket s) {
    if (accept_ended_ != nullptr) {  // stopping: whatever this completion is, it is the last
      accept_ended_->set_value();
      accept_ended_ = nullptr;
      return;
    }
    if (ec == asio::error::operation_aborted) return;
    if (!ec) std::make_shared<Session>(std::move(s), *this)->run();
    accept();
  });
}

// Copies the control thread's reload status and continues on the admin thread with the copy.
void AdminServer::with_status(std::function<void(server::ReloadStatus)> then) {
  if (!src_.control || !src_.reloader) return then(server::ReloadStatus{});
  asio::post(*src_.control, [this, then = std::move(then)]() mutable {
    server::ReloadStatus copy = src_.reloader->status();
    asio::post(io_, [then = std::move(then), copy = std::move(copy)]() mutable { then(std::move(copy)); });
  });
}

void AdminServer::scrape(std::function<void(Response)> done) {
  // Gathered on the admin thread only; each worker sends back an immutable copy of its counters.
  struct Gather {
    std::vector<obs::MetricsData> parts;
    size_t pending = 0;
    std::function<void()> finish;
  };
  auto g = std::make_shared<Gather>();
  g->parts.resize(src_.workers.size());
  g->pending = src_.workers.size() + 1;  // + the reload status
  auto extras = std::make_shared<obs::ScrapeExtras>(src_.identity);
  g->finish = [this, g, extras, done = std::move(done)] {
    for (const auto& w : src_.workers) extras->requests_in_flight += w.ctx ? w.ctx->in_flight() : 0;
    if (src_.listener_failures) extras->listeners_failed = src_.listener_failures().size();
    std::vector<obs::ClusterGauges> gauges;
    if (src_.cluster_view) {
      for (const auto& v : src_.cluster_view()) {
        const auto& b = v.stats.breaker;
        gauges.push_back({v.stats.name, b.cx_active, b.rq_active, b.rq_pending_active,
                          b.rq_pending_overflow + b.rq_overflow, b.rq_retry_overflow, v.stats.outlier.ejections_active,
                          v.stats.outlier.ejections_total, b.cx_open, b.rq_open, b.rq_pending_open, b.rq_retry_open});
      }
    }
    done({200, "text/plain; version=0.0.4; charset=utf-8", obs::render_prometheus(g->parts, *extras, gauges)});
    g->finish = nullptr;  // breaks the g -> finish -> g cycle
  };
  auto arrived = [g] {
    if (--g->pending == 0) g->finish();
  };
  with_status([g, extras, arrived](server::ReloadStatus s) {
    extras->config_version = s.version;
    extras->reloads_ok = s.reloads_ok;
    extras->reloads_rejected = s.reloads_failed;
    extras->rejected_objects = s.rejected.size();
    arrived();
  });
  for (size_t i = 0; i < src_.workers.size(); ++i) {
    const auto& w = src_.workers[i];
    w.loop->post([this, metrics = w.metrics, listeners = w.listeners, g, i, arrived] {
      // Worker thread: copy, then hand the copy to the admin thread.
      obs::MetricsData copy = metrics ? metrics->snapshot() : obs::MetricsData{};
      if (listeners) copy.listeners = listeners->snapshot();
      asio::post(io_, [g, i, arrived, copy = std::move(copy)]() mutable {
        g->parts[i] = std::move(copy);
        arrived();
      });
    });
  }
}

void AdminServer::handle(const std::string& method, const std::string& target, std::function<void(Response)> done) {
  if (method != "GET") return done({405, "text/plain", "only GET\n"});
  const auto q = target.find('?');
  const std::string path = target.substr(0, q);
  const std::string query = q == std::string::npos ? "" : target.substr(q + 1);

  if (path == "/healthz") return done({200, "text/plain", "ok\n"});
  if (path == "/ready")
    return done(ready_ ? Response{200, "text/plain", "LIVE\n"} : Response{503, "text/plain", "NOT READY\n"});
  if (path == "/stats/prometheus") return scrape(std::move(done));
  if (path == "/config_dump") {
    return with_status([this, done = std::move(done)](server::ReloadStatus s) {
      auto snap = src_.store ? src_.store->load() : nullptr;
      std::vector<server::ListenerFailure> failed;
      if (src_.listener_failures) failed = src_.listener_failures();
      done(json_response(config_dump_json(snap.get(), s, failed)));
    });
  }
  if (path == "/clusters") {
    auto snap = src_.store ? src_.store->load() : nullptr;
    std::optional<std::vector<policy::ClusterStateRegistry::ClusterView>> view;
    if (src_.cluster_view) view = src_.cluster_view();
    return done(json_response(clusters_json(snap.get(), view)));
  }
  if (path == "/explain") {
    ExplainQuery eq;
    std::string error;
    if (!parse_explain_query(query, eq, error)) return done(json_response({{"error", error}}, 400));
    auto snap = src_.store ? src_.store->load() : nullptr;
    if (!snap) return done(json_response({{"error", "no config applied"}}, 503));
    return done(json_response(explain_json(*snap, eq)));
  }
  done({404, "text/plain", "not found; try /stats/prometheus /config_dump /clusters /ready /healthz /explain\n"});
}

}  // namespace sy::admin
