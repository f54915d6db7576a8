#include "net/worker.h"

#include <boost/asio/post.hpp>
#include <string>

#include <pthread.h>

namespace sy::net {

Worker::Worker(int index) : index_(index), work_(io_.get_executor()) {}

Worker::~Worker() {
  stop();
  join();
}

void Worker::start() {
  thread_ = std::thread([this] {
    std::string name = "sy-worker-" + std::to_string(index_);
    pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
    io_.run();
  });
}

void Worker::stop() {
  work_.reset();
  io_.stop();
}

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::abandon_pending() {
  if (thread_.joinable()) return;  // still running: only its own thread may touch the loop
  io_.shutdown();
}

void Worker::post(std::function<void()> fn) { boost::asio::post(io_, std::move(fn)); }

}  // namespace sy::net
