#include "http/http1/response_parser.h"

#include "http/http1/beast_driver.h"

namespace sy::http::h1 {

struct ResponseParser::Impl {
  explicit Impl(const ParserLimits& limits) : driver(limits) {}
  detail::Driver<false> driver;
};

ResponseParser::ResponseParser(const ParserLimits& limits) : impl_(std::make_unique<Impl>(limits)) {}
ResponseParser::~ResponseParser() = default;
ResponseParser::ResponseParser(ResponseParser&&) noexcept = default;
ResponseParser& ResponseParser::operator=(ResponseParser&&) noexcept = default;

void ResponseParser::expect_response_to(Method request_method) noexcept {
  impl_->driver.set_request_method(request_method);
}
ParseStep ResponseParser::parse(std::string_view input) { return impl_->driver.parse(input); }
ResponseHead& ResponseParser::head() noexcept { return impl_->driver.head(); }
ResponseHead ResponseParser::take_head() noexcept { return std::move(impl_->driver.head()); }
const HeaderMap& ResponseParser::trailers() const noexcept { return impl_->driver.trailers(); }
ParseError ResponseParser::error() const noexcept { return impl_->driver.error(); }
bool ResponseParser::idle() const noexcept { return impl_->driver.idle(); }
ParseStep ResponseParser::on_eof() noexcept { return impl_->driver.eof(); }

}  // namespace sy::http::h1
