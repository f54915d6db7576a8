#include "policy/outlier_detector.h"

#include <gtest/gtest.h>

#include <thread>

namespace sy::policy {
namespace {

using namespace std::chrono_literals;
using Kind = EndpointResult::Kind;

const MonoTime t0 = MonoTime(std::chrono::hours(1));

OutlierPolicy enabled(auto&&... edits) {
  OutlierPolicy p;
  p.enabled = true;
  (edits(p), ...);
  return p;
}

std::vector<std::string> keys(size_t n) {
  std::vector<std::string> k;
  for (size_t i = 0; i < n; ++i) k.push_back("10.0.0." + std::to_string(i + 1) + ":80");
  return k;
}

EndpointResult resp(uint16_t s) { return EndpointResult::response(s); }
EndpointResult local(Kind k) { return {k, 0}; }

// Scenario table: a sequence of results on endpoint 0 under a policy; is it ejected at the end?
TEST(OutlierDetector, ConsecutiveThresholds) {
  struct Case {
    const char* name;
    OutlierPolicy policy;
    std::vector<EndpointResult> results;
    EjectionReason expected;  // kNone = still eligible
  };
  const auto r500 = resp(500), r503 = resp(503), r200 = resp(200), r404 = resp(404);
  const Case cases[] = {
      {"5 x 500 ejects (default 5)", enabled(), {r500, r500, r500, r500, r500}, EjectionReason::kConsecutive5xx},
      {"4 x 500 does not", enabled(), {r500, r500, r500, r500}, EjectionReason::kNone},
      {"success resets", enabled(), {r500, r500, r500, r500, r200, r500}, EjectionReason::kNone},
      {"4xx is a success", enabled(), {r500, r500, r500, r500, r404, r500}, EjectionReason::kNone},
      {"consecutive5xxErrors 0 disables",
       enabled([](auto& p) { p.consecutive_5xx = 0; }),
       {r500, r500, r500, r500, r500, r500, r500},
       EjectionReason::kNone},
      {"gateway errors 2",
       enabled([](auto& p) { p.consecutive_gateway = 2; }),
       {r503, r503},
       EjectionReason::kConsecutiveGateway},
      {"a 500 breaks a gateway streak",
       enabled([](auto& p) { p.consecutive_gateway = 2; }),
       {r503, r500, r503},
       EjectionReason::kNone},
      {"unsplit: connect failures count as 5xx",
       enabled([](auto& p) { p.consecutive_5xx = 3; }),
       {local(Kind::kConnectFailure), local(Kind::kTimeout), local(Kind::kReset)},
       EjectionReason::kConsecutive5xx},
      {"unsplit: local failures are gateway errors",
       enabled([](auto& p) { p.consecutive_gateway = 2; }),
       {local(Kind::kConnectFailure), local(Kind::kConnectFailure)},
       EjectionReason::kConsecutiveGateway},
      {"unsplit: connect success does not reset",
       enabled([](auto& p) { p.consecutive_5xx = 2; }),
       {r500, local(Kind::kConnectSuccess), r500},
       EjectionReason::kConsecutive5xx},
      {"split: local failures have their own counter",
       enabled([](auto& p) {
         p.split_local_origin = true;
         p.consecutive_local_origin = 2;
         p.consecutive_5xx = 2;
       }),
       {local(Kind::kConnectFailure), r500, local(Kind::kConnectFailure)},
       EjectionReason::kNone},
      {"split: local threshold",
       enabled([](auto& p) {
         p.split_local_origin = true;
         p.consecutive_local_origin = 2;
       }),
       {local(Kind::kConnectFailure), local(Kind::kTimeout)},
       EjectionReason::kConsecutiveLocalOrigin},
      {"split: connect success resets local",
       enabled([](auto& p) {
         p.split_local_origin = true;
         p.consecutive_local_origin = 2;
       }),
       {local(Kind::kConnectFailure), local(Kind::kConnectSuccess), local(Kind::kConnectFailure)},
       EjectionReason::kNone},
      {"split: 5xx still counts externally",
       enabled([](auto& p) {
         p.split_local_origin = true;
         p.consecutive_5xx = 2;
       }),
       {r500, local(Kind::kReset), r500},
       EjectionReason::kConsecutive5xx},
      {"disabled policy never ejects", OutlierPolicy{}, {r500, r500, r500, r500, r500, r500}, EjectionReason::kNone},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    OutlierDetector d(c.policy, keys(2), t0);  // 2 hosts: 10 % still allows one ejection
    EjectionReason got = EjectionReason::kNone;
    for (const auto& r : c.results) {
      EjectionReason e = d.report(0, r, t0);
      if (e != EjectionReason::kNone) got = e;
    }
    EXPECT_EQ(got, c.expected) << ejection_reason_name(got);
    EXPECT_EQ(d.is_ejected(0), c.expected != EjectionReason::kNone);
    EXPECT_FALSE(d.is_ejected(1));
  }
}

// Scenario: ejection lasts base × times ejected, ends at the first sweep after that, and the
// multiplier decays by one per sweep that finds the host in.
TEST(OutlierDetector, EjectionTimeGrowsAndReturnsAtSweep) {
  OutlierDetector d(enabled([](auto& p) { p.consecutive_5xx = 1; }), keys(3), t0);
  std::vector<uint64_t> scratch(d.words());
  ASSERT_EQ(d.report(1, resp(500), t0), EjectionReason::kConsecutive5xx);
  Eligibility e = d.eligible(scratch);
  EXPECT_EQ(e.kind, Eligibility::Kind::kSome);
  EXPECT_EQ(e.bits[0], 0b101u);
  EXPECT_EQ(d.view()[1].ejected_until, t0 + 30s);

  EXPECT_TRUE(d.sweep(t0 + 29s));
  EXPECT_TRUE(d.is_ejected(1));
  EXPECT_TRUE(d.sweep(t0 + 30s));
  EXPECT_FALSE(d.is_ejected(1));
  EXPECT_EQ(d.eligible(scratch).kind, Eligibility::Kind::kAll);

  // Second ejection right away: 60 s.
  ASSERT_EQ(d.report(1, resp(500), t0 + 31s), EjectionReason::kConsecutive5xx);
  EXPECT_EQ(d.view()[1].times_ejected, 2u);
  EXPECT_EQ(d.view()[1].ejected_until, t0 + 91s);
  d.sweep(t0 + 91s);
  EXPECT_FALSE(d.is_ejected(1));
  // Two sweeps in: the multiplier drops 2 -> 0.
  d.sweep(t0 + 101s);
  d.sweep(t0 + 111s);
  EXPECT_EQ(d.view()[1].times_ejected, 0u);
  EXPECT_EQ(d.stats().ejections_total, 2u);
  EXPECT_EQ(d.stats().ejections_active, 0u);
}

// Scenario: the ejection length is capped at 300 s (or baseEjectionTime if larger).
TEST(OutlierDetector, EjectionCap) {
  OutlierDetector d(enabled([](auto& p) {
                      p.consecutive_5xx = 1;
                      p.base_ejection_time = 100s;
                    }),
                    keys(1), t0);
  MonoTime now = t0;
  for (int i = 1; i <= 5; ++i) {
    ASSERT_NE(d.report(0, resp(500), now), EjectionReason::kNone);
    const auto until = d.view()[0].ejected_until;
    EXPECT_EQ(until - now, std::min<Duration>(100s * i, 300s)) << "ejection " << i;
    now = until;
    d.sweep(now);  // returns it; no healthy sweep in between, so the multiplier keeps growing
  }
}

// Scenario: maxEjectionPercent bounds ejections, but one host may always be ejected.
TEST(OutlierDetector, MaxEjectionPercent) {
  struct Case {
    size_t hosts;
    uint32_t max_percent;
    size_t ejectable;
  };
  const Case cases[] = {{3, 10, 1}, {10, 10, 1}, {20, 10, 2}, {4, 50, 2}, {3, 100, 3}, {5, 0, 1}};
  for (const auto& c : cases) {
    SCOPED_TRACE(testing::Message() << c.hosts << " hosts, " << c.max_percent << "%");
    OutlierDetector d(enabled([&](auto& p) {
                        p.consecutive_5xx = 1;
                        p.max_ejection_percent = c.max_percent;
                      }),
                      keys(c.hosts), t0);
    size_t ejected = 0;
    for (size_t i = 0; i < c.hosts; ++i) ejected += d.report(i, resp(500), t0) != EjectionReason::kNone;
    EXPECT_EQ(ejected, c.ejectable);
    EXPECT_EQ(d.stats().ejections_active, c.ejectable);
    EXPECT_EQ(d.stats().ejections_overflow, c.hosts - c.ejectable);
  }
}

// Scenario: a `resolution: DNS` name resolved to several addresses: each address gets a slot of
// its own and is ejected alone; the name itself is no host (not counted, never ejected); the
// percentages count the addresses; a full room gives kNoSlot; a rebuilt detector keeps them.
TEST(OutlierDetector, AddressSlotsForResolvedNames) {
  const auto policy = enabled([](auto& p) {
    p.consecutive_5xx = 1;
    p.max_ejection_percent = 50;
  });
  OutlierDetector d(policy, {"svc.example:80", "10.0.0.9:80"}, t0, nullptr, 3, {true, false});
  const uint32_t a = d.address_slot("10.0.0.1:80");
  const uint32_t b = d.address_slot("10.0.0.2:80");
  EXPECT_EQ(a, 2u);
  EXPECT_EQ(b, 3u);
  EXPECT_EQ(d.address_slot("10.0.0.1:80"), a);  // the same address keeps its slot
  EXPECT_EQ(d.report(0, resp(500), t0), EjectionReason::kNone);  // the name itself: never ejected
  EXPECT_EQ(d.report(a, resp(500), t0), EjectionReason::kConsecutive5xx);
  EXPECT_TRUE(d.is_ejected(a));
  EXPECT_FALSE(d.is_ejected(b));
  // Three hosts (10.0.0.9 and the two addresses): 50 % lets one go, not two.
  EXPECT_EQ(d.report(b, resp(500), t0), EjectionReason::kNone);
  std::vector<uint64_t> scratch(d.words());
  const Eligibility e = d.eligible(scratch);
  ASSERT_EQ(e.kind, Eligibility::Kind::kSome);
  EXPECT_EQ((e.bits[0] >> a) & 1, 0u);
  EXPECT_EQ((e.bits[0] >> b) & 1, 1u);
  EXPECT_EQ(d.address_slot("10.0.0.3:80"), 4u);
  EXPECT_EQ(d.address_slot("10.0.0.4:80"), OutlierDetector::kNoSlot);  // room for 3 only
  std::vector<std::string> listed;
  for (const auto& v : d.view()) listed.push_back(v.key);
  EXPECT_EQ(listed, (std::vector<std::string>{"10.0.0.9:80", "10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80"}));

  OutlierDetector rebuilt(policy, {"svc.example:80", "10.0.0.9:80"}, t0, &d, 3, {true, false});
  EXPECT_EQ(rebuilt.address_slot("10.0.0.1:80"), a);
  EXPECT_TRUE(rebuilt.is_ejected(a));
}

// Scenario: a host refused by maxEjectionPercent is ejected at its next failure once room frees.
TEST(OutlierDetector, RefusedEjectionRetriedLater) {
  OutlierDetector d(enabled([](auto& p) { p.consecutive_5xx = 2; }), keys(2), t0);
  d.report(0, resp(500), t0);
  d.report(0, resp(500), t0);
  d.report(1, resp(500), t0);
  EXPECT_EQ(d.report(1, resp(500), t0), EjectionReason::kNone);  // 10 % of 2: only one
  d.sweep(t0 + 30s);
  EXPECT_EQ(d.report(1, resp(500), t0 + 31s), EjectionReason::kConsecutive5xx);
}

// Scenario: every host ejected, minHealthPercent 0 => no eligible host (503 UH); > 0 => panic,
// balance over all hosts.
TEST(OutlierDetector, AllEjectedAndPanic) {
  for (uint32_t min_health : {0u, 50u}) {
    SCOPED_TRACE(min_health);
    OutlierDetector d(enabled([&](auto& p) {
                        p.consecutive_5xx = 1;
                        p.max_ejection_percent = 100;
                        p.min_health_percent = min_health;
                      }),
                      keys(70), t0);  // two bitset words
    std::vector<uint64_t> scratch(d.words());
    for (size_t i = 0; i < 34; ++i) d.report(i, resp(502), t0);
    Eligibility e = d.eligible(scratch);
    EXPECT_EQ(e.kind, Eligibility::Kind::kSome);  // 36 of 70 healthy = 51 %: no panic yet
    EXPECT_FALSE(e.panic);
    d.report(34, resp(502), t0);  // 35 of 70 = 50 %: still not below
    EXPECT_FALSE(d.eligible(scratch).panic);
    d.report(35, resp(502), t0);  // 34 of 70 < 50 %
    EXPECT_EQ(d.eligible(scratch).panic, min_health > 0);
    for (size_t i = 34; i < 70; ++i) d.report(i, resp(502), t0);
    e = d.eligible(scratch);
    if (min_health == 0) {
      EXPECT_EQ(e.kind, Eligibility::Kind::kNone);
      ASSERT_EQ(e.bits.size(), 2u);
      EXPECT_EQ(e.bits[0] | e.bits[1], 0u);
    } else {
      EXPECT_EQ(e.kind, Eligibility::Kind::kAll);
      EXPECT_TRUE(e.panic);
    }
  }
}

// Scenario: a new endpoint set keeps the state of surviving endpoints by address.
TEST(OutlierDetector, MigratesByKey) {
  const auto policy = enabled([](auto& p) { p.consecutive_5xx = 3; });
  OutlierDetector old(policy, {"a:80", "b:80", "c:80"}, t0);
  old.report(1, resp(500), t0);  // b: 1 consecutive
  old.report(2, resp(500), t0);
  old.report(2, resp(500), t0);
  old.report(2, resp(500), t0);  // c: ejected until t0+30s
  OutlierDetector next(policy, {"c:80", "d:80", "b:80"}, t0 + 1s, &old);
  const auto v = next.view();
  EXPECT_TRUE(v[0].ejected);
  EXPECT_EQ(v[0].ejected_until, t0 + 30s);
  EXPECT_EQ(v[0].times_ejected, 1u);
  EXPECT_FALSE(v[1].ejected);
  EXPECT_EQ(v[2].consecutive_5xx, 1u);
  std::vector<uint64_t> scratch(next.words());
  EXPECT_EQ(next.eligible(scratch).bits[0], 0b110u);
  EXPECT_EQ(next.stats().ejections_active, 1u);
  next.sweep(t0 + 30s);
  EXPECT_FALSE(next.is_ejected(0));
}

// Scenario: sweep_if_due runs only once `interval` has passed since the last sweep.
TEST(OutlierDetector, SweepIfDue) {
  OutlierDetector d(enabled([](auto& p) { p.interval = 10s; }), keys(1), t0);
  EXPECT_FALSE(d.sweep_if_due(t0 + 9s));
  EXPECT_TRUE(d.sweep_if_due(t0 + 10s));
  EXPECT_FALSE(d.sweep_if_due(t0 + 19s));
  EXPECT_TRUE(d.sweep_if_due(t0 + 20s));
}

// Scenario: workers report concurrently while a sweeper runs; the active count never exceeds the
// allowed maximum and matches the bitset at the end.
TEST(OutlierDetector, ConcurrentReportsAndSweeps) {
  OutlierDetector d(enabled([](auto& p) {
                      p.consecutive_5xx = 2;
                      p.max_ejection_percent = 30;
                      p.base_ejection_time = 1ms;
                    }),
                    keys(100), t0);
  std::atomic<bool> stop{false};
  std::thread sweeper([&] {
    int64_t ms = 0;
    while (!stop.load()) d.sweep(t0 + std::chrono::milliseconds(++ms));
  });
  std::vector<std::thread> workers;
  for (int w = 0; w < 3; ++w)
    workers.emplace_back([&, w] {
      for (int i = 0; i < 20000; ++i) {
        d.report(static_cast<size_t>((i * 7 + w) % 100), resp(i % 3 ? 503 : 200), t0);
        EXPECT_LE(d.stats().ejections_active, 30u);
      }
    });
  for (auto& t : workers) t.join();
  stop = true;
  sweeper.join();
  std::vector<uint64_t> scratch(d.words());
  Eligibility e = d.eligible(scratch);
  size_t cleared = 0;
  if (e.kind != Eligibility::Kind::kAll)
    for (size_t i = 0; i < 100; ++i) cleared += !((e.bits[i / 64] >> (i % 64)) & 1);
  EXPECT_EQ(cleared, d.stats().ejections_active);
}

}  // namespace
}  // namespace sy::policy
