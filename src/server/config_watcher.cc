#include "server/config_watcher.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <filesystem>
#include <spdlog/spdlog.h>

namespace sy::server {

namespace fs = std::filesystem;

ConfigWatcher::ConfigWatcher(boost::asio::io_context& io, std::vector<std::string> paths,
                             std::chrono::milliseconds debounce, std::function<void()> on_change)
    : io_(io), paths_(std::move(paths)), debounce_(debounce), on_change_(std::move(on_change)), timer_(io) {}

ConfigWatcher::~ConfigWatcher() {
  if (stream_) {
    boost::system::error_code ignored;
    stream_->close(ignored);  // closes fd_
  } else if (fd_ >= 0) {
    ::close(fd_);
  }
}

bool ConfigWatcher::start() {
  fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd_ < 0) return false;
  for (const auto& p : paths_) watch_tree(p);
  stream_ = std::make_unique<boost::asio::posix::stream_descriptor>(io_, fd_);
  read_events();
  return true;
}

// Directories are watched (not files) so that editors' write-to-temp-and-rename and the ConfigMap
// symlink swap, which replace the file's inode, are still seen.
void ConfigWatcher::watch_tree(const std::string& path) {
  std::error_code ec;
  fs::path p(path);
  fs::path dir = fs::is_directory(p, ec) ? p : p.parent_path();
  if (dir.empty()) dir = ".";
  constexpr uint32_t kMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_MODIFY |
                             IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF;
  auto add = [&](const fs::path& d) {
    int wd = ::inotify_add_watch(fd_, d.c_str(), kMask);
    if (wd >= 0) watches_[wd] = d.string();
  };
  add(dir);
  if (fs::is_directory(p, ec)) {
    for (auto it = fs::recursive_directory_iterator(p, fs::directory_options::follow_directory_symlink, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) break;
      if (it->is_directory(ec)) add(it->path());
    }
  }
}

void ConfigWatcher::read_events() {
  stream_->async_read_some(boost::asio::buffer(buf_), [this](boost::system::error_code ec, size_t n) {
    if (ec) return;
    bool new_dir = false;
    for (size_t off = 0; off + sizeof(inotify_event) <= n;) {
      auto* ev = reinterpret_cast<const inotify_event*>(buf_ + off);
      if ((ev->mask & IN_ISDIR) && (ev->mask & (IN_CREATE | IN_MOVED_TO))) new_dir = true;
      off += sizeof(inotify_event) + ev->len;
    }
    if (new_dir) {
      for (const auto& p : paths_) watch_tree(p);  // re-adding an existing watch is harmless
    }
    schedule();
    read_events();
  });
}

void ConfigWatcher::schedule() {
  // Debounce: an editor's save is several events; reload once they have settled.
  timer_.expires_after(debounce_);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) on_change_();
  });
}

}  // namespace sy::server
