#include "http/status.h"

namespace sy::http {
namespace {

struct Reason {
  int status;
  std::string_view phrase;
  std::string_view body;  // phrase + "\n", kept as a literal so bodies need no allocation
};

// Sorted by status for the binary search below.
constexpr Reason kReasons[] = {
    {100, "Continue", "Continue\n"},
    {101, "Switching Protocols", "Switching Protocols\n"},
    {102, "Processing", "Processing\n"},
    {103, "Early Hints", "Early Hints\n"},
    {200, "OK", "OK\n"},
    {201, "Created", "Created\n"},
    {202, "Accepted", "Accepted\n"},
    {203, "Non-Authoritative Information", "Non-Authoritative Information\n"},
    {204, "No Content", "No Content\n"},
    {205, "Reset Content", "Reset Content\n"},
    {206, "Partial Content", "Partial Content\n"},
    {300, "Multiple Choices", "Multiple Choices\n"},
    {301, "Moved Permanently", "Moved Permanently\n"},
    {302, "Found", "Found\n"},
    {303, "See Other", "See Other\n"},
    {304, "Not Modified", "Not Modified\n"},
    {307, "Temporary Redirect", "Temporary Redirect\n"},
    {308, "Permanent Redirect", "Permanent Redirect\n"},
    {400, "Bad Request", "Bad Request\n"},
    {401, "Unauthorized", "Unauthorized\n"},
    {402, "Payment Required", "Payment Required\n"},
    {403, "Forbidden", "Forbidden\n"},
    {404, "Not Found", "Not Found\n"},
    {405, "Method Not Allowed", "Method Not Allowed\n"},
    {406, "Not Acceptable", "Not Acceptable\n"},
    {407, "Proxy Authentication Required", "Proxy Authentication Required\n"},
    {408, "Request Timeout", "Request Timeout\n"},
    {409, "Conflict", "Conflict\n"},
    {410, "Gone", "Gone\n"},
    {411, "Length Required", "Length Required\n"},
    {412, "Precondition Failed", "Precondition Failed\n"},
    {413, "Content Too Large", "Content Too Large\n"},
    {414, "URI Too Long", "URI Too Long\n"},
    {415, "Unsupported Media Type", "Unsupported Media Type\n"},
    {416, "Range Not Satisfiable", "Range Not Satisfiable\n"},
    {417, "Expectation Failed", "Expectation Failed\n"},
    {421, "Misdirected Request", "Misdirected Request\n"},
    {422, "Unprocessable Content", "Unprocessable Content\n"},
    {425, "Too Early", "Too Early\n"},
    {426, "Upgrade Required", "Upgrade Required\n"},
    {428, "Precondition Required", "Precondition Required\n"},
    {429, "Too Many Requests", "Too Many Requests\n"},
    {431, "Request Header Fields Too Large", "Request Header Fields Too Large\n"},
    {500, "Internal Server Error", "Internal Server Error\n"},
    {501, "Not Implemented", "Not Implemented\n"},
    {502, "Bad Gateway", "Bad Gateway\n"},
    {503, "Service Unavailable", "Service Unavailable\n"},
    {504, "Gateway Timeout", "Gateway Timeout\n"},
    {505, "HTTP Version Not Supported", "HTTP Version Not Supported\n"},
};

const Reason* find(int status) noexcept {
  std::size_t lo = 0, hi = std::size(kReasons);
  while (lo < hi) {
    const std::size_t mid = (lo + hi) / 2;
    if (kReasons[mid].status < status) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo < std::size(kReasons) && kReasons[lo].status == status ? &kReasons[lo] : nullptr;
}

}  // namespace

std::string_view reason_phrase(int status) noexcept {
  const Reason* r = find(status);
  return r ? r->phrase : "Unknown";
}

std::string_view local_response_body(int status) noexcept {
  const Reason* r = find(status);
  return r ? r->body : "Error\n";
}

ResponseHead local_response_head(int status, std::size_t body_size, bool close_connection) {
  ResponseHead head;
  head.status = status;
  head.reason = reason_phrase(status);
  head.version = Version::Http11;
  head.headers.add("content-type", "text/plain; charset=utf-8");
  head.framing = body_size > 0 ? BodyFraming::ContentLength : BodyFraming::None;
  head.content_length = body_size;
  head.keep_alive = !close_connection;
  return head;
}

}  // namespace sy::http
