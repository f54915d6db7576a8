// networking.istio.io VirtualService: ordered routing rules for a set of hosts.
#pragma once

#include "config/model/common.h"

namespace sy::config {

struct HTTPMatchRequest {
  std::string name;
  std::optional<StringMatch> uri;
  std::optional<StringMatch> scheme;
  std::optional<StringMatch> method;
  std::optional<StringMatch> authority;
  std::map<std::string, StringMatch> headers;
  std::optional<uint32_t> port;
  Labels source_labels;
  std::vector<std::string> gateways;
  std::map<std::string, StringMatch> query_params;
  bool ignore_uri_case = false;
  std::map<std::string, StringMatch> without_headers;
  std::string source_namespace;
  std::string stat_prefix;
};

struct HTTPRouteDestination {
  Destination destination;
  std::optional<int32_t> weight;
  std::optional<Headers> headers;
};

struct HTTPRedirect {
  enum class DerivePort { kNone, kFromProtocolDefault, kFromRequestPort };
  std::string uri;
  std::string prefix_rewrite;
  std::string authority;
  std::optional<uint32_t> port;
  DerivePort derive_port = DerivePort::kNone;
  std::string scheme;
  std::optional<uint32_t> redirect_code;  // unset => 301
};

struct HTTPBody {
  std::optional<std::string> string;
  std::optional<std::string> bytes;  // decoded from base64
};

struct HTTPDirectResponse {
  uint32_t status = 0;
  std::optional<HTTPBody> body;
};

struct Delegate {
  std::string name;
  std::string namespace_;
};

struct RegexRewrite {
  std::string match;
  std::string rewrite;
};

struct HTTPRewrite {
  std::string uri;
  std::string authority;
  std::optional<RegexRewrite> uri_regex_rewrite;
};

struct HTTPRetry {
  std::optional<int32_t> attempts;
  std::optional<Duration> per_try_timeout;
  std::optional<std::string> retry_on;
  std::optional<bool> retry_remote_localities;
  std::optional<bool> retry_ignore_previous_hosts;
  std::optional<Duration> backoff;
};

struct HTTPFaultInjection {
  struct Delay {
    std::optional<Duration> fixed_delay;
    std::optional<Duration> exponential_delay;  // rejected by validation
    std::optional<Percent> percentage;
    std::optional<int32_t> percent;  // deprecated integer form
  };
  struct Abort {
    std::optional<int32_t> http_status;
    std::string grpc_status;
    std::string http2_error;  // rejected by validation
    std::optional<Percent> percentage;
  };
  std::optional<Delay> delay;
  std::optional<Abort> abort;
};

struct HTTPMirrorPolicy {
  Destination destination;
  std::optional<Percent> percentage;
};

struct CorsPolicy {
  enum class UnmatchedPreflights { kUnspecified, kForward, kIgnore };
  std::vector<std::string> allow_origin;  // deprecated exact strings
  std::vector<StringMatch> allow_origins;
  std::vector<std::string> allow_methods;
  std::vector<std::string> allow_headers;
  std::vector<std::string> expose_headers;
  std::optional<Duration> max_age;
  std::optional<bool> allow_credentials;
  UnmatchedPreflights unmatched_preflights = UnmatchedPreflights::kUnspecified;
};

struct HTTPRoute {
  std::string name;
  std::vector<HTTPMatchRequest> match;
  std::vector<HTTPRouteDestination> route;
  std::optional<HTTPRedirect> redirect;
  std::optional<HTTPDirectResponse> direct_response;
  std::optional<Delegate> delegate;
  std::optional<HTTPRewrite> rewrite;
  std::optional<Duration> timeout;
  std::optional<HTTPRetry> retries;
  std::optional<HTTPFaultInjection> fault;
  std::optional<Destination> mirror;
  std::vector<HTTPMirrorPolicy> mirrors;
  std::optional<uint32_t> mirror_percent;  // deprecated
  std::optional<Percent> mirror_percentage;
  std::optional<CorsPolicy> cors_policy;
  std::optional<Headers> headers;
};

struct RouteDestination {
  Destination destination;
  std::optional<int32_t> weight;
};

struct TLSMatchAttributes {
  std::vector<std::string> sni_hosts;
  std::vector<std::string> destination_subnets;
  std::optional<uint32_t> port;
  Labels source_labels;
  std::vector<std::string> gateways;
  std::string source_namespace;
};

struct TLSRoute {
  std::vector<TLSMatchAttributes> match;
  std::vector<RouteDestination> route;
};

struct L4MatchAttributes {
  std::vector<std::string> destination_subnets;
  std::optional<uint32_t> port;
  std::string source_subnet;
  Labels source_labels;
  std::vector<std::string> gateways;
  std::string source_namespace;
};

struct TCPRoute {
  std::vector<L4MatchAttributes> match;
  std::vector<RouteDestination> route;
};

struct VirtualService {
  ObjectMeta meta;
  Source source;
  std::vector<std::string> hosts;
  std::vector<std::string> gateways;  // empty => mesh only
  std::vector<HTTPRoute> http;
  std::vector<TLSRoute> tls;
  std::vector<TCPRoute> tcp;
  std::vector<std::string> export_to;
};

}  // namespace sy::config
