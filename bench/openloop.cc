// Open-loop HTTP/1.1 load generator for scenario (b) of bench/bench.py.
//
// Request i is due at start + i / rate, whatever happened to earlier requests, and its latency is
// measured from that due time, not from when it was written: a proxy that stalls is charged for
// every request that waited behind the stall (no coordinated omission, unlike a closed loop or
// h2load --rps, which keeps one request per connection and starts the next one late).
//
// Requests go out over keep-alive connections, one in flight per connection. It starts with --conns
// connections; when a request falls due and every connection is busy, it opens another, up to
// --max-conns; beyond that the request queues (its latency still runs from its due time).
// Single-threaded, epoll, an absolute timerfd for the schedule. Responses must carry
// Content-Length (the bench upstream's do).
//
// Prints one JSON line: requests completed, errors, achieved rate, latency percentiles in µs from
// the due time, and the generator's own send lag (write time - due time) so a late generator shows.
//
// Build: g++ -O2 -std=c++20 -o openloop openloop.cc
// Usage: openloop --port P --host H --rate R --seconds S [--conns 64] [--max-conns 256] [--path /]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using Nanos = std::int64_t;

Nanos now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return Nanos{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

struct Options {
  int port = 0;
  std::string host = "localhost";
  std::string path = "/";
  double rate = 1000;
  double seconds = 5;
  int conns = 64;
  int max_conns = 256;
};

struct Conn {
  int fd = -1;
  bool connected = false;
  bool busy = false;
  Nanos due = 0;            // due time of the request in flight
  std::string in;           // bytes of the response read so far
};

struct Stats {
  std::vector<std::uint32_t> latency_us;   // per completed request, from its due time
  std::vector<std::uint32_t> send_lag_us;  // write time - due time
  std::uint64_t errors = 0;
};

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "openloop: %s: %s\n", what, std::strerror(errno));
  std::exit(2);
}

class Generator {
 public:
  explicit Generator(const Options& o) : opt_(o) {
    request_ = "GET " + o.path + " HTTP/1.1\r\nHost: " + o.host + "\r\n\r\n";
    epfd_ = epoll_create1(0);
    tfd_ = timerfd_create(CLOCK_MONOTONIC, 0);
    if (epfd_ < 0 || tfd_ < 0) die("epoll/timerfd");
    add(tfd_, kTimerTag);
  }

  int run() {
    for (int i = 0; i < opt_.conns; ++i) open_conn();
    start_ = now_ns() + 200'000'000;  // let the first connections finish connecting
    interval_ = static_cast<Nanos>(1e9 / opt_.rate);
    total_ = static_cast<std::uint64_t>(opt_.rate * opt_.seconds);
    arm(start_);
    epoll_event evs[256];
    while (completed_ + stats_.errors < total_) {
      int n = epoll_wait(epfd_, evs, 256, 5000);
      if (n < 0 && errno != EINTR) die("epoll_wait");
      if (n == 0) break;  // nothing for 5 s: the target is stuck; report what we have
      for (int i = 0; i < n; ++i) {
        if (evs[i].data.u64 == kTimerTag) on_timer();
        else on_conn(static_cast<std::size_t>(evs[i].data.u64), evs[i].events);
      }
    }
    report(now_ns());
    return 0;
  }

 private:
  static constexpr std::uint64_t kTimerTag = ~std::uint64_t{0};

