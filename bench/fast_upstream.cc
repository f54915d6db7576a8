// fast-upstream: the benchmark's origin server. One thread, edge-triggered epoll, no allocation per
// request, canned responses. It exists so that the upstream's own cost per request is small next to
// the proxy's: the proxy under test and this upstream share one core, so every cycle spent here is a
// cycle the proxy cannot use. demo-upstream (Asio + Beast, JSON echo) is a functional test server
// and costs several times more per request; nginx as an origin costs about as much as a proxy.
//
// Protocol subset (enough for wrk, h2load --h1 and the three proxies): HTTP/1.1 keep-alive,
// pipelining, request bodies framed by Content-Length (read and discarded). Chunked request bodies
// are not supported (the benchmark never sends them) and get a 400 and a close.
//
// Responses: a path starting with "/big" gets a 64 KiB body, anything else a 13-byte body.
//
// Usage: fast-upstream PORT   (listens on 127.0.0.1:PORT; runs until SIGTERM/SIGINT)
// Build: g++ -O2 -std=c++20 -o fast-upstream bench/fast_upstream.cc   (bench/run.sh does it)

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::size_t kReadBuf = 16 * 1024;  // one request head must fit; bodies stream through
constexpr std::size_t kBigBody = 64 * 1024;

volatile sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

std::string make_response(std::size_t body_len, char fill) {
  std::string r = "HTTP/1.1 200 OK\r\nServer: fast-upstream\r\nContent-Type: text/plain\r\nContent-Length: " +
                  std::to_string(body_len) + "\r\n\r\n";
  if (body_len == 13) {
    r += "hello, world\n";
  } else {
    r.append(body_len, fill);
  }
  return r;
}

const std::string kSmall = make_response(13, 'x');
const std::string kBig = make_response(kBigBody, 'x');
const std::string kBadRequest = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

// Per-connection state. Lives in a vector indexed by fd, so lookup is an array access.
struct Conn {
  bool open = false;
  std::vector<char> in;           // unparsed bytes; capacity kReadBuf, allocated once per fd
  std::size_t in_len = 0;
  std::size_t body_left = 0;      // request body bytes still to discard
  const std::string* out = nullptr;  // response being written (canned, never freed)
  std::size_t out_off = 0;
  unsigned queued = 0;            // further responses owed after `out` (pipelined requests)
  const std::string* queued_resp[64];
  bool close_after = false;
};

std::vector<Conn> g_conns;
int g_epfd = -1;

