"""Locality load balancing and slow start through the real gateway, started with
`--locality us-east/zone1`: failover priorities with outlierDetection (local zone first, then the
next priority once the local endpoint is ejected), `distribute` weights, and warmup (an endpoint a
reload adds gets a reduced share that grows over its window). Also what `validate` says about
localityLbSetting without --locality, and failoverPriority ranking by the proxy's labels."""

import os
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwtest  # noqa: E402
import harness  # noqa: E402
import resilience_config as rc  # noqa: E402

HOST = "svc.example.com"
SVC = "svc.default.svc.cluster.local"
ROUTE = """
- route:
  - destination:
      host: svc
"""
LOCALITY = "us-east/zone1"


def service_entry(endpoints):
    """endpoints: (port, locality, version) on 127.0.0.1."""
    eps = "".join(
        f"\n  - address: 127.0.0.1\n    ports:\n      http: {p}\n    locality: {loc}\n    labels:\n      version: {v}"
        for p, loc, v in endpoints)
    return f"""
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: svc
  namespace: default
spec:
  hosts:
  - {SVC}
  location: MESH_INTERNAL
  resolution: STATIC
  ports:
  - number: 80
    name: http
    protocol: HTTP
  endpoints:{eps}
"""


def docs(port, endpoints, traffic_policy):
    return [gwtest.gateway("gw", port, ["*"]), service_entry(endpoints), rc.virtual_service("svc", HOST, ROUTE),
            rc.destination_rule("svc", SVC, traffic_policy)]


def shares(client, n):
    counts = {}
    for _ in range(n):
        status, headers, _ = client.get("/", host=HOST)
        v = headers.get("x-upstream-version", str(status))
        counts[v] = counts.get(v, 0) + 1
    return counts


