// A reload parses only the files that changed: AdmissionState::reusable tells load_paths which
// files it may skip, and admit takes their objects and diagnostics from the last admitted config.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "config/admission.h"

namespace sy::config {
namespace {

namespace fs = std::filesystem;

std::string vs(const std::string& name, const std::string& weight) {
  return "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: " + name +
         "\nspec:\n  hosts: [" + name + ".example.com]\n  gateways: [gw]\n  http:\n  - route:\n    - destination:\n"
         "        host: web.example.com\n      weight: " + weight + "\n";
}

// A ConfigMap is skipped with a warning: a file-level diagnostic a reused file must repeat.
constexpr const char* kConfigMap = "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\n";

class AdmissionReuse : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("admission-reuse-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const std::string& file, const std::string& text) { std::ofstream(dir_ / file) << text; }
  AdmissionResult reload(LoadResult* loaded = nullptr) {
    LoadResult r = load_paths({dir_.string()},
                              [this](const std::string& f, uint64_t h) { return state_.reusable(f, h); });
    if (loaded) {
      loaded->reused = r.reused;
      loaded->content_hashes = r.content_hashes;
    }
    return state_.admit(std::move(r));
  }
  std::string path(const std::string& file) const { return (dir_ / file).string(); }

  fs::path dir_;
  AdmissionState state_;
};

size_t warnings_about(const AdmissionResult& r, const std::string& text) {
  size_t n = 0;
  for (const auto& d : r.diagnostics.items()) n += d.severity == Severity::kWarning && d.message.find(text) != std::string::npos;
  return n;
}

// Scenario: nothing changed: no file is parsed again, and the result equals the first one
// (objects, load order, and the warnings the files gave).
TEST_F(AdmissionReuse, UnchangedFilesAreNotParsedAgain) {
  write("a.yaml", vs("a", "100") + kConfigMap);
  write("b.yaml", vs("b", "100"));
  AdmissionResult first = reload();
  LoadResult loaded;
  AdmissionResult second = reload(&loaded);
  EXPECT_EQ(loaded.reused, (std::vector<std::string>{path("a.yaml"), path("b.yaml")}));
  ASSERT_EQ(second.config->virtual_services.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const VirtualService& before = first.config->virtual_services[i];
    const VirtualService& after = second.config->virtual_services[i];
    EXPECT_EQ(after.meta.name, before.meta.name);
    EXPECT_EQ(after.source.index, before.source.index);
    EXPECT_EQ(after.source.line_of("spec.http[0].route[0].weight"), 12);
  }
  EXPECT_EQ(warnings_about(first, "skipped: v1 ConfigMap"), 1u);
  EXPECT_EQ(warnings_about(second, "skipped: v1 ConfigMap"), 1u);
  EXPECT_TRUE(second.rejected.empty());
}

// Scenario: one file changes: only it is parsed; the other file's objects stay, in order.
TEST_F(AdmissionReuse, OnlyTheChangedFileIsParsed) {
  write("a.yaml", vs("a", "100"));
  write("b.yaml", vs("b", "100"));
  reload();
  write("b.yaml", vs("b", "100") + "\n# edited\n");
  LoadResult loaded;
  AdmissionResult r = reload(&loaded);
  EXPECT_EQ(loaded.reused, (std::vector<std::string>{path("a.yaml")}));
  ASSERT_EQ(r.config->virtual_services.size(), 2u);
  EXPECT_EQ(r.config->virtual_services[0].meta.name, "a");
  EXPECT_EQ(r.config->virtual_services[1].meta.name, "b");
}

// Scenario: a file whose object was rejected (its last good version kept) is parsed on every
// reload until it is fixed, so the rejection is reported each time and the fix applies.
TEST_F(AdmissionReuse, FileWithRejectedObjectIsParsedAgain) {
  write("a.yaml", vs("a", "100"));
  reload();
  write("a.yaml", vs("a", "-5"));
  AdmissionResult broken = reload();
  ASSERT_EQ(broken.rejected.size(), 1u);
  EXPECT_TRUE(broken.rejected[0].kept_previous);
  LoadResult loaded;
  AdmissionResult again = reload(&loaded);
  EXPECT_TRUE(loaded.reused.empty());
  ASSERT_EQ(again.rejected.size(), 1u);
  ASSERT_EQ(again.config->virtual_services.size(), 1u);
  EXPECT_EQ(again.config->virtual_services[0].http[0].route[0].weight, 100);
}

// Scenario: a removed file takes its objects with it, even though the rest is reused.
TEST_F(AdmissionReuse, RemovedFileTakesItsObjects) {
  write("a.yaml", vs("a", "100"));
  write("b.yaml", vs("b", "100"));
  reload();
  fs::remove(dir_ / "b.yaml");
  AdmissionResult r = reload();
  ASSERT_EQ(r.config->virtual_services.size(), 1u);
  EXPECT_EQ(r.config->virtual_services[0].meta.name, "a");
}

// Scenario: two files define the same object; the earlier file's wins whether or not the files
// were parsed again, so a reload never changes which one is in force.
TEST_F(AdmissionReuse, DuplicateNameKeepsTheEarlierFile) {
  write("a.yaml", vs("same", "100"));
  write("b.yaml", vs("same", "100").replace(vs("same", "100").find("host: web"), 9, "host: api"));
  AdmissionResult first = reload();
  write("b.yaml", vs("same", "100"));  // b changes and is parsed; a is reused
  AdmissionResult second = reload();
  ASSERT_EQ(second.config->virtual_services.size(), 1u);
  EXPECT_EQ(second.config->virtual_services[0].source.file, path("a.yaml"));
  EXPECT_EQ(first.config->virtual_services[0].source.file, path("a.yaml"));
}

// Scenario: a reload whose result equals the config in force goes back to it (keep_previous);
// a file parsed by that reload (a comment added) is parsed again next time, the others are not.
TEST_F(AdmissionReuse, KeepPreviousForgetsFilesParsedSince) {
  write("a.yaml", vs("a", "100"));
  write("b.yaml", vs("b", "100"));
  AdmissionResult first = reload();
  write("b.yaml", "# a comment moves every line down\n" + vs("b", "100"));
  LoadResult loaded;
  AdmissionResult same = reload(&loaded);
  EXPECT_EQ(loaded.reused, (std::vector<std::string>{path("a.yaml")}));
  same = {};
  state_.keep_previous();
  AdmissionResult next = reload(&loaded);
  EXPECT_EQ(loaded.reused, (std::vector<std::string>{path("a.yaml")}));
  ASSERT_EQ(next.config->virtual_services.size(), 2u);
  EXPECT_EQ(next.config->virtual_services[1].source.line_of("spec.http[0].route[0].weight"), 13);
  AdmissionResult last = reload(&loaded);
  EXPECT_EQ(loaded.reused.size(), 2u);
}

}  // namespace
}  // namespace sy::config
