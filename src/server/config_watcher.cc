#include "server/config_watcher.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <algorithm>
#include <filesystem>

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
  watch_all();
  stream_ = std::make_unique<boost::asio::posix::stream_descriptor>(io_, fd_);
  read_events();
  return true;
}

void ConfigWatcher::watch_all() {
  for (const auto& p : paths_) watch_tree(p);
}

void ConfigWatcher::add_watch(const std::string& dir, const std::string& only_name) {
  constexpr uint32_t kMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_MODIFY |
                             IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF;
  // Adding a watch on an inode already watched returns the same descriptor: merge the filters
  // (the parent of one config dir can be another config dir, or hold a second one).
  int wd = ::inotify_add_watch(fd_, dir.c_str(), kMask);
  if (wd < 0) return;
  Watch& w = watches_[wd];
  if (w.dir.empty()) w.dir = dir;
  if (only_name.empty()) w.all = true;
  else w.names.insert(only_name);
}

// Directories are watched (not files) so that editors' write-to-temp-and-rename and the ConfigMap
// symlink swap, which replace the file's inode, are still seen.
void ConfigWatcher::watch_tree(const std::string& path) {
  std::error_code ec;
  const fs::path p(path);
  fs::path abs = fs::absolute(p, ec).lexically_normal();
  if (abs.filename().empty()) abs = abs.parent_path();  // "dir/"
  const fs::path parent = abs.has_parent_path() ? abs.parent_path() : fs::path("/");
  if (!fs::exists(p, ec)) {
    add_watch(parent.string(), abs.filename().string());  // tells us when it appears
    return;
  }
  if (!fs::is_directory(p, ec)) {
    add_watch(parent.string(), "");  // a single file: any change next to it may be its replacement
    return;
  }
  // The config dir itself may be deleted and created again: its parent tells us when it is back.
  add_watch(parent.string(), abs.filename().string());
  add_watch(p.string(), "");
  for (auto it = fs::recursive_directory_iterator(p, fs::directory_options::follow_directory_symlink, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (it->is_directory(ec)) add_watch(it->path().string(), "");
  }
}

void ConfigWatcher::read_events() {
  stream_->async_read_some(boost::asio::buffer(buf_), [this](boost::system::error_code ec, size_t n) {
    if (ec) return;
    bool relevant = false;
    bool rewatch = false;
    for (size_t off = 0; off + sizeof(inotify_event) <= n;) {
      auto* ev = reinterpret_cast<const inotify_event*>(buf_ + off);
      off += sizeof(inotify_event) + ev->len;
      if (ev->mask & IN_Q_OVERFLOW) {
        relevant = rewatch = true;  // events were lost: look at everything again
        continue;
      }
      auto w = watches_.find(ev->wd);
      if (w == watches_.end()) continue;
      if (ev->mask & IN_IGNORED) {  // the directory is gone (or was replaced)
        watches_.erase(w);
        relevant = rewatch = true;
        continue;
      }
      const std::string name = ev->len > 0 ? std::string(ev->name) : std::string();
      const bool named = w->second.names.contains(name);
      if (!w->second.all && !named) continue;
      relevant = true;
      if ((ev->mask & IN_ISDIR) && (ev->mask & (IN_CREATE | IN_MOVED_TO))) rewatch = true;
      if (named) rewatch = true;  // a config path itself came or went
    }
    if (rewatch) watch_all();
    if (relevant) schedule();
    read_events();
  });
}

void ConfigWatcher::schedule() {
  // Debounce: an editor's save is several events; reload once they have settled, but never later
  // than 5 x debounce after the first of them.
  const auto now = std::chrono::steady_clock::now();
  if (!pending_) {
    pending_ = true;
    burst_start_ = now;
  }
  const auto latest = burst_start_ + 5 * debounce_;
  timer_.expires_at(std::min(now + debounce_, latest));
  timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    pending_ = false;
    on_change_();
  });
}

}  // namespace sy::server
