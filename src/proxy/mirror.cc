#include "proxy/mirror.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

namespace sy::proxy {

namespace asio = boost::asio;

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

std::string_view shadow_origin(std::string_view authority) {
  constexpr std::string_view kSuffix = "-shadow";
  // The port's colon is the first after an IPv6 literal's `]` (the suffix sits between them).
  const size_t close = !authority.empty() && authority.front() == '[' ? authority.find(']') : std::string_view::npos;
  const size_t colon = close != std::string_view::npos ? authority.find(':', close) : authority.rfind(':');
  const size_t host_end = colon == std::string_view::npos ? authority.size() : colon;
  if (host_end < kSuffix.size() || authority.substr(host_end - kSuffix.size(), kSuffix.size()) != kSuffix)
    return authority;
  // Only a port may follow the suffix: views cannot splice, so a host:port authority keeps its
  // port off (TLS names never carry one).
  return authority.substr(0, host_end - kSuffix.size());
}

namespace {

// The copy's route: the one mirror destination, its timeout, no retries (Envoy's shadow requests
// are never retried), and nothing else: the primary's route policies already shaped the head.
snapshot::RouteEntry mirror_route(uint32_t cluster, std::chrono::milliseconds timeout) {
  snapshot::RouteEntry entry;
  snapshot::RouteDestination d;
  d.cluster = cluster;
  entry.action.destinations.push_back(std::move(d));
  entry.action.split = split::WeightedChoice::build(std::vector<std::optional<int32_t>>{100});
  entry.action.timeout = timeout;
  entry.action.retry.num_retries = 0;
  entry.action.retry.is_default = false;
  entry.name = "mirror";
  return entry;
}

}  // namespace

MirrorStream::MirrorStream(WorkerContext& ctx, const http::RequestHead& head, uint32_t cluster,
                           std::chrono::milliseconds timeout, const Downstream& primary,
                           const ForwardOptions& primary_options)
    : entry_(mirror_route(cluster, timeout)),
      ctx_(&ctx),
      head_(head.clone()),
      options_{.edge = primary_options.edge,
               .cors_origin = {},
               .mirror = true,
               .original_destination = primary_options.original_destination},
      peer_(primary.peer()),
      local_(primary.local()),
      wake_(ctx.io()) {
  head_.authority = head_.headers.intern(shadow_authority(head.authority));
  head_.upgrade = head_.websocket = false;  // a copy never becomes a tunnel
  ended_ = head_.framing == http::BodyFraming::None;
  info_.cluster = cluster;
}

void MirrorStream::start(std::shared_ptr<MirrorStream> self, std::shared_ptr<upstream::ClusterTable> table) {
  WorkerContext& ctx = *self->ctx_;
  // Posted, never spawned from inside the primary's coroutine (see docs/architecture.md on
  // nested co_spawn): the copy starts on the loop's next turn.
  asio::post(ctx.io(), [self = std::move(self), table = std::move(table)]() mutable {
    WorkerContext& c = *self->ctx_;
    MirrorStream& m = *self;
    asio::co_spawn(c.io(), forward(c, std::move(table), m.entry_, m.head_, m, m.info_, m.options_),
                   [self](std::exception_ptr) {});
  });
}

void MirrorStream::feed(std::string_view data, bool end, const http::HeaderMap* trailers) {
  if (abandoned_ || ended_) return;
  if (waiting_.size() + data.size() > kMirrorBufferLimit) {
    abandoned_ = true;  // the copy cannot keep up with the client: it ends, the primary goes on
  } else {
    waiting_.append(data);
    if (end) {
      ended_ = true;
      if (trailers != nullptr) trailers_ = *trailers;
    }
  }
  wake_.notify();
}

void MirrorStream::primary_done() {
  if (ended_ || abandoned_) return;
  abandoned_ = true;
  wake_.notify();
}

asio::awaitable<BodyPiece> MirrorStream::read_body() {
  while (waiting_.empty() && !ended_ && !abandoned_) co_await wake_.wait();
  BodyPiece piece;
  if (abandoned_) {
    piece.error = true;
    co_return piece;
  }
  reading_.swap(waiting_);
  waiting_.clear();
  piece.data = reading_;
  piece.end = ended_;
  co_return piece;
}

asio::awaitable<bool> MirrorStream::write_head(http::ResponseHead& head) {
  head_sent_ = true;
  info_.status = head.status;
  co_return true;
}

}  // namespace sy::proxy
