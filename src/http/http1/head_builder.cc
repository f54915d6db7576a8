#include "http/http1/head_builder.h"

#include <string>

#include "http/http1/request_target.h"

namespace sy::http::h1 {

ParseError finish_request_head(RequestHead& head, const FramingCheck& check, ConnectionFacts conn, int host_index) {
  const SplitTarget t = split_target(head.target, head.method);
  if (!t.ok) return ParseError::BadTarget;
  head.target_form = t.form;
  head.scheme = t.scheme;
  head.path = t.path;
  if (t.form == TargetForm::Absolute || t.form == TargetForm::Authority) {
    // RFC 9112 section 3.2.2: the target's authority wins over any Host field.
    head.authority = t.authority;
  } else if (host_index >= 0) {
    head.authority = head.headers[static_cast<std::size_t>(host_index)].value;
  } else if (head.version == Version::Http11) {
    return ParseError::MissingHost;
  }
  if (t.form == TargetForm::Absolute && (head.path.empty() || head.path.front() == '?')) {
    // "http://h" and "http://h?q" mean "/" and "/?q". Rare, so a temporary string is fine.
    head.path = head.headers.intern(std::string("/").append(head.path));
  }

  head.content_length = check.content_length();
  if (check.chunked()) {
    head.framing = BodyFraming::Chunked;
  } else if (head.content_length && *head.content_length > 0) {
    head.framing = BodyFraming::ContentLength;
  } else {
    head.framing = BodyFraming::None;
  }
  head.keep_alive = conn.keep_alive;
  // Only a WebSocket upgrade becomes a tunnel. Any other token (h2c above all: it would hand the
  // client a raw HTTP/2 connection past every later routing rule) is not honoured, as in Envoy:
  // the request is served as HTTP/1.1 and the serializer drops Upgrade and HTTP2-Settings.
  head.websocket = conn.upgrade && check.websocket();
  head.upgrade = head.websocket;
  head.expect_continue = check.expect_continue();
  return ParseError::None;
}

ParseError finish_response_head(ResponseHead& head, const FramingCheck& check, ConnectionFacts conn,
                                Method request_method) {
  if (head.status < 100 || head.status > 599) return ParseError::BadStatusLine;
  head.content_length = check.content_length();
  head.keep_alive = conn.keep_alive;
  head.upgrade = false;
  const bool tunnel_connect = request_method == Method::Connect && head.status / 100 == 2;
  if (head.status == 101 || tunnel_connect) {
    // The bytes after this head belong to the tunnel, not to HTTP.
    head.upgrade = true;
    head.framing = BodyFraming::None;
  } else if (request_method == Method::Head || head.informational() || head.status == 204 || head.status == 304) {
    head.framing = BodyFraming::None;
  } else if (check.chunked()) {
    head.framing = BodyFraming::Chunked;
  } else if (head.content_length) {
    head.framing = *head.content_length > 0 ? BodyFraming::ContentLength : BodyFraming::None;
  } else {
    head.framing = BodyFraming::UntilClose;
    head.keep_alive = false;
  }
  return ParseError::None;
}

}  // namespace sy::http::h1
