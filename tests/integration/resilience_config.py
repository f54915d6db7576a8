"""Istio YAML builders shared by the resilience integration tests (test_resilience_*.py): one
Gateway on `port` for every host, a ServiceEntry per service, a VirtualService with a given
`http:` block, and a DestinationRule with a given trafficPolicy."""

import textwrap

import gwtest


def indent(text, n):
    return textwrap.indent(textwrap.dedent(text).strip("\n"), " " * n)


def virtual_service(name, host, http_block, gateways=("gw",)):
    """`http_block` is the YAML list under `http:` (written at column 0)."""
    gws = "".join(f"\n  - {g}" for g in gateways)
    return f"""
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: {name}
  namespace: default
spec:
  hosts:
  - "{host}"
  gateways:{gws}
  http:
{indent(http_block, 2)}
"""


def destination_rule(name, host, traffic_policy, subsets=""):
    subs = f"\n  subsets:\n{indent(subsets, 2)}" if subsets else ""
    return f"""
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: {name}
  namespace: default
spec:
  host: {host}
  trafficPolicy:
{indent(traffic_policy, 4)}{subs}
"""


def simple(port, endpoints, http_block, traffic_policy=None, host="svc.example.com", service="svc"):
    """Gateway + ServiceEntry `service` (default namespace) with `endpoints` + VirtualService for
    `host` + optional DestinationRule."""
    docs = [
        gwtest.gateway("gw", port, ["*"]),
        gwtest.service(f"{service}.default.svc.cluster.local", endpoints),
        virtual_service(service, host, http_block),
    ]
    if traffic_policy:
        docs.append(destination_rule(service, f"{service}.default.svc.cluster.local", traffic_policy))
    return docs


def local_endpoint(port, labels=None):
    return ("127.0.0.1", port, labels or {"app": "svc"})


def start(docs, **kwargs):
    """gwtest.start_gateway without the admin listener, so several gateways can run at once."""
    kwargs["extra_args"] = list(kwargs.get("extra_args", ())) + ["--admin", "off"]
    return gwtest.start_gateway(docs, **kwargs)