bool iequals_prefix(std::string_view line, std::string_view name) {
  if (line.size() < name.size()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char a = line[i], b = name[i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
    if (a != b) return false;
  }
  return true;
}

void close_conn(int fd) {
  Conn& c = g_conns[static_cast<std::size_t>(fd)];
  c.open = false;
  c.in_len = 0;
  c.body_left = 0;
  c.out = nullptr;
  c.queued = 0;
  c.close_after = false;
  ::close(fd);
}

// Writes what it can; returns false if the connection was closed.
bool flush(int fd, Conn& c) {
  while (c.out) {
    const std::string& r = *c.out;
    ssize_t n = ::send(fd, r.data() + c.out_off, r.size() - c.out_off, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return true;  // EPOLLOUT resumes us
      if (errno == EINTR) continue;
      close_conn(fd);
      return false;
    }
    c.out_off += static_cast<std::size_t>(n);
    if (c.out_off < r.size()) continue;
    c.out_off = 0;
    if (c.queued > 0) {
      c.out = c.queued_resp[0];
      std::memmove(c.queued_resp, c.queued_resp + 1, (c.queued - 1) * sizeof(c.queued_resp[0]));
      --c.queued;
    } else {
      c.out = nullptr;
    }
  }
  if (c.close_after) {
    close_conn(fd);
    return false;
  }
  return true;
}

void respond(Conn& c, const std::string* r) {
  if (!c.out) {
    c.out = r;
    c.out_off = 0;
  } else if (c.queued < 64) {
    c.queued_resp[c.queued++] = r;
  } else {
    c.close_after = true;  // absurd pipelining depth: stop reading, finish, close
  }
}

// Parses as many complete requests as the buffer holds. Returns false on a protocol error.
bool parse(Conn& c) {
  std::size_t pos = 0;
  while (pos < c.in_len) {
    if (c.body_left > 0) {
      std::size_t take = std::min(c.body_left, c.in_len - pos);
      c.body_left -= take;
      pos += take;
      continue;
    }
    std::string_view rest(c.in.data() + pos, c.in_len - pos);
    std::size_t end = rest.find("\r\n\r\n");
    if (end == std::string_view::npos) break;
    std::string_view head = rest.substr(0, end + 2);
    std::size_t sp1 = head.find(' ');
    if (sp1 == std::string_view::npos) return false;
    bool big = head.substr(sp1 + 1, 4) == "/big";
    std::size_t content_length = 0;
    bool close = false;
    std::size_t line = head.find("\r\n");
    while (line != std::string_view::npos && line + 2 < head.size()) {
      std::size_t next = head.find("\r\n", line + 2);
      std::string_view h = head.substr(line + 2, next - line - 2);
      if (iequals_prefix(h, "content-length:")) {
        content_length = std::strtoull(std::string(h.substr(15)).c_str(), nullptr, 10);
      } else if (iequals_prefix(h, "transfer-encoding:")) {
        return false;
      } else if (iequals_prefix(h, "connection:") && h.find("close") != std::string_view::npos) {
        close = true;
      }
      line = next;
    }
    pos += end + 4;
    c.body_left = content_length;
    respond(c, big ? &kBig : &kSmall);
    if (close) c.close_after = true;
  }
  std::memmove(c.in.data(), c.in.data() + pos, c.in_len - pos);
  c.in_len -= pos;
  return true;
}

void on_readable(int fd) {
  Conn& c = g_conns[static_cast<std::size_t>(fd)];
  for (;;) {
    if (c.in_len == c.in.size()) {  // a head larger than the buffer
      close_conn(fd);
      return;
    }
    std::size_t space = c.in.size() - c.in_len;
    ssize_t n = ::recv(fd, c.in.data() + c.in_len, space, 0);
    if (n == 0) {
      close_conn(fd);
      return;
    }
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (errno == EINTR) continue;
      close_conn(fd);
      return;
    }
    c.in_len += static_cast<std::size_t>(n);
    if (!parse(c)) {
      c.out = &kBadRequest;
      c.out_off = 0;
      c.queued = 0;
      c.close_after = true;
      flush(fd, c);
      return;
    }
    if (!flush(fd, c)) return;
    // A short read drained the socket: with edge triggering the next arrival raises a new event,
    // so the EAGAIN recv a full loop would end with can be skipped.
    if (static_cast<std::size_t>(n) < space) break;
  }
}

void accept_all(int lfd) {
  for (;;) {
    int fd = ::accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (static_cast<std::size_t>(fd) >= g_conns.size()) g_conns.resize(static_cast<std::size_t>(fd) * 2 + 1);
    Conn& c = g_conns[static_cast<std::size_t>(fd)];
    if (c.in.empty()) c.in.resize(kReadBuf);
    c.open = true;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.fd = fd;
    ::epoll_ctl(g_epfd, EPOLL_CTL_ADD, fd, &ev);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fast-upstream PORT\n");
    return 2;
  }
  int port = std::atoi(argv[1]);
  ::signal(SIGTERM, on_signal);
  ::signal(SIGINT, on_signal);
  ::signal(SIGPIPE, SIG_IGN);

  int lfd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(lfd, 4096) != 0) {
    std::perror("fast-upstream: bind/listen");
    return 1;
  }
  g_epfd = ::epoll_create1(EPOLL_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = lfd;
  ::epoll_ctl(g_epfd, EPOLL_CTL_ADD, lfd, &ev);
  g_conns.resize(1024);

  std::vector<epoll_event> events(512);
  while (!g_stop) {
    int n = ::epoll_wait(g_epfd, events.data(), static_cast<int>(events.size()), 500);
    for (int i = 0; i < n; ++i) {
      int fd = events[static_cast<std::size_t>(i)].data.fd;
      if (fd == lfd) {
        accept_all(lfd);
        continue;
      }
      if (static_cast<std::size_t>(fd) >= g_conns.size() || !g_conns[static_cast<std::size_t>(fd)].open) continue;
      std::uint32_t e = events[static_cast<std::size_t>(i)].events;
      Conn& c = g_conns[static_cast<std::size_t>(fd)];
      if ((e & EPOLLOUT) && c.out) {
        if (!flush(fd, c)) continue;
      }
      if (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) on_readable(fd);
    }
  }
  return 0;
}
