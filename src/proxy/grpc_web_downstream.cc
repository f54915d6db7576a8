#include "proxy/grpc_web_downstream.h"

namespace sy::proxy {

namespace asio = boost::asio;

GrpcWebDownstream::GrpcWebDownstream(Downstream& client, http::RequestHead& head, http::GrpcWebKind kind)
    : client_(client), kind_(kind) {
  head.headers.set("content-type", "application/grpc");
  head.headers.set("te", "trailers");
  if (head.framing == http::BodyFraming::ContentLength || head.content_length) {
    head.headers.remove("content-length");
    head.content_length.reset();
    head.framing = http::BodyFraming::Chunked;
  }
}

asio::awaitable<BodyPiece> GrpcWebDownstream::read_body() {
  BodyPiece piece = co_await client_.read_body();
  if (kind_ != http::GrpcWebKind::kText || piece.error) co_return piece;
  decoded_.clear();
  const bool ok = decoder_.decode(piece.data, decoded_);
  if (!ok || (piece.end && !decoder_.complete())) {
    piece.error = piece.malformed = true;  // not base64: answered 400, as a broken body is
    piece.data = {};
    co_return piece;
  }
  piece.data = decoded_;
  co_return piece;
}

asio::awaitable<bool> GrpcWebDownstream::write_head(http::ResponseHead& head) {
  head.headers.set("content-type", http::grpc_web_response_content_type(kind_));
  // The trailers join the body, and -text changes its length: the length is no longer known.
  head.headers.remove("content-length");
  body_allowed_ = head.framing != http::BodyFraming::None || head.content_length.has_value();
  head.content_length.reset();
  if (body_allowed_) {
    head.framing = http::BodyFraming::Chunked;
  } else if (head.status >= 200 && head.status != 204 && head.status != 304) {
    // Trailers-only (grpc-status in the head): an empty body, said so to an HTTP/1.1 client.
    head.framing = http::BodyFraming::ContentLength;
    head.content_length = 0;
  }
  co_return co_await client_.write_head(head);
}

asio::awaitable<bool> GrpcWebDownstream::write_body(std::string_view data) {
  if (kind_ != http::GrpcWebKind::kText) co_return co_await client_.write_body(data);
  encoded_.clear();
  encoder_.encode(data, encoded_);
  if (encoded_.empty()) co_return true;
  co_return co_await client_.write_body(encoded_);
}

asio::awaitable<bool> GrpcWebDownstream::end_body(const http::HeaderMap* trailers) {
  std::string last;
  if (body_allowed_ && trailers != nullptr && !trailers->empty()) last = http::grpc_web_trailer_frame(*trailers);
  bool ok = true;
  if (kind_ == http::GrpcWebKind::kText && body_allowed_) {
    encoded_.clear();
    encoder_.encode(last, encoded_);
    encoder_.finish(encoded_);
    if (!encoded_.empty()) ok = co_await client_.write_body(encoded_);
  } else if (!last.empty()) {
    ok = co_await client_.write_body(last);
  }
  if (!ok) co_return false;
  co_return co_await client_.end_body(nullptr);
}

}  // namespace sy::proxy
