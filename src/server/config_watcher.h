// Watches the --config paths with inotify and calls back (debounced) when anything under them
// changes: edits in place, new/removed/renamed files, and the `..data` symlink swap Kubernetes
// uses for mounted ConfigMaps, and a config directory deleted and created again (its parent is
// watched for that name). Debounced: the callback runs once events have been quiet for
// `debounce`, and at the latest 5 x `debounce` after the first event of a burst, so a steady
// trickle of writes cannot hold a reload back. Runs on the main (control) thread's io_context.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <set>
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
  struct Watch {
    std::string dir;
    bool all = false;             // every event counts
    std::set<std::string> names;  // otherwise only events about these entries (a config dir's parent)
  };
  void watch_all();
  void watch_tree(const std::string& path);
  void add_watch(const std::string& dir, const std::string& only_name);
  void read_events();
  void schedule();

  boost::asio::io_context& io_;
  std::vector<std::string> paths_;
  std::chrono::milliseconds debounce_;
  std::function<void()> on_change_;
  int fd_ = -1;
  std::unique_ptr<boost::asio::posix::stream_descriptor> stream_;
  boost::asio::steady_timer timer_;
  std::map<int, Watch> watches_;                         // watch descriptor -> what it watches
  std::chrono::steady_clock::time_point burst_start_{};  // first event not yet reloaded for
  bool pending_ = false;
  alignas(8) char buf_[16 * 1024];
};

}  // namespace sy::server
