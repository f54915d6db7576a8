#include "config/loader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace sy::config {
namespace {

const std::string kTestdata = SY_TESTDATA;

std::string errors_of(const LoadResult& r) {
  std::string out;
  for (const Diagnostic& d : r.diagnostics.items()) out += d.to_string() + "\n";
  return out;
}

// Scenario: an object without metadata.namespace lands in "default"; file, line and index are recorded.
TEST(Loader, DefaultsNamespaceAndRecordsSource) {
  auto r = load_string(R"(# leading comment
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts:
  - reviews
  http:
  - route:
    - destination:
        host: reviews
        subset: v1
      weight: 75
    - destination:
        host: reviews
        subset: v2
      weight: 25
)",
                       "reviews.yaml");
  ASSERT_FALSE(r.diagnostics.has_errors()) << errors_of(r);
  ASSERT_EQ(r.config.virtual_services.size(), 1u);
  const VirtualService& vs = r.config.virtual_services[0];
  EXPECT_EQ(vs.meta.namespace_, "default");
  EXPECT_EQ(vs.meta.name, "reviews");
  EXPECT_EQ(vs.source.file, "reviews.yaml");
  EXPECT_EQ(vs.source.line, 2);
  EXPECT_EQ(vs.source.index, 0);
  EXPECT_EQ(vs.source.path_lines.at("metadata.name"), 5);
  EXPECT_EQ(vs.source.path_lines.at("spec.hosts[0]"), 8);
  EXPECT_EQ(vs.source.path_lines.at("spec.http[0].route[1].weight"), 18);
  EXPECT_EQ(vs.source.line_of("spec.http[0].route[1].destination.host"), 16);
  EXPECT_EQ(r.config.files, std::vector<std::string>{"reviews.yaml"});
}

