"""The deployment files (issue 8): systemd units, Kubernetes manifests, the Prometheus scrape config and the
Grafana dashboard, checked as far as this machine allows (no cluster, no systemd as PID 1)."""
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

OPS = ROOT / "ops"


def declared_metrics():
    """Every metric name the Swift sources declare."""
    names = set()
    for source in (ROOT / "Sources").rglob("*.swift"):
        names |= set(re.findall(r'label: "(goosey_[a-z0-9_]+)"', source.read_text()))
    return names


def documents(path):
    return [document for document in yaml.safe_load_all(path.read_text()) if document]


def test_kubernetes_manifests_have_what_draining_and_scaling_need():
    edge = {document["kind"]: document for document in documents(OPS / "k8s" / "edge.yaml")}
    assert set(edge) == {"Deployment", "ConfigMap", "Service", "HorizontalPodAutoscaler"}
    pod = edge["Deployment"]["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz" and "preStop" in container["lifecycle"]
    assert pod["terminationGracePeriodSeconds"] >= 600, "streams of ten minutes finish before the pod is killed"
    secrets = {env["name"] for env in container["env"] if "secretKeyRef" in env.get("valueFrom", {})}
    assert {"ANTHROPIC_API_KEY", "COORDINATOR_INGEST_TOKEN", "REDIS_URL"} <= secrets
    assert "sk-ant" not in (OPS / "k8s" / "edge.yaml").read_text(), "no key in a manifest"
    hpa_metric = edge["HorizontalPodAutoscaler"]["spec"]["metrics"][0]["pods"]["metric"]["name"]
    assert hpa_metric in declared_metrics()
    assert edge["HorizontalPodAutoscaler"]["spec"]["scaleTargetRef"]["name"] == edge["Deployment"]["metadata"]["name"]
    coordinator = {document["kind"]: document for document in documents(OPS / "k8s" / "coordinator.yaml")}
    assert coordinator["Deployment"]["spec"]["replicas"] == 2
    for document in list(edge.values()) + list(coordinator.values()):
        assert document["apiVersion"] and document["metadata"]["name"].startswith("goosey-")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_units_verify(tmp_path):
    for unit in (OPS / "systemd").glob("*.service"):
        # `verify` wants the binaries to exist; stand-ins in a scratch root keep the check about the units.
        text = unit.read_text().replace("/usr/local/bin/", str(tmp_path) + "/")
        for binary in ("goosey", "goosey-edge"):
            stub = tmp_path / binary
            stub.write_text("#!/bin/sh\n")
            stub.chmod(0o755)
        copy = tmp_path / unit.name.replace("@", "@1" if "@" in unit.name else "")
        copy.write_text(text)
        result = subprocess.run(["systemd-analyze", "verify", "--man=no", str(copy)], capture_output=True, text=True, timeout=60)
        problems = [line for line in result.stderr.splitlines() if "Unknown" in line or "Invalid" in line or "Failed to parse" in line]
        assert problems == [], problems
        assert "NoNewPrivileges=yes" in text and "ProtectSystem=strict" in text


def test_monitoring_reads_only_metrics_that_exist():
    declared = declared_metrics()
    dashboard = json.loads((OPS / "monitoring" / "grafana-dashboard.json").read_text())
    used = set()
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            used |= {re.sub(r"_(bucket|sum|count)$", "", name) for name in re.findall(r"goosey_[a-z0-9_]+", target["expr"])}
    assert used and used <= declared, used - declared
    scrape = yaml.safe_load((OPS / "monitoring" / "prometheus.yml").read_text())
    assert {job["job_name"] for job in scrape["scrape_configs"]} == {"goosey-edge", "goosey-coordinator"}
