// main() for fuzz targets built without libFuzzer (GCC, the normal `make test` build): runs
// LLVMFuzzerTestOneInput once on every file named on the command line or found in a directory
// named there (not recursive; sorted, so a failure is reproducible). Dot files (.gitkeep) are
// skipped. This keeps the seed corpus and every saved crasher a regression test without clang.
// A crash aborts the process: ctest reports the failure, and the last "replay:" line names the
// input. An input may also have been saved by `make fuzz` as a timeout or out-of-memory case: the
// same limits apply here (kTimeoutSeconds, kRssLimitMb, as the Makefile passes to libFuzzer), so
// such an input fails in bounded time and memory instead of hanging or swapping `make test`.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace fs = std::filesystem;

namespace {

constexpr unsigned kTimeoutSeconds = 5;
constexpr long kRssLimitMb = 2048;

void on_alarm(int) {
  constexpr char kMsg[] = "replay: the input above ran longer than the fuzz timeout\n";
  (void)!write(STDERR_FILENO, kMsg, sizeof kMsg - 1);
  std::abort();
}

// Polls resident memory like libFuzzer's -rss_limit_mb (an allocation loop may never return).
void watch_rss() {
  const long page_mb_div = (1L << 20) / sysconf(_SC_PAGESIZE);
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    long size = 0, resident = 0;
    if (std::FILE* f = std::fopen("/proc/self/statm", "r")) {
      if (std::fscanf(f, "%ld %ld", &size, &resident) != 2) resident = 0;
      std::fclose(f);
    }
    if (resident / page_mb_div > kRssLimitMb) {
      std::fprintf(stderr, "replay: the input above uses more than %ld MiB\n", kRssLimitMb);
      std::abort();
    }
  }
}

bool run_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "replay: cannot read %s\n", p.c_str());
    return false;
  }
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::fprintf(stderr, "replay: %s (%zu bytes)\n", p.c_str(), bytes.size());
  // A copy of exactly the input's size, as libFuzzer passes it, so ASan sees reads past the end.
  std::vector<std::uint8_t> data(bytes.begin(), bytes.end());
  alarm(kTimeoutSeconds);
  LLVMFuzzerTestOneInput(data.data(), data.size());
  alarm(0);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGALRM, on_alarm);
  std::thread(watch_rss).detach();
  std::size_t runs = 0;
  bool ok = true;
  for (int i = 1; i < argc; ++i) {
    const fs::path arg(argv[i]);
    std::error_code ec;
    if (!fs::is_directory(arg, ec)) {
      ok = run_file(arg) && ok;
      ++runs;
      continue;
    }
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(arg, ec)) {
      if (e.is_regular_file() && e.path().filename().string().front() != '.') files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      ok = run_file(f) && ok;
      ++runs;
    }
  }
  std::printf("replayed %zu inputs\n", runs);
  return ok ? 0 : 1;
}