// Scenario: each schema problem is reported at the offending field's path and line, with a
// message in the style of Kubernetes strict decoding, and the object is left out.
TEST(Loader, ReportsSchemaErrorsAtFieldPathAndLine) {
  const std::string head = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: vs\n";
  struct Case {
    const char* scenario;
    std::string spec;  // appended after `head`, so its first line is line 5
    std::string path;
    int line;
    std::string message;
  } cases[] = {
      {"misspelled key", "spec:\n  http:\n  - rout:\n    - destination: {host: a}\n", "spec.http[0].rout", 7,
       "unknown field \"rout\""},
      {"unknown top-level key", "spec: {}\nspecs: {}\n", "specs", 6, "unknown field \"specs\""},
      {"scalar where a list belongs", "spec:\n  hosts: reviews\n", "spec.hosts", 6, "expected a list"},
      {"list item not a map", "spec:\n  http:\n  - just-a-string\n", "spec.http[0]", 7, "expected a map"},
      {"number where a string belongs", "spec:\n  hosts: [123]\n", "spec.hosts[0]", 6, "expected a string"},
      {"yes is not a boolean", "spec:\n  http:\n  - match:\n    - ignoreUriCase: yes\n",
       "spec.http[0].match[0].ignoreUriCase", 8, "expected a boolean"},
      {"True is not accepted", "spec:\n  http:\n  - retries: {retryRemoteLocalities: True}\n",
       "spec.http[0].retries.retryRemoteLocalities", 7, "expected a boolean (true or false), got boolean True"},
      {"quoted boolean", "spec:\n  http:\n  - retries: {retryRemoteLocalities: \"true\"}\n",
       "spec.http[0].retries.retryRemoteLocalities", 7, "expected a boolean (true or false), got string \"true\""},
      {"malformed duration", "spec:\n  http:\n  - timeout: 5x\n", "spec.http[0].timeout", 7, "invalid duration \"5x\""},
      {"quoted integer", "spec:\n  http:\n  - route:\n    - destination: {host: a}\n      weight: \"50\"\n",
       "spec.http[0].route[0].weight", 9, "expected an integer, got string \"50\""},
      {"fractional integer", "spec:\n  http:\n  - route:\n    - destination: {host: a}\n      weight: 5.5\n",
       "spec.http[0].route[0].weight", 9, "expected an integer"},
      {"negative port", "spec:\n  tcp:\n  - match:\n    - port: -1\n", "spec.tcp[0].match[0].port", 8,
       "expected a non-negative integer"},
      {"int32 overflow", "spec:\n  http:\n  - retries: {attempts: 3000000000}\n", "spec.http[0].retries.attempts", 7,
       "out of range"},
      {"unknown enum", "spec:\n  http:\n  - redirect: {uri: /x, derivePort: FROM_NOWHERE}\n",
       "spec.http[0].redirect.derivePort", 7,
       "unknown value \"FROM_NOWHERE\", allowed: FROM_PROTOCOL_DEFAULT, FROM_REQUEST_PORT"},
      {"two StringMatch kinds", "spec:\n  http:\n  - match:\n    - uri: {exact: /a, prefix: /b}\n",
       "spec.http[0].match[0].uri", 8, "only one of exact, prefix may be set"},
      {"bad base64", "spec:\n  http:\n  - directResponse: {status: 200, body: {bytes: \"@@\"}}\n",
       "spec.http[0].directResponse.body.bytes", 7, "invalid base64"},
      {"percent as a bare number", "spec:\n  http:\n  - mirrorPercentage: 50\n", "spec.http[0].mirrorPercentage", 7,
       "expected a map, got number 50"},
      {"duplicate key", "spec:\n  hosts: [a]\n  hosts: [b]\n", "spec.hosts", 7, "duplicate field \"hosts\""},
      {"spec not a map", "spec: [a]\n", "spec", 5, "expected a map, got a list"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.scenario);
    auto r = load_string(head + c.spec, "vs.yaml");
    EXPECT_TRUE(r.config.virtual_services.empty());
    ASSERT_EQ(r.diagnostics.error_count(), 1u) << errors_of(r);
    const Diagnostic& d = r.diagnostics.items()[0];
    EXPECT_EQ(d.path, c.path);
    EXPECT_EQ(d.line, c.line);
    EXPECT_NE(d.message.find(c.message), std::string::npos) << d.message;
    EXPECT_EQ(d.kind, "VirtualService");
    EXPECT_EQ(d.object, "default/vs");
    EXPECT_EQ(d.file, "vs.yaml");
  }
}

// Scenario: an object with a type error stays out of `config` but is kept in `rejected` with the
// fields that did parse, so `validate` can still report its other problems in the same run.
TEST(Loader, KeepsRejectedObjectsWithTheirParsedFields) {
  auto r = load_string(R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
      weight: eighty
    - destination: {host: reviews, subset: v2}
      weight: -5
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
spec:
  host: reviews
)",
                       "mixed.yaml");
  ASSERT_EQ(r.diagnostics.error_count(), 1u) << errors_of(r);
  EXPECT_TRUE(r.config.virtual_services.empty());
  ASSERT_EQ(r.config.destination_rules.size(), 1u);
  EXPECT_TRUE(r.rejected.destination_rules.empty());
  ASSERT_EQ(r.rejected.virtual_services.size(), 1u);
  const VirtualService& vs = r.rejected.virtual_services[0];
  EXPECT_EQ(vs.meta.name, "reviews");
  EXPECT_EQ(vs.source.index, 0);
  ASSERT_EQ(vs.http.size(), 1u);
  ASSERT_EQ(vs.http[0].route.size(), 2u);
  EXPECT_FALSE(vs.http[0].route[0].weight.has_value());
  EXPECT_EQ(vs.http[0].route[1].weight, -5);
  EXPECT_EQ(vs.source.line_of("spec.http[0].route[1].weight"), 12);
}

