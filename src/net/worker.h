// One event loop on one thread. Everything a worker owns (accepted connections, upstream pools,
// load-balancer state) is touched only from its own thread; other threads talk to it by post().
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <functional>
#include <thread>

namespace sy::net {

class Worker {
 public:
  explicit Worker(int index);
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;
  ~Worker();

  int index() const { return index_; }
  boost::asio::io_context& io() { return io_; }

  // Starts the loop on its own thread.
  void start();
  // Asks the loop to finish; pending handlers are abandoned. Safe from any thread.
  void stop();
  void join();
  // After join(): destroys every handler still queued, which ends suspended coroutines (idle
  // keep-alive connections) while the objects they point to still exist. Their owner calls this
  // before destroying what the coroutines reference (the WorkerContext); the io_context itself
  // lives on until ~Worker, so I/O objects destroyed in between are still valid.
  void abandon_pending();
  // Runs `fn` on this worker's thread.
  void post(std::function<void()> fn);

 private:
  int index_;
  // Every socket, acceptor and timer of a worker is used from its own thread only (the control
  // thread posts listener changes), so per-descriptor locking is pure cost: UNSAFE_IO drops it
  // and keeps the scheduler's lock that cross-thread post() needs.
  struct Loop : boost::asio::io_context {
    using io_context::io_context;
    using io_context::shutdown;  // protected in execution_context
  };
  Loop io_{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;
};

}  // namespace sy::net
