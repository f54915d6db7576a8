#include "http/message.h"

namespace sy::http {
namespace {

struct MethodName {
  Method method;
  std::string_view name;
};
constexpr MethodName kMethods[] = {
    {Method::Get, "GET"},         {Method::Head, "HEAD"},     {Method::Post, "POST"},
    {Method::Put, "PUT"},         {Method::Delete, "DELETE"}, {Method::Connect, "CONNECT"},
    {Method::Options, "OPTIONS"}, {Method::Trace, "TRACE"},   {Method::Patch, "PATCH"},
};

}  // namespace

Method method_from_string(std::string_view token) noexcept {
  for (const auto& m : kMethods) {
    if (m.name == token) return m.method;
  }
  return Method::Other;
}

std::string_view to_string(Method m) noexcept {
  for (const auto& e : kMethods) {
    if (e.method == m) return e.name;
  }
  return {};
}

std::string_view to_string(Version v) noexcept {
  switch (v) {
    case Version::Http10:
      return "HTTP/1.0";
    case Version::Http11:
      return "HTTP/1.1";
    case Version::Http2:
      return "HTTP/2";
  }
  return {};
}

RequestHead RequestHead::clone() const {
  RequestHead c;
  c.headers = headers;
  c.method = method;
  c.method_name = c.headers.translate(method_name, headers);
  c.target = c.headers.translate(target, headers);
  c.target_form = target_form;
  c.scheme = c.headers.translate(scheme, headers);
  c.authority = c.headers.translate(authority, headers);
  c.path = c.headers.translate(path, headers);
  c.version = version;
  c.framing = framing;
  c.content_length = content_length;
  c.keep_alive = keep_alive;
  c.upgrade = upgrade;
  c.websocket = websocket;
  c.expect_continue = expect_continue;
  return c;
}

void RequestHead::reset() noexcept {
  headers.clear();
  method = Method::Get;
  method_name = target = scheme = authority = path = {};
  target_form = TargetForm::Origin;
  version = Version::Http11;
  framing = BodyFraming::None;
  content_length.reset();
  keep_alive = true;
  upgrade = websocket = expect_continue = false;
}

void ResponseHead::reset() noexcept {
  headers.clear();
  status = 200;
  reason = {};
  version = Version::Http11;
  framing = BodyFraming::None;
  content_length.reset();
  keep_alive = true;
  upgrade = false;
}

ResponseHead ResponseHead::clone() const {
  ResponseHead c;
  c.headers = headers;
  c.status = status;
  c.reason = c.headers.translate(reason, headers);
  c.version = version;
  c.framing = framing;
  c.content_length = content_length;
  c.keep_alive = keep_alive;
  c.upgrade = upgrade;
  return c;
}

}  // namespace sy::http