// Scenario: metadata problems — a missing name, a wrong-typed label, an unknown ObjectMeta key.
TEST(Loader, ValidatesMetadata) {
  struct Case {
    const char* scenario;
    std::string metadata;
    std::string path;
    std::string message;
  } cases[] = {
      {"missing name", "metadata:\n  namespace: x\n", "metadata.name", "missing required field \"name\""},
      {"no metadata at all", "", "metadata.name", "missing required field \"name\""},
      {"label value not a string", "metadata:\n  name: a\n  labels: {version: 1}\n", "metadata.labels.version",
       "expected a string"},
      {"unknown metadata key", "metadata:\n  name: a\n  nmespace: x\n", "metadata.nmespace",
       "unknown field \"nmespace\""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.scenario);
    auto r = load_string("apiVersion: networking.istio.io/v1\nkind: Gateway\n" + c.metadata + "spec: {}\n", "g.yaml");
    EXPECT_TRUE(r.config.gateways.empty());
    ASSERT_EQ(r.diagnostics.error_count(), 1u) << errors_of(r);
    EXPECT_EQ(r.diagnostics.items()[0].path, c.path);
    EXPECT_NE(r.diagnostics.items()[0].message.find(c.message), std::string::npos) << errors_of(r);
  }
}

// Scenario: `kubectl get -o yaml` output — ObjectMeta bookkeeping fields and status are accepted and ignored.
TEST(Loader, IgnoresKubernetesBookkeeping) {
  auto r = load_string(R"(apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata:
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: |
      {"apiVersion":"networking.istio.io/v1beta1"}
  creationTimestamp: "2024-05-01T10:00:00Z"
  generation: 2
  name: reviews
  namespace: bookinfo
  resourceVersion: "4711"
  uid: 5a8f0e3c-1111-4222-8333-944455556666
  finalizers: [x]
  ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: c, uid: u}]
  managedFields:
  - manager: kubectl
    operation: Update
spec:
  host: reviews
status:
  observedGeneration: 2
  conditions: []
)",
                       "dr.yaml");
  ASSERT_FALSE(r.diagnostics.has_errors()) << errors_of(r);
  ASSERT_EQ(r.config.destination_rules.size(), 1u);
  EXPECT_EQ(r.config.destination_rules[0].meta.namespace_, "bookinfo");
  EXPECT_EQ(r.config.destination_rules[0].meta.annotations.count("kubectl.kubernetes.io/last-applied-configuration"),
            1u);
}

// Scenario: in a multi-document stream the second document's error points at its own line in the
// file, and the first (valid) document still loads.
TEST(Loader, MultiDocumentLinesAreAbsolute) {
  auto r = load_string(R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: first}
spec: {hosts: [a]}
---
# comment between documents
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: second}
spec:
  hosts: [b]
  http:
  - timeout: 3 seconds
)",
                       "two.yaml");
  ASSERT_EQ(r.config.virtual_services.size(), 1u);
  EXPECT_EQ(r.config.virtual_services[0].meta.name, "first");
  ASSERT_EQ(r.diagnostics.error_count(), 1u) << errors_of(r);
  const Diagnostic& d = r.diagnostics.items()[0];
  EXPECT_EQ(d.line, 13);
  EXPECT_EQ(d.object, "default/second");
  EXPECT_EQ(d.path, "spec.http[0].timeout");
  EXPECT_EQ(d.to_string(),
            "two.yaml:13: VirtualService default/second: spec.http[0].timeout: invalid duration \"3 "
            "seconds\" (unknown unit \" seconds\" in duration \"3 seconds\")");
}

