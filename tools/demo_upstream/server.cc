#include "server.h"

#include <csignal>
#include <cstdio>
#include <exception>
#include <fstream>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "session.h"

namespace demo {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kDrainGrace = 2s;  // longest we wait for in-flight requests after a signal
constexpr auto kDrainPoll = 10ms;

// A worker: one thread running one io_context. Connections never move between workers.
struct Worker {
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> guard = asio::make_work_guard(io);
  std::thread thread;
};

void report_exception(std::exception_ptr error) {
  if (!error) return;
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "demo-upstream: connection failed: %s\n", e.what());
  }
}

// Accepts on one listener (owned by worker 0) and hands each socket, already bound to its target
// worker's io_context, to the workers in turn.
asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, std::vector<std::unique_ptr<Worker>>& workers,
                                  Shared& shared) {
  std::size_t next = 0;
  for (;;) {
    asio::io_context& target = workers[next++ % workers.size()]->io;
    auto [ec, socket] = co_await acceptor.async_accept(target, kTuple);
    if (!acceptor.is_open() || ec == asio::error::operation_aborted) co_return;
    if (ec) {
      // Typically EMFILE: back off instead of spinning.
      std::fprintf(stderr, "demo-upstream: accept: %s\n", ec.message().c_str());
      asio::steady_timer pause(acceptor.get_executor(), 50ms);
      co_await pause.async_wait(kTuple);
      continue;
    }
    asio::co_spawn(target, serve_connection(std::move(socket), shared), report_exception);
  }
}

bool write_port_file(const std::string& path, const std::vector<std::uint16_t>& ports) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    for (auto port : ports) out << port << "\n";
    if (!out) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

// Thread-safe: io_context::stop and work-guard release may be called from any thread.
void stop_workers(std::vector<std::unique_ptr<Worker>>& workers) {
  for (auto& worker : workers) {
    worker->guard.reset();
    worker->io.stop();
  }
}

// Waits on the control context until no request is in flight or the grace period ends.
asio::awaitable<void> drain(std::vector<std::unique_ptr<Worker>>& workers,
                            std::vector<std::unique_ptr<tcp::acceptor>>& acceptors, Shared& shared) {
  // Acceptors belong to worker 0; close them on its thread.
  asio::post(workers.front()->io, [&acceptors] {
    for (auto& acceptor : acceptors) {
      boost::system::error_code ignored;
      acceptor->close(ignored);
    }
  });
  auto deadline = std::chrono::steady_clock::now() + kDrainGrace;
  asio::steady_timer poll(co_await asio::this_coro::executor);
  while (shared.in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    poll.expires_after(kDrainPoll);
    co_await poll.async_wait(kTuple);
  }
  stop_workers(workers);
}

}  // namespace

int run_server(const Options& options) {
  std::signal(SIGPIPE, SIG_IGN);

  Shared shared;
  shared.identity = {options.name, options.version};
  shared.quiet = options.quiet;

  std::vector<std::unique_ptr<Worker>> workers;
  for (unsigned i = 0; i < options.threads; ++i) workers.push_back(std::make_unique<Worker>());

  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  std::vector<std::uint16_t> ports;
  for (const auto& listen : options.listen) {
    boost::system::error_code ec;
    auto address = asio::ip::make_address(listen.host, ec);
    if (ec) {
      std::fprintf(stderr, "demo-upstream: bad address %s: %s\n", listen.host.c_str(), ec.message().c_str());
      return 1;
    }
    tcp::endpoint endpoint(address, listen.port);
    auto acceptor = std::make_unique<tcp::acceptor>(workers.front()->io);
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(tcp::acceptor::max_listen_connections, ec);
    if (ec) {
      std::fprintf(stderr, "demo-upstream: listen %s:%u: %s\n", listen.host.c_str(), listen.port, ec.message().c_str());
      return 1;
    }
    ports.push_back(acceptor->local_endpoint().port());
    acceptors.push_back(std::move(acceptor));
  }
  if (!options.port_file.empty() && !write_port_file(options.port_file, ports)) {
    std::fprintf(stderr, "demo-upstream: cannot write %s\n", options.port_file.c_str());
    return 1;
  }

  for (auto& acceptor : acceptors) {
    asio::co_spawn(workers.front()->io, accept_loop(*acceptor, workers, shared), report_exception);
  }
  for (auto& worker : workers) {
    worker->thread = std::thread([&io = worker->io] { io.run(); });
  }
  if (!options.quiet) {
    for (std::size_t i = 0; i < ports.size(); ++i) {
      std::fprintf(stderr, "demo-upstream: %s %s listening on %s:%u (%u threads)\n", options.name.c_str(),
                   options.version.c_str(), options.listen[i].host.c_str(), ports[i], options.threads);
    }
  }

  // The main thread only waits for signals and runs the drain. A second signal skips the grace.
  asio::io_context control;
  asio::signal_set signals(control, SIGINT, SIGTERM);
  bool draining = false;
  std::function<void(const boost::system::error_code&, int)> on_signal = [&](const boost::system::error_code& ec, int) {
    if (ec) return;
    if (draining) {
      stop_workers(workers);
      control.stop();
      return;
    }
    draining = true;
    asio::co_spawn(control, drain(workers, acceptors, shared), [&](std::exception_ptr error) {
      report_exception(error);
      signals.cancel();
    });
    signals.async_wait(on_signal);
  };
  signals.async_wait(on_signal);
  control.run();

  for (auto& worker : workers) {
    if (worker->thread.joinable()) worker->thread.join();
  }
  // Acceptors must go before their io_context; sessions still pending are destroyed with it.
  acceptors.clear();
  return 0;
}

}  // namespace demo
