// switchyard command line. CLI11 is confined to this file; commands live in cli/*_command.cc.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <system_error>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "cli/event_loop_choice.h"
#include "server/serve_options.h"

namespace {

// "region", "region/zone" or "region/zone/subzone", as Istio's locality labels.
const CLI::Validator kLocality(
    [](std::string& value) -> std::string {
      size_t segments = 1;
      for (char c : value) segments += c == '/';
      if (value.empty() || value.front() == '/' || segments > 3 || value.find("//") != std::string::npos ||
          value.find('*') != std::string::npos)
        return "expected region[/zone[/subzone]], got \"" + value + "\"";
      return "";
    },
    "REGION[/ZONE[/SUBZONE]]");

constexpr const char* kLocalityHelp =
    "This proxy's locality region/zone/subzone: locality failover and distribute follow it (none: no locality LB)";

constexpr const char* kTrustDomainHelp =
    "The mesh's trust domain (MeshConfig trustDomain): ISTIO_MUTUAL checks endpoints' serviceAccounts as "
    "spiffe://TRUST_DOMAIN/ns/NS/sa/ACCOUNT";

}  // namespace

int main(int argc, char** argv) {
  // Diagnostics go to stderr; stdout belongs to command output and the access log.
  spdlog::set_default_logger(spdlog::stderr_color_mt("switchyard"));
  CLI::App app{"switchyard: an L7 gateway and sidecar proxy that enforces Istio traffic-management YAML"};
  app.require_subcommand(1);
  int rc = 0;

  app.add_subcommand("version", "Print the version")->callback([] { std::puts("switchyard 0.1.0"); });

  sy::cli::ValidateOptions validate;
  auto* v = app.add_subcommand("validate", "Check Istio config files or directories; print every problem");
  v->add_option("paths", validate.paths, "YAML files or directories")->required();
  v->add_option("--namespace", validate.proxy_namespace, "Namespace the proxy runs in (Secrets, short hosts)")
      ->capture_default_str();
  v->add_option("--workload-cert", validate.workload_cert, "As serve: the workload certificate for ISTIO_MUTUAL");
  v->add_option("--workload-key", validate.workload_key, "As serve: its private key");
  v->add_option("--workload-ca", validate.workload_ca, "As serve: the mesh's root certificates");
  v->add_option("--locality", validate.locality, kLocalityHelp)->check(kLocality);
  v->add_option("--trust-domain", validate.trust_domain, kTrustDomainHelp)->capture_default_str();
  v->callback([&] { rc = sy::cli::run_validate(validate); });

  sy::cli::ExplainOptions explain;
  auto* e = app.add_subcommand("explain", "Show which route a request takes, and why");
  e->add_option("-c,--config", explain.config_paths, "YAML file or directory (repeatable)")
      ->required()
      ->allow_extra_args(false);
  auto* gw = e->add_option("--gateway", explain.gateway, "Gateway NAMESPACE/NAME receiving the request");
  e->add_flag("--mesh", explain.mesh, "Route as a sidecar's outbound (mesh) listener")->excludes(gw);
  e->add_option("method", explain.method, "HTTP method, e.g. GET")->required();
  e->add_option("url", explain.url, "Request URL, e.g. http://api.example.com/v1/items")->required();
  e->add_option("-H,--header", explain.headers, "Request header 'Name: value' (repeatable)")->allow_extra_args(false);
  e->add_flag("--json", explain.json, "Print one JSON object");
  e->add_option("--locality", explain.locality, kLocalityHelp)->check(kLocality);
  e->callback([&] { rc = sy::cli::run_explain(explain); });

  sy::server::ServeOptions serve;
  std::vector<std::string> selectors;
  int header_timeout_ms = 60'000, idle_timeout_ms = 300'000, drain_ms = 5000, dns_refresh_ms = 60'000;
  int stream_idle_timeout_ms = 300'000;
  std::string path_normalization = "base";
  auto* s = app.add_subcommand("serve", "Run the gateway");
  s->add_option("-c,--config", serve.config_paths, "YAML file or directory (repeatable)")
      ->required()
      ->allow_extra_args(false);
  s->add_option("--bind", serve.bind, "Address for Gateway listeners")->capture_default_str();
  s->add_option("--workers", serve.workers, "Worker threads (default: one per core)");
  s->add_option("--selector", selectors, "This proxy's label key=value: serve only Gateways selecting it")
      ->allow_extra_args(false);
  s->add_option("--mesh-listen", serve.mesh_listen, "ADDR:PORT of a sidecar outbound (mesh) listener")
      ->allow_extra_args(false);
  s->add_option("--namespace", serve.proxy_namespace, "Namespace this proxy runs in")->capture_default_str();
  s->add_option("--locality", serve.locality, kLocalityHelp)->check(kLocality);
  s->add_option("--workload-cert", serve.workload_cert,
                "ISTIO_MUTUAL: workload certificate chain (PEM, as istio-agent writes)");
  s->add_option("--workload-key", serve.workload_key, "ISTIO_MUTUAL: its private key (PEM)");
  s->add_option("--workload-ca", serve.workload_ca, "ISTIO_MUTUAL: the mesh's root certificates (PEM)");
  s->add_option("--trust-domain", serve.trust_domain, kTrustDomainHelp)->capture_default_str();
  s->add_option("--header-timeout-ms", header_timeout_ms, "Time a client has to send a whole request head")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  s->add_option("--stream-idle-timeout-ms", stream_idle_timeout_ms,
                "Longest silence on a request or response body, or on a write to the client")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  s->add_option("--max-request-headers", serve.proxy.request_limits.max_fields,
                "Header fields a request may carry (431 beyond)")
      ->capture_default_str()
      ->check(CLI::Range(1, 10'000));
  s->add_option("--h2-max-concurrent-streams", serve.proxy.h2_max_concurrent_streams,
                "Streams one HTTP/2 client connection may have open at once (SETTINGS_MAX_CONCURRENT_STREAMS)")
      ->capture_default_str()
      ->check(CLI::Range(1, 10'000));
  s->add_option("--path-normalization", path_normalization,
                "none, base, merge-slashes or decode-and-merge-slashes (Istio's meshConfig.pathNormalization)")
      ->capture_default_str()
      ->check([](const std::string& v) {
        return sy::http::parse_path_normalization(v) ? std::string() : "unknown path normalization " + v;
      });
  s->add_option("--trusted-proxies", serve.proxy.trusted_proxies,
                "Proxies in front whose X-Forwarded-Proto is believed (Istio's numTrustedProxies)")
      ->capture_default_str();
  s->add_option("--max-connections", serve.max_connections,
                "Client connections at once, all listeners (default: descriptor limit minus a reserve)");
  s->add_option("--overload-memory-mb", serve.overload_memory_mb,
                "Resident memory near which new connections are shed (default: the cgroup memory limit; 0 = off)");
  s->add_option("--idle-timeout-ms", idle_timeout_ms, "Keep-alive idle timeout")->capture_default_str();
  s->add_option("--dns-refresh-ms", dns_refresh_ms, "Re-resolution interval of DNS ServiceEntry names")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  s->add_option("--drain-time-ms", drain_ms, "Time in-flight requests get on shutdown")->capture_default_str();
  s->add_option("--access-log", serve.access_log, "Access log: PATH, - (stdout) or off")->capture_default_str();
  s->add_option("--access-log-format", serve.access_log_format, "text (Envoy default format) or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  s->add_option("--admin", serve.admin, "Admin listener HOST:PORT (/stats/prometheus, /config_dump, ...) or off")
      ->capture_default_str();
  std::string io = "auto";
  s->add_option("--io", io, "Event loop: auto (io_uring where the kernel allows it, else epoll), io_uring or epoll")
      ->check(CLI::IsMember({"auto", "io_uring", "epoll"}))
      ->capture_default_str();
  bool no_watch = false;
  s->add_flag("--no-watch", no_watch, "Do not watch the config files (SIGHUP still reloads)");
  s->callback([&] {
    serve.watch = !no_watch;
    for (const auto& kv : selectors) {
      auto eq = kv.find('=');
      if (eq == std::string::npos) throw CLI::ValidationError("--selector", "expected key=value, got " + kv);
      serve.selector[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    serve.proxy.header_read = std::chrono::milliseconds(header_timeout_ms);
    serve.proxy.idle = std::chrono::milliseconds(idle_timeout_ms);
    serve.proxy.stream_idle = std::chrono::milliseconds(stream_idle_timeout_ms);
    serve.proxy.dns_refresh = std::chrono::milliseconds(dns_refresh_ms);
    serve.proxy.path_normalization = *sy::http::parse_path_normalization(path_normalization);
    serve.drain_time = std::chrono::milliseconds(drain_ms);
    if ((rc = sy::cli::settle_event_loop(io, argv)) != 0) return;
    try {
      rc = sy::server::run_serve(serve);
    } catch (const std::system_error& e) {
      std::fprintf(stderr, "switchyard: %s\n", e.what());
      rc = 1;
    }
  });

  CLI11_PARSE(app, argc, argv);
  return rc;
}