// Scenario: a Deployment next to Istio objects (as Istio samples ship them) is skipped with a
// warning; other networking.istio.io kinds and versions too; empty documents are silent.
TEST(Loader, SkipsForeignKindsWithWarnings) {
  auto r = load_string(R"(---
apiVersion: apps/v1
kind: Deployment
metadata: {name: httpbin, namespace: demo}
spec: {replicas: 1}
---
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default}
---
apiVersion: networking.istio.io/v2
kind: VirtualService
metadata: {name: future}
---
apiVersion: networking.istio.io/v1alpha3
kind: ServiceEntry
metadata: {name: ext}
spec: {hosts: [api.example.com], resolution: DNS}
)",
                       "mixed.yaml");
  EXPECT_FALSE(r.diagnostics.has_errors()) << errors_of(r);
  ASSERT_EQ(r.diagnostics.warning_count(), 3u) << errors_of(r);
  const Diagnostic& w = r.diagnostics.items()[0];
  EXPECT_EQ(w.severity, Severity::kWarning);
  EXPECT_EQ(w.kind, "Deployment");
  EXPECT_EQ(w.object, "demo/httpbin");
  EXPECT_EQ(w.line, 2);
  EXPECT_NE(w.message.find("skipped: apps/v1 Deployment"), std::string::npos);
  EXPECT_EQ(r.diagnostics.items()[1].kind, "Sidecar");
  EXPECT_EQ(r.diagnostics.items()[2].line, 12);
  ASSERT_EQ(r.config.service_entries.size(), 1u);
  EXPECT_EQ(r.config.service_entries[0].resolution, ServiceEntry::Resolution::kDns);
}

// Scenario: only whitespace, comments and separators — nothing loads, nothing is reported.
TEST(Loader, EmptyStreamIsSilent) {
  auto r = load_string("# nothing here\n---\n---\n...\n", "empty.yaml");
  EXPECT_TRUE(r.diagnostics.items().empty()) << errors_of(r);
  EXPECT_TRUE(r.config.virtual_services.empty());
}

// Scenario: a document without apiVersion/kind, or a bare scalar, is an error.
TEST(Loader, RejectsDocumentsThatAreNotObjects) {
  auto r = load_string("kind: VirtualService\nmetadata: {name: x}\n---\njust text\n", "bad.yaml");
  ASSERT_EQ(r.diagnostics.error_count(), 2u) << errors_of(r);
  EXPECT_EQ(r.diagnostics.items()[0].path, "apiVersion");
  EXPECT_EQ(r.diagnostics.items()[1].line, 4);
}

// Scenario: `kubectl get vs,dr -A -o yaml` output is a List whose items load as if they were documents.
TEST(Loader, ReadsKindList) {
  auto r = load_string(R"(apiVersion: v1
kind: List
metadata:
  resourceVersion: ""
items:
- apiVersion: networking.istio.io/v1
  kind: VirtualService
  metadata: {name: a, namespace: x}
  spec: {hosts: [a]}
- apiVersion: networking.istio.io/v1
  kind: DestinationRule
  metadata: {name: b, namespace: x}
  spec:
    host: b
    trafficPolicy: {loadBalancer: {simple: LEAST_CONN}}
- apiVersion: networking.istio.io/v1
  kind: DestinationRule
  metadata: {name: broken}
  spec:
    hosst: c
)",
                       "list.yaml");
  ASSERT_EQ(r.config.virtual_services.size(), 1u);
  ASSERT_EQ(r.config.destination_rules.size(), 1u);
  EXPECT_EQ(r.config.virtual_services[0].source.line, 6);
  EXPECT_EQ(r.config.destination_rules[0].source.line, 10);
  EXPECT_EQ(r.config.destination_rules[0].source.index, 1);
  EXPECT_EQ(r.config.destination_rules[0].traffic_policy->load_balancer->simple,
            LoadBalancerSettings::Simple::kLeastConn);
  ASSERT_EQ(r.diagnostics.error_count(), 1u) << errors_of(r);
  EXPECT_EQ(r.diagnostics.items()[0].path, "spec.hosst");
  EXPECT_EQ(r.diagnostics.items()[0].line, 20);
}

// Scenario: a syntax error is reported as FILE:LINE with yaml-cpp's message and nothing from that stream loads.
TEST(Loader, ReportsSyntaxErrorWithLine) {
  auto r = load_string("apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata:\n  name: [a\n", "syntax.yaml");
  EXPECT_TRUE(r.config.gateways.empty());
  ASSERT_EQ(r.diagnostics.error_count(), 1u);
  const Diagnostic& d = r.diagnostics.items()[0];
  EXPECT_EQ(d.file, "syntax.yaml");
  EXPECT_GT(d.line, 0);
  EXPECT_TRUE(d.kind.empty());
  EXPECT_EQ(d.to_string().rfind("syntax.yaml:" + std::to_string(d.line) + ": YAML syntax error: ", 0), 0u)
      << d.to_string();
}

