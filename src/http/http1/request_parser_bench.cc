// Cost of the HTTP/1 request path in isolation: parse a typical browser request (about 400 bytes,
// 11 fields) with a reused parser, as a keep-alive connection does, and serialize it back out.
#include <benchmark/benchmark.h>

#include <string>

#include "http/http1/request_parser.h"
#include "http/http1/serializer.h"

namespace sy::http::h1 {
namespace {

const std::string kBrowserRequest =
    "GET /catalog/products/12345?color=blue&size=m HTTP/1.1\r\n"
    "Host: shop.example.com\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0\r\n"
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
    "Accept-Language: en-US,en;q=0.5\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Referer: https://shop.example.com/catalog\r\n"
    "Cookie: session=8f14e45fceea167a; theme=dark\r\n"
    "Connection: keep-alive\r\n"
    "Upgrade-Insecure-Requests: 1\r\n"
    "Sec-Fetch-Dest: document\r\n"
    "Sec-Fetch-Mode: navigate\r\n"
    "\r\n";

// Parses every request in `wire`; returns how many heads were seen.
int parse_all(RequestParser& p, std::string_view wire) {
  int heads = 0;
  for (;;) {
    const ParseStep s = p.parse(wire);
    wire.remove_prefix(s.consumed);
    if (s.event == ParseEvent::Head) ++heads;
    if (s.event == ParseEvent::NeedMore || s.event == ParseEvent::Error) return heads;
  }
}

void BM_ParseBrowserRequest(benchmark::State& state) {
  RequestParser p;
  for (auto _ : state) {
    benchmark::DoNotOptimize(parse_all(p, kBrowserRequest));
    benchmark::DoNotOptimize(p.head().path.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(kBrowserRequest.size()));
}
BENCHMARK(BM_ParseBrowserRequest);

// N pipelined requests in one read.
void BM_ParsePipelined(benchmark::State& state) {
  std::string wire;
  for (int i = 0; i < state.range(0); ++i) wire += kBrowserRequest;
  RequestParser p;
  for (auto _ : state) benchmark::DoNotOptimize(parse_all(p, wire));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ParsePipelined)->Arg(10);

void BM_SerializeRequestHead(benchmark::State& state) {
  RequestParser p;
  parse_all(p, kBrowserRequest);
  std::string out;
  out.reserve(1024);
  for (auto _ : state) {
    out.clear();
    append_request_head(p.head(), {}, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SerializeRequestHead);

}  // namespace
}  // namespace sy::http::h1
