#include "proxy/mirror.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cstring>
#include <vector>

#include "http/http1/response_parser.h"
#include "http/http1/serializer.h"
#include "upstream/socket_options.h"

namespace sy::proxy {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

std::string shadow_authority(std::string_view authority) {
  size_t host_end = authority.size();
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close != std::string_view::npos) host_end = close + 1;
  } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host_end = colon;
  }
  std::string out(authority.substr(0, host_end));
  out += "-shadow";
  out += authority.substr(host_end);
  return out;
}

namespace {

struct MirrorJob {
  WorkerContext& ctx;
  std::shared_ptr<upstream::ClusterTable> table;  // keeps the snapshot and cluster state alive
  uint32_t cluster;
  http::Method method;
  std::string head_bytes;
  std::string body;
  std::chrono::milliseconds timeout;
  std::string proxy_header;
};

// One exchange: pick an endpoint, connect, send, read the response to its end, drop it. Any
// failure just ends the coroutine.
asio::awaitable<void> run_mirror(MirrorJob job) {
  auto rt = job.table->runtime(job.cluster);
  if (rt->cluster->missing() || rt->eligible_count == 0 || !rt->balancer) co_return;
  // Mirrors reach a TLS cluster only once mirroring goes through the pool (compile warns): never in plaintext.
  if (rt->cluster->tls) co_return;
  lb::PickContext pick{.random = job.ctx.rng().next(),
                       .active_requests = rt->active,
                       .eligible = rt->eligible,
                       .now = rt->pick_time()};
  auto index = rt->balancer->pick(pick);
  if (!index) co_return;
  const tcp::endpoint ep = rt->addresses[*index];

  asio::steady_timer deadline(job.ctx.io());
  deadline.expires_after(job.timeout);
  tcp::socket socket(job.ctx.io());
  auto connected = co_await (socket.async_connect(ep, kTuple) || deadline.async_wait(kTuple));
  if (connected.index() != 0 || std::get<0>(std::get<0>(connected))) co_return;
  upstream::apply_tcp_keepalive(socket, rt->cluster->policy.connection_pool);
  std::array<asio::const_buffer, 3> bufs{asio::buffer(job.proxy_header), asio::buffer(job.head_bytes),
                                         asio::buffer(job.body)};
  auto sent = co_await (asio::async_write(socket, bufs, kTuple) || deadline.async_wait(kTuple));
  if (sent.index() != 0 || std::get<0>(std::get<0>(sent))) co_return;

  http::h1::ResponseParser parser;
  parser.expect_response_to(job.method);
  std::vector<char> buf(16 * 1024);
  size_t begin = 0, end = 0;
  for (;;) {
    auto step = parser.parse({buf.data() + begin, end - begin});
    begin += step.consumed;
    if (step.event == http::h1::ParseEvent::Done || step.event == http::h1::ParseEvent::Error) co_return;
    if (step.event != http::h1::ParseEvent::NeedMore) continue;
    std::memmove(buf.data(), buf.data() + begin, end - begin);  // keep an unfinished head
    end -= begin;
    begin = 0;
    if (end == buf.size()) co_return;  // a head larger than the buffer: give up
    auto got = co_await (socket.async_read_some(asio::buffer(buf.data() + end, buf.size() - end), kTuple) ||
                         deadline.async_wait(kTuple));
    if (got.index() != 0) co_return;
    auto [ec, n] = std::get<0>(got);
    if (ec || n == 0) co_return;
    end += n;
  }
}

}  // namespace

void spawn_mirror(WorkerContext& ctx, std::shared_ptr<upstream::ClusterTable> table, uint32_t cluster,
                  http::RequestHead& head, std::string body, std::chrono::milliseconds timeout,
                  std::string proxy_header) {
  // The serializer writes Host from the authority; swap it for the shadow name just for this.
  const std::string_view original = head.authority;
  const std::string shadow = shadow_authority(original);
  head.authority = shadow;
  MirrorJob job{ctx, std::move(table), cluster, head.method, {}, std::move(body), timeout, std::move(proxy_header)};
  http::h1::append_request_head(head, http::h1::HeadOptions{.close = true}, job.head_bytes);
  head.authority = original;
  asio::co_spawn(ctx.io(), run_mirror(std::move(job)), asio::detached);
}

}  // namespace sy::proxy
