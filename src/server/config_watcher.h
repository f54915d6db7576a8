// Watches the --config paths with inotify and calls back (debounced) when anything under them
// changes: edits in place, new/removed/renamed files, and the `..data` symlink swap Kubernetes
// uses for mounted ConfigMaps. Runs on the main (control) thread's io_context.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace sy::server {

class ConfigWatcher {
 public:
  ConfigWatcher(boost::asio::io_context& io, std::vector<std::string> paths, std::chrono::milliseconds debounce,
                std::function<void()> on_change);
  ~ConfigWatcher();
  // Starts watching. Returns false when inotify is unavailable (reload then only on SIGHUP).
  bool start();

 private:
  void watch_tree(const std::string& path);
  void read_events();
  void schedule();

  boost::asio::io_context& io_;
  std::vector<std::string> paths_;
  std::chrono::milliseconds debounce_;
  std::function<void()> on_change_;
  int fd_ = -1;
  std::unique_ptr<boost::asio::posix::stream_descriptor> stream_;
  boost::asio::steady_timer timer_;
  std::map<int, std::string> watches_;  // watch descriptor -> directory
  alignas(8) char buf_[16 * 1024];
};

}  // namespace sy::server