  void add(int fd, std::uint64_t tag) {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.u64 = tag;
    if (epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl");
  }

  void arm(Nanos at) {
    itimerspec its{};
    its.it_value.tv_sec = at / 1'000'000'000;
    its.it_value.tv_nsec = at % 1'000'000'000;
    if (timerfd_settime(tfd_, TFD_TIMER_ABSTIME, &its, nullptr) < 0) die("timerfd_settime");
  }

  std::size_t open_conn() {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0) die("socket");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<std::uint16_t>(opt_.port));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0 && errno != EINPROGRESS) die("connect");
    Conn c;
    c.fd = fd;
    conns_.push_back(std::move(c));
    add(fd, conns_.size() - 1);
    return conns_.size() - 1;
  }

  // Every request whose due time has passed goes out now (or waits in backlog_ for a connection).
  void on_timer() {
    std::uint64_t expirations;
    (void)!read(tfd_, &expirations, sizeof expirations);
    Nanos t = now_ns();
    while (issued_ < total_ && start_ + static_cast<Nanos>(issued_) * interval_ <= t) {
      backlog_.push_back(start_ + static_cast<Nanos>(issued_) * interval_);
      ++issued_;
    }
    dispatch();
    if (issued_ < total_) arm(start_ + static_cast<Nanos>(issued_) * interval_);
  }

  void dispatch() {
    while (!backlog_.empty()) {
      std::size_t idx = idle_index();
      if (idx == kNone) {
        if (static_cast<int>(conns_.size()) < opt_.max_conns) open_conn();
        return;  // sent when a connection frees up or the new one connects
      }
      send_on(idx, backlog_.front());
      backlog_.pop_front();
    }
  }

  static constexpr std::size_t kNone = ~std::size_t{0};

  std::size_t idle_index() {
    while (!idle_.empty()) {
      std::size_t i = idle_.back();
      idle_.pop_back();
      if (conns_[i].fd >= 0 && conns_[i].connected && !conns_[i].busy) return i;
    }
    return kNone;
  }

  void send_on(std::size_t i, Nanos due) {
    Conn& c = conns_[i];
    c.busy = true;
    c.due = due;
    Nanos t = now_ns();
    stats_.send_lag_us.push_back(static_cast<std::uint32_t>(std::max<Nanos>(0, t - due) / 1000));
    ssize_t w = send(c.fd, request_.data(), request_.size(), MSG_NOSIGNAL);
    if (w != static_cast<ssize_t>(request_.size())) fail(i);  // a 40-byte write to a fresh socket fits
  }

  void on_conn(std::size_t i, std::uint32_t events) {
    Conn& c = conns_[i];
    if (c.fd < 0) return;
    if (!c.connected && (events & EPOLLOUT)) {
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) { close_conn(i); ++stats_.errors; return; }
      c.connected = true;
      make_idle(i);
    }
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)) read_responses(i, events);
  }

  void read_responses(std::size_t i, std::uint32_t events) {
    Conn& c = conns_[i];
    char buf[16384];
    for (;;) {
      ssize_t r = recv(c.fd, buf, sizeof buf, 0);
      if (r > 0) { c.in.append(buf, static_cast<std::size_t>(r)); continue; }
      if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (c.busy) fail(i); else close_conn(i);  // peer closed or error
      return;
    }
    if (c.busy) try_complete(i);
    if (events & (EPOLLERR | EPOLLHUP)) close_conn(i);
  }

  void try_complete(std::size_t i) {
    Conn& c = conns_[i];
    std::size_t head_end = c.in.find("\r\n\r\n");
    if (head_end == std::string::npos) return;
    std::string_view head(c.in.data(), head_end);
    std::size_t length = content_length(head);
    if (length == kNone) { fail(i); return; }
    if (c.in.size() < head_end + 4 + length) return;
    bool ok = head.substr(0, 12) == "HTTP/1.1 200";
    c.in.erase(0, head_end + 4 + length);
    if (ok) stats_.latency_us.push_back(static_cast<std::uint32_t>((now_ns() - c.due) / 1000));
    else ++stats_.errors;
    ++completed_;
    c.busy = false;
    make_idle(i);
  }

  static std::size_t content_length(std::string_view head) {
    for (std::size_t pos = head.find("\r\n"); pos != std::string_view::npos; pos = head.find("\r\n", pos + 2)) {
      std::string_view line = head.substr(pos + 2, head.find("\r\n", pos + 2) - (pos + 2));
      if (line.size() > 15 && strncasecmp(line.data(), "content-length:", 15) == 0)
        return std::strtoul(std::string(line.substr(15)).c_str(), nullptr, 10);
    }
    return kNone;
  }

  void make_idle(std::size_t i) {
    idle_.push_back(i);
    dispatch();
  }

  void fail(std::size_t i) {
    ++stats_.errors;
    conns_[i].busy = false;
    close_conn(i);
    if (static_cast<int>(live_conns()) < opt_.conns) open_conn();  // keep the pool at its floor
  }

  void close_conn(std::size_t i) {
    if (conns_[i].fd >= 0) close(conns_[i].fd);
    conns_[i].fd = -1;
    conns_[i].in.clear();
  }

  std::size_t live_conns() const {
    return static_cast<std::size_t>(std::count_if(conns_.begin(), conns_.end(), [](const Conn& c) { return c.fd >= 0; }));
  }

  static double pct(std::vector<std::uint32_t>& v, double q) {
    if (v.empty()) return 0;
    std::size_t k = static_cast<std::size_t>(std::ceil(q / 100.0 * static_cast<double>(v.size()))) - 1;
    k = std::min(k, v.size() - 1);
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return v[k];
  }

  void report(Nanos end) {
    auto& l = stats_.latency_us;
    auto& s = stats_.send_lag_us;
    double secs = static_cast<double>(end - start_) / 1e9;
    std::printf("OPENLOOP_JSON {\"requests\": %zu, \"errors\": %llu, \"scheduled\": %llu, \"seconds\": %.3f, "
                "\"rps\": %.1f, \"connections\": %zu, \"p50_us\": %.0f, \"p90_us\": %.0f, \"p99_us\": %.0f, "
                "\"p999_us\": %.0f, \"max_us\": %.0f, \"send_lag_p99_us\": %.0f}\n",
                l.size(), static_cast<unsigned long long>(stats_.errors), static_cast<unsigned long long>(total_),
                secs, static_cast<double>(l.size()) / secs, conns_.size(), pct(l, 50), pct(l, 90), pct(l, 99),
                pct(l, 99.9), pct(l, 100), pct(s, 99));
  }

  Options opt_;
  std::string request_;
  int epfd_ = -1, tfd_ = -1;
  std::vector<Conn> conns_;
  std::vector<std::size_t> idle_;
  std::deque<Nanos> backlog_;
  Nanos start_ = 0, interval_ = 0;
  std::uint64_t total_ = 0, issued_ = 0, completed_ = 0;
  Stats stats_;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view k = argv[i];
    const char* v = argv[i + 1];
    if (k == "--port") o.port = std::atoi(v);
    else if (k == "--host") o.host = v;
    else if (k == "--path") o.path = v;
    else if (k == "--rate") o.rate = std::atof(v);
    else if (k == "--seconds") o.seconds = std::atof(v);
    else if (k == "--conns") o.conns = std::atoi(v);
    else if (k == "--max-conns") o.max_conns = std::atoi(v);
    else { std::fprintf(stderr, "openloop: unknown option %s\n", argv[i]); std::exit(2); }
  }
  if (o.port <= 0 || o.rate <= 0 || o.seconds <= 0 || o.conns <= 0 || o.max_conns < o.conns) {
    std::fprintf(stderr, "usage: openloop --port P --rate R --seconds S [--host H] [--path /] [--conns 64] "
                         "[--max-conns 256]\n");
    std::exit(2);
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) { return Generator(parse(argc, argv)).run(); }