// Scenario: a directory is searched recursively for *.yaml/*.yml in path order; a file with a
// syntax error is reported and the others load; object indexes follow the load order.
TEST(Loader, LoadsDirectoryRecursivelyInPathOrder) {
  const std::string tree = kTestdata + "/loader/tree";
  auto r = load_paths({tree});
  EXPECT_EQ(r.config.files, (std::vector<std::string>{tree + "/a/c.yaml", tree + "/a/z.yml", tree + "/b.yaml",
                                                      tree + "/m-broken.yaml"}));
  ASSERT_EQ(r.config.virtual_services.size(), 3u) << errors_of(r);
  EXPECT_EQ(r.config.virtual_services[0].meta.name, "c");
  EXPECT_EQ(r.config.virtual_services[1].meta.name, "z");
  EXPECT_EQ(r.config.virtual_services[2].meta.name, "b");
  EXPECT_EQ(r.config.virtual_services[2].source.index, 2);
  EXPECT_EQ(r.config.virtual_services[2].source.file, tree + "/b.yaml");
  ASSERT_EQ(r.diagnostics.error_count(), 1u) << errors_of(r);
  const Diagnostic& d = r.diagnostics.items()[0];
  EXPECT_EQ(d.file, tree + "/m-broken.yaml");
  EXPECT_EQ(d.line, 7);
  EXPECT_NE(d.message.find("end of sequence flow not found"), std::string::npos) << d.message;
}

// Scenario: a mounted ConfigMap (`..2026_x/` holding the files, `..data` pointing at it, visible
// symlinks through ..data) loads each object once, under its visible name; hidden temp files are skipped.
TEST(Loader, ReadsConfigMapLayoutOnceAndSkipsHiddenEntries) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(::testing::TempDir()) / ("configmap-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "..2026_01_01");
  std::ofstream(dir / "..2026_01_01" / "gw.yaml")
      << "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata:\n  name: gw\nspec:\n  servers: []\n";
  std::ofstream(dir / ".gw.yaml.tmp") << "not: [yaml\n";
  std::ofstream(dir / ".hidden.yaml") << "not: [yaml\n";
  fs::create_directory_symlink("..2026_01_01", dir / "..data");
  fs::create_symlink(fs::path("..data") / "gw.yaml", dir / "gw.yaml");
  auto r = load_paths({dir.string()});
  EXPECT_EQ(r.config.files, (std::vector<std::string>{(dir / "gw.yaml").string()}));
  EXPECT_EQ(r.config.gateways.size(), 1u);
  EXPECT_EQ(r.diagnostics.error_count(), 0u) << errors_of(r);
  fs::remove_all(dir);
}

// Scenario: files and directories mixed on the command line are merged, sorted and de-duplicated;
// a path that does not exist is an error that does not stop the rest.
TEST(Loader, MergesPathsAndReportsMissingOnes) {
  const std::string bookinfo = kTestdata + "/bookinfo";
  auto r = load_paths({bookinfo + "/virtual-service-reviews-test-v2.yaml", bookinfo, kTestdata + "/nope.yaml"});
  EXPECT_EQ(r.config.files.size(), 3u);
  EXPECT_EQ(r.config.files[0], bookinfo + "/bookinfo-gateway.yaml");
  ASSERT_EQ(r.diagnostics.error_count(), 1u) << errors_of(r);
  EXPECT_EQ(r.diagnostics.items()[0].file, kTestdata + "/nope.yaml");
  EXPECT_EQ(r.config.gateways.size(), 1u);
  EXPECT_EQ(r.config.virtual_services.size(), 2u);
  EXPECT_EQ(r.config.destination_rules.size(), 4u);
}

}  // namespace
}  // namespace sy::config