class LocalityLb(unittest.TestCase):
    def upstreams(self, versions):
        ups = {}
        for v in versions:
            ups[v] = harness.start_upstream("svc", v)
            self.addCleanup(ups[v].stop)
        return ups

    def gateway(self, documents, port, locality=LOCALITY):
        extra = ["--locality", locality] if locality else []
        gw = rc.start(documents, listen_ports=[port], extra_args=extra)
        self.addCleanup(gw.stop)
        return gw

    # Scenario: with outlierDetection every request goes to the same-zone endpoint; once it is
    # stopped and ejected, traffic fails over to the same-region endpoint (P1), never to us-west.
    def test_failover_local_zone_then_next_priority(self):
        ups = self.upstreams(["local", "zone2", "west"])
        port = harness.free_port()
        policy = """
loadBalancer:
  simple: ROUND_ROBIN
outlierDetection:
  consecutive5xxErrors: 1
  interval: 1s
  baseEjectionTime: 30s
  maxEjectionPercent: 100
"""
        eps = [(ups["local"].port, "us-east/zone1", "local"), (ups["zone2"].port, "us-east/zone2", "zone2"),
               (ups["west"].port, "us-west/zone1", "west")]
        self.gateway(docs(port, eps, policy), port)
        c = gwtest.Client(port)
        self.assertEqual(shares(c, 40), {"local": 40})
        ups["local"].stop()
        # The first request may meet the dead endpoint (and be retried); after the ejection all go to P1.
        shares(c, 3)
        self.assertEqual(shares(c, 40), {"zone2": 40})
        c.close()

    # Scenario: distribute from us-east/zone1/* sends 70% to zone1 and 30% to zone2 (±5 points over
    # 400 requests); us-west, named by no `to`, gets nothing; no outlierDetection is needed.
    def test_distribute_weights(self):
        ups = self.upstreams(["z1", "z2", "west"])
        port = harness.free_port()
        policy = """
loadBalancer:
  simple: ROUND_ROBIN
  localityLbSetting:
    distribute:
    - from: us-east/zone1/*
      to:
        "us-east/zone1/*": 70
        "us-east/zone2/*": 30
"""
        eps = [(ups["z1"].port, "us-east/zone1", "z1"), (ups["z2"].port, "us-east/zone2", "z2"),
               (ups["west"].port, "us-west/zone1", "west")]
        self.gateway(docs(port, eps, policy), port)
        counts = gwtest.count_versions(port, HOST, 400)
        self.assertEqual(sum(counts.values()), 400, counts)
        self.assertNotIn("west", counts)
        self.assertAlmostEqual(counts.get("z1", 0) / 400, 0.70, delta=0.05, msg=counts)
        self.assertAlmostEqual(counts.get("z2", 0) / 400, 0.30, delta=0.05, msg=counts)

    # Scenario: warmup 4 s; an endpoint added by a reload gets about 10% of a full endpoint's
    # weight at first (share ~5% next to two warm ones, asserted < 20%), and its full third
    # (asserted > 25%) once its window is over.
    def test_warmup_new_endpoint_ramps_up(self):
        ups = self.upstreams(["a", "b", "new"])
        port = harness.free_port()
        policy = """
loadBalancer:
  simple: ROUND_ROBIN
  warmup:
    duration: 4s
"""
        eps = [(ups["a"].port, "us-east/zone1", "a"), (ups["b"].port, "us-east/zone1", "b")]
        gw = self.gateway(docs(port, eps, policy), port)
        # The first endpoints warm up together from the cluster's creation (Envoy); let them finish.
        time.sleep(4.2)
        c = gwtest.Client(port)
        self.assertEqual(set(shares(c, 30)), {"a", "b"})
        eps.append((ups["new"].port, "us-east/zone1", "new"))
        path = os.path.join(gw.config_dir, "config.yaml")
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            f.write("\n---\n".join(d.strip("\n") for d in docs(port, eps, policy)))
        os.rename(tmp, path)
        # The reload is in force once the new endpoint answers its first request.
        deadline = time.monotonic() + 5
        while shares(c, 1).get("new", 0) == 0:
            self.assertLess(time.monotonic(), deadline, "the reload never brought the new endpoint")
        added = time.monotonic()
        early = shares(c, 150)
        self.assertLess(time.monotonic() - added, 1.5, "the early sample must stay early in the window")
        self.assertLess(early.get("new", 0) / 150, 0.20, early)
        time.sleep(max(0.0, added + 4.3 - time.monotonic()))
        late = shares(c, 300)
        self.assertGreater(late.get("new", 0) / 300, 0.25, late)
        c.close()

    # Scenario: failoverPriority [network, tier=gold] against the proxy's labels (--selector): the
    # endpoint agreeing on both first; once it is ejected, the one that differs only in tier (a
    # `key=value` entry compares with the value), never the other network's.
    def test_failover_priority_by_labels(self):
        ups = self.upstreams(["local", "bronze", "remote"])
        port = harness.free_port()
        eps = "".join(
            f"\n  - address: 127.0.0.1\n    ports: {{http: {ups[v].port}}}\n    network: {net}\n"
            f"    labels: {{version: {v}, tier: {tier}}}"
            for v, net, tier in (("local", "net1", "gold"), ("bronze", "net1", "bronze"), ("remote", "net2", "gold")))
        se = f"""
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {{name: svc, namespace: default}}
spec:
  hosts: [{SVC}]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{{number: 80, name: http, protocol: HTTP}}]
  endpoints:{eps}
"""
        policy = """
loadBalancer:
  simple: ROUND_ROBIN
  localityLbSetting:
    failoverPriority:
    - topology.istio.io/network
    - tier=gold
outlierDetection:
  consecutive5xxErrors: 1
  interval: 1s
  baseEjectionTime: 30s
  maxEjectionPercent: 100
"""
        documents = [gwtest.gateway("gw", port, ["*"]), se, rc.virtual_service("svc", HOST, ROUTE),
                     rc.destination_rule("svc", SVC, policy)]
        gw = rc.start(documents, listen_ports=[port],
                      extra_args=["--selector", "istio=ingressgateway", "--selector", "topology.istio.io/network=net1"])
        self.addCleanup(gw.stop)
        c = gwtest.Client(port)
        self.assertEqual(shares(c, 30), {"local": 30})
        ups["local"].stop()
        shares(c, 3)  # the dead endpoint is met once (and retried), then ejected
        self.assertEqual(shares(c, 30), {"bronze": 30})
        c.close()

    # Scenario: without --locality, validate warns at the localityLbSetting line that locality
    # failover has no effect; with --locality it does not; failoverPriority is enforced, not warned.
    def test_validate_warns_without_locality(self):
        policy = """
loadBalancer:
  localityLbSetting:
    failover:
    - from: us-east
      to: us-west
outlierDetection:
  consecutive5xxErrors: 1
"""
        d = tempfile.mkdtemp(prefix="sy-loc-")
        harness.write_yaml(d, "config.yaml", "\n---\n".join(
            x.strip("\n") for x in docs(8080, [(9000, "us-east/zone1", "a")], policy)))

        def validate(*extra):
            r = subprocess.run([harness.switchyard_bin(), "validate", d, *extra], capture_output=True, text=True,
                               timeout=30)
            return r.stdout + r.stderr

        without = validate()
        self.assertRegex(without, r"config\.yaml:\d+: .*localityLbSetting.*no locality")
        with_locality = validate("--locality", LOCALITY)
        self.assertNotIn("no locality", with_locality)
        ranked = policy.replace("    failover:", "    failoverPriority: [topology.istio.io/network]\n    failover:")
        harness.write_yaml(d, "config.yaml", "\n---\n".join(
            x.strip("\n") for x in docs(8080, [(9000, "us-east/zone1", "a")], ranked)))
        self.assertNotIn("failoverPriority", validate())
        self.assertNotIn("not enforced", validate())


if __name__ == "__main__":
    harness.main()
