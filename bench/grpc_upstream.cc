// grpc-upstream: the benchmark's gRPC origin (scenario g). One thread, epoll, nghttp2's server
// session per connection (h2c, prior knowledge), canned answers: every request stream gets a
// gRPC unary response, HEADERS (:status 200, content-type application/grpc), one DATA frame
// holding one length-prefixed message, and trailers with grpc-status 0. Request bodies are read
// and discarded. Like fast-upstream, it exists so that the origin's own cost per request is small
// next to the proxies': a Python grpcio server would be the bottleneck of every row.
//
// Usage: grpc-upstream PORT   (listens on 127.0.0.1:PORT; runs until SIGTERM/SIGINT)
// Build: g++ -O2 -std=c++20 -o grpc-upstream bench/grpc_upstream.cc -lnghttp2   (bench/run.sh)

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <nghttp2/nghttp2.h>
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

namespace {

volatile sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

// One message: the 5-byte gRPC prefix (not compressed, length 7) and a 7-byte protobuf body
// (field 1, string "bench").
constexpr char kMessage[] = "\x00\x00\x00\x00\x07\x0a\x05" "bench";
constexpr size_t kMessageLen = sizeof(kMessage) - 1;

nghttp2_nv nv(const char* name, const char* value) {
  return {reinterpret_cast<uint8_t*>(const_cast<char*>(name)), reinterpret_cast<uint8_t*>(const_cast<char*>(value)),
          strlen(name), strlen(value), NGHTTP2_NV_FLAG_NONE};
}

struct Connection {
  int fd = -1;
  nghttp2_session* session = nullptr;
  std::string pending;  // framed bytes the socket did not take yet
  bool want_out = false;
};

ssize_t read_message(nghttp2_session* session, int32_t stream_id, uint8_t* buf, size_t length, uint32_t* flags,
                     nghttp2_data_source*, void*) {
  if (length < kMessageLen) return NGHTTP2_ERR_CALLBACK_FAILURE;
  memcpy(buf, kMessage, kMessageLen);
  *flags |= NGHTTP2_DATA_FLAG_EOF | NGHTTP2_DATA_FLAG_NO_END_STREAM;
  nghttp2_nv trailers[] = {nv("grpc-status", "0")};
  if (nghttp2_submit_trailer(session, stream_id, trailers, 1) != 0) return NGHTTP2_ERR_CALLBACK_FAILURE;
  return static_cast<ssize_t>(kMessageLen);
}

int on_frame_recv(nghttp2_session* session, const nghttp2_frame* frame, void*) {
  const bool request_end = (frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
                           (frame->hd.flags & NGHTTP2_FLAG_END_STREAM);
  if (!request_end) return 0;
  nghttp2_nv head[] = {nv(":status", "200"), nv("content-type", "application/grpc")};
  nghttp2_data_provider body{};
  body.read_callback = read_message;
  return nghttp2_submit_response(session, frame->hd.stream_id, head, 2, &body) == 0 ? 0
                                                                                 : NGHTTP2_ERR_CALLBACK_FAILURE;
}

nghttp2_session_callbacks* callbacks() {
  static nghttp2_session_callbacks* cb = [] {
    nghttp2_session_callbacks* c = nullptr;
    nghttp2_session_callbacks_new(&c);
    nghttp2_session_callbacks_set_on_frame_recv_callback(c, on_frame_recv);
    return c;
  }();
  return cb;
}

// Frames everything the session has and writes it; false when the connection is over.
bool flush(Connection& c) {
  for (;;) {
    if (c.pending.empty()) {
      const uint8_t* data = nullptr;
      ssize_t n;
      while ((n = nghttp2_session_mem_send(c.session, &data)) > 0) c.pending.append(reinterpret_cast<const char*>(data), n);
      if (n < 0) return false;
      if (c.pending.empty()) break;
    }
    ssize_t w = ::send(c.fd, c.pending.data(), c.pending.size(), MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EAGAIN) break;
      return false;
    }
    c.pending.erase(0, static_cast<size_t>(w));
  }
  return nghttp2_session_want_read(c.session) || nghttp2_session_want_write(c.session) || !c.pending.empty();
}

void close_connection(int ep, Connection* c) {
  epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, nullptr);
  ::close(c->fd);
  nghttp2_session_del(c->session);
  delete c;
}

void update_interest(int ep, Connection& c) {
  const bool want_out = !c.pending.empty();
  if (want_out == c.want_out) return;
  c.want_out = want_out;
  epoll_event ev{};
  ev.events = want_out ? (EPOLLIN | EPOLLOUT) : EPOLLIN;
  ev.data.ptr = &c;
  epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
}

void accept_all(int ep, int lfd) {
  for (;;) {
    int fd = accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto* c = new Connection;
    c->fd = fd;
    nghttp2_session_server_new(&c->session, callbacks(), c);
    nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 1000}};
    nghttp2_submit_settings(c->session, NGHTTP2_FLAG_NONE, settings, 1);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = c;
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    if (!flush(*c)) close_connection(ep, c);
    else update_interest(ep, *c);
  }
}

bool on_readable(Connection& c) {
  char buf[16384];
  for (;;) {
    ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
    if (n == 0) return false;
    if (n < 0) return errno == EAGAIN;
    if (nghttp2_session_mem_recv(c.session, reinterpret_cast<const uint8_t*>(buf), static_cast<size_t>(n)) < 0)
      return false;
    if (static_cast<size_t>(n) < sizeof buf) return true;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: grpc-upstream PORT\n");
    return 2;
  }
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  signal(SIGPIPE, SIG_IGN);
  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(atoi(argv[1])));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(lfd, 4096) != 0) {
    perror("grpc-upstream: listen");
    return 1;
  }
  int ep = epoll_create1(EPOLL_CLOEXEC);
  epoll_event lev{};
  lev.events = EPOLLIN;
  lev.data.ptr = nullptr;  // the listener
  epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev);
  epoll_event events[256];
  while (!g_stop) {
    int n = epoll_wait(ep, events, 256, 500);
    for (int i = 0; i < n; ++i) {
      if (events[i].data.ptr == nullptr) {
        accept_all(ep, lfd);
        continue;
      }
      auto* c = static_cast<Connection*>(events[i].data.ptr);
      const bool alive = (events[i].events & (EPOLLERR | EPOLLHUP)) == 0 && on_readable(*c) && flush(*c);
      if (!alive) close_connection(ep, c);
      else update_interest(ep, *c);
    }
  }
  return 0;
}
