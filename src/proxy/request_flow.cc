#include "proxy/request_flow.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <string>

#include "http/forwarded_scheme.h"
#include "http/grpc.h"
#include "proxy/grpc_web_downstream.h"

#include <optional>
#include "http/path_normalization.h"
#include "policy/fault_decision.h"
#include "proxy/cors.h"
#include "proxy/forward.h"
#include "proxy/header_source.h"
#include "proxy/local_reply.h"
#include "proxy/request_report.h"
#include "proxy/response_flags.h"
#include "route/redirect.h"
#include "snapshot/router.h"

namespace sy::proxy {

namespace asio = boost::asio;

namespace {

// The service port a mesh request is addressed to: the authority's port (absolute-form or Host),
// else the port the connection was originally sent to (binding.port).
uint32_t mesh_port(const http::RequestHead& head, const ListenerBinding& binding) {
  if (auto p = route::authority_port(head.authority)) return *p;
  return binding.port;
}

// Normalizes the request's path in place (ProxyOptions::path_normalization). False: the path
// is refused (400).
bool normalize_request_path(http::RequestHead& head, http::PathNormalization mode) {
  if (head.method == http::Method::Connect || head.path.empty() || head.path == "*") return true;
  std::string normalized;
  switch (http::normalize_path(head.path, mode, normalized)) {
    case http::PathVerdict::kUnchanged:
      return true;
    case http::PathVerdict::kChanged:
      head.path = head.headers.intern(normalized);
      return true;
    case http::PathVerdict::kReject:
      return false;
  }
  return false;
}

// The route table the request is matched against: for a mesh listener, that of the service
// port the request is addressed to; for a gateway, that of the listener it arrived on.
// Status kNoVirtualHost when the snapshot has no such table (the listener went in a reload).
snapshot::RouteResult find_route(const snapshot::Snapshot& snap, const ListenerBinding& binding,
                                 const http::RequestHead& head, const route::RequestView& view) {
  if (binding.mesh) return snapshot::route_mesh(snap, mesh_port(head, binding), view);
  if (const snapshot::Listener* listener = snap.find_listener(binding.port, binding.bind))
    return snapshot::route(*listener, view);
  return {};
}

// Answers a request that no route takes (any RouteResult but kRouted): 301 to https on a server
// with httpsRedirect, else 404 NR. A coroutine of its own only on this path, so a routed request
// pays for no extra frame.
asio::awaitable<void> answer_unrouted(const snapshot::RouteResult& result, const route::RequestView& view,
                                      Downstream& down, RequestInfo& info) {
  if (result.status == snapshot::RouteResult::Status::kHttpsRedirect) {
    std::string location = route::https_redirect_location(view);
    LocalReply reply = LocalReply::of(301);
    reply.headers.emplace_back("location", location);
    co_await send_local_reply(down, reply, info);
    co_return;
  }
  info.flags |= kNoRoute;
  co_await send_local_reply(down, LocalReply::of(404), info);
}

// The route's active fault injection: an injected delay is waited out here, an injected abort
// answered here (as a gRPC status when the fault says so). True when the request was answered.
// Called only for a route with a fault, so other requests pay for no extra coroutine frame.
asio::awaitable<bool> inject_fault(WorkerContext& ctx, const snapshot::RouteAction& action, Downstream& down,
                                   RequestInfo& info) {
  const policy::FaultDecision fault = policy::decide_fault(action.fault, ctx.rng().next(), ctx.rng().next());
  if (fault.delayed()) {
    info.flags |= kDelayInjected;
    asio::steady_timer delay(ctx.io());
    delay.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(*fault.delay));
    co_await delay.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  if (!fault.aborted()) co_return false;
  info.flags |= kFaultInjected;
  const bool grpc = fault.grpc_status_code.has_value();
  const std::string grpc_status = grpc ? std::to_string(*fault.grpc_status_code) : std::string();
  LocalReply reply = LocalReply::of(static_cast<int>(*fault.abort_status),
                                    grpc ? std::string_view() : "fault filter abort", &action.headers.response);
  if (grpc) {
    reply.headers.emplace_back("content-type", "application/grpc");
    reply.headers.emplace_back("grpc-status", grpc_status);
    reply.headers.emplace_back("grpc-message", "fault filter abort");
  }
  co_await send_local_reply(down, reply, info);
  co_return true;
}

}  // namespace

asio::awaitable<void> handle_request(WorkerContext& ctx, const ListenerBinding& binding, http::RequestHead& head,
                                     Downstream& client) {
  // A gRPC-Web client is translated before anything looks at the request, as Envoy's grpc_web
  // filter runs before the router: routes, metrics and local replies see gRPC.
  std::optional<GrpcWebDownstream> web;
  if (const auto kind = http::grpc_web_kind(head.headers); kind != http::GrpcWebKind::kNone)
    web.emplace(client, head, kind);
  Downstream& down = web ? static_cast<Downstream&>(*web) : client;
  RequestInfo info;
  // Pinned for the whole request: a reload publishes a new snapshot, this request keeps its own.
  std::shared_ptr<upstream::ClusterTable> table = ctx.current();
  const snapshot::Snapshot& snap = table->snapshot();
  // Every exit path below reports the finished request exactly once (access log, metrics, drain).
  const RequestReport report(ctx, head, info, snap);
  info.grpc = http::is_grpc_request(head.headers);

  if (!normalize_request_path(head, ctx.options().path_normalization)) {
    info.flags |= kDownstreamProtocolError;
    co_await send_local_reply(down, LocalReply::of(400, "bad request path"), info);
    co_return;
  }
  // The scheme is the connection's (or a trusted proxy's), never an absolute-form target's.
  head.scheme = http::forwarded_scheme(head.headers, binding.tls, ctx.options().trusted_proxies);

  HeaderMapSource headers(head.headers);
  route::RequestView view;
  view.method = head.method_name;
  view.scheme = head.scheme;
  view.authority = head.authority;
  view.path = head.path;
  view.headers = &headers;
  view.port = binding.mesh ? mesh_port(head, binding) : binding.port;

  const snapshot::RouteResult result = find_route(snap, binding, head, view);
  if (result.status != snapshot::RouteResult::Status::kRouted) {
    co_await answer_unrouted(result, view, down, info);
    co_return;
  }
  const snapshot::RouteEntry& entry = *result.route;
  const snapshot::RouteAction& action = entry.action;
  info.route_name = entry.name;

  // Fault injection runs first (fault -> CORS -> router), outside the route timeout (docs/semantics.md §5.3).
  if (action.fault.active()) {
    if (co_await inject_fault(ctx, action, down, info)) co_return;
  }

  // CORS runs before the router: an allowed preflight is answered here and never forwarded.
  CorsDecision cors;
  if (action.has_cors) cors = decide_cors(action.cors, head);
  if (cors.kind == CorsDecision::Kind::kAnswerPreflight || cors.kind == CorsDecision::Kind::kRejectPreflight) {
    LocalReply reply = LocalReply::of(200);
    reply.cors = &action.cors;
    reply.cors_origin = cors.origin;
    reply.cors_preflight = true;
    co_await send_local_reply(down, reply, info);
    co_return;
  }
  auto with_cors = [&](LocalReply reply) {
    reply.cors = &action.cors;
    reply.cors_origin = cors.origin;
    return reply;
  };

  switch (action.kind) {
    case snapshot::RouteAction::Kind::kRedirect: {
      std::string location = action.redirect.location(view);
      LocalReply reply =
          with_cors(LocalReply::of(static_cast<int>(action.redirect.status()), {}, &action.headers.response));
      reply.headers.emplace_back("location", location);
      co_await send_local_reply(down, reply, info);
      co_return;
    }
    case snapshot::RouteAction::Kind::kDirectResponse:
      co_await send_local_reply(down,
                                with_cors(LocalReply::of(static_cast<int>(action.direct_response.status),
                                                         action.direct_response.body, &action.headers.response)),
                                info);
      co_return;
    case snapshot::RouteAction::Kind::kForward:
      co_await forward(ctx, table, entry, head, down, info,
                       ForwardOptions{.edge = !binding.mesh,
                                      .cors_origin = cors.origin,
                                      .mirror = false,
                                      .original_destination = binding.original_dst});
      co_return;
  }
}

}  // namespace sy::proxy
