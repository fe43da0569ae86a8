"""ops/up, ops/scale, ops/status and ops/down (issue 8): a whole cluster on this machine, scaled from 3 to
6 edges and down to 2 while Claude Code-shaped streams run through HAProxy: no request lost, no stream cut,
every record in Postgres."""
import http.client
import json
import os
import shutil
import subprocess
import tempfile
import threading
import uuid
from pathlib import Path

import pytest

from conftest import BIN_DIR, ROOT, wait_until

PORT = 18980
PORTS = 19000  # the cluster's internal ports start here


@pytest.fixture
def cluster():
    data = Path(tempfile.mkdtemp(prefix="goosey-ops-"))
    os.chmod(data, 0o711)  # PostgreSQL runs as its own user below it
    env = {k: v for k, v in os.environ.items() if k != "ANTHROPIC_API_KEY"}
    env.update(GOOSEY_BIN_DIR=str(BIN_DIR), GOOSEY_CLUSTER_DATA=str(data), GOOSEY_PORT=str(PORT), GOOSEY_CLUSTER_PORTS=str(PORTS))
    # One key stands in for a whole class here, so the edges' per-key limits are off.
    env.update(LIMITS_PER_KEY_CONCURRENCY="0", LIMITS_PER_KEY_REQUESTS_PER_MINUTE="0")

    def ops(script, *args, timeout=600):
        result = subprocess.run([str(ROOT / "ops" / script), *args], env=env, capture_output=True, text=True, timeout=timeout)
        assert result.returncode == 0, f"ops/{script} failed:\n{result.stdout}\n{result.stderr}"
        return result

    try:
        up = ops("up", "--edges", "3")
        assert "mock Anthropic upstream" in up.stderr and "ANTHROPIC_API_KEY=goosey_" in up.stderr and "GOOSEY_TOKEN=gooseyadmin_" in up.stderr
        pids = [line.split()[1] for line in ops("status").stdout.splitlines()[1:] if line.startswith(("edge-", "coordinator"))]
        again = ops("up", "--edges", "3")
        assert [line.split()[1] for line in ops("status").stdout.splitlines()[1:] if line.startswith(("edge-", "coordinator"))] == pids, \
            "a second ops/up starts nothing new"
        assert (data / "student.key").read_text().strip() in again.stderr
        yield ops, data
    finally:
        subprocess.run([str(ROOT / "ops" / "down")], env=env, capture_output=True, text=True, timeout=300)
        shutil.rmtree(data, ignore_errors=True)


class Load:
    """Clients that each run one streamed request after another through HAProxy until told to stop."""

    def __init__(self, key, clients=6):
        self.key, self.stop, self.lock = key, threading.Event(), threading.Lock()
        self.ok, self.failures = 0, []
        self.threads = [threading.Thread(target=self.client, daemon=True) for _ in range(clients)]

    def client(self):
        session = str(uuid.uuid4())
        while not self.stop.is_set():
            try:
                connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
                body = {"model": "claude-sonnet-4-6", "max_tokens": 256, "stream": True,
                        "messages": [{"role": "user", "content": "Tell me about Redis."}]}
                connection.request("POST", "/v1/messages?beta=true", body=json.dumps(body), headers={
                    "x-api-key": self.key, "anthropic-version": "2023-06-01", "content-type": "application/json",
                    "x-claude-code-session-id": session, "x-mock-deltas": "12", "x-mock-delay-ms": "120"})
                response = connection.getresponse()
                text = response.read().decode()
                connection.close()
                with self.lock:
                    if response.status == 200 and "event: message_stop" in text:
                        self.ok += 1
                    else:
                        self.failures.append(f"{response.status}: {text[-200:]}")
            except Exception as error:  # a cut stream or a refused connection is exactly what must not happen
                with self.lock:
                    self.failures.append(repr(error))

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=120)


def test_scaling_up_and_down_under_load_loses_nothing(cluster):
    ops, data = cluster
    key = (data / "student.key").read_text().strip()
    with Load(key) as load:
        wait_until(lambda: load.ok >= 6, timeout=60, what="traffic through three edges")
        ops("scale", "--edges", "6")
        started = load.ok
        wait_until(lambda: load.ok >= started + 12, timeout=90, what="traffic through six edges")
        ops("scale", "--edges", "2")
        drained = load.ok
        wait_until(lambda: load.ok >= drained + 6, timeout=90, what="traffic through two edges")
    assert load.failures == [], load.failures[:5]
    status = ops("status").stdout
    assert status.count("edge-") == 2 and "DOWN" not in status
    metrics = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
    metrics.request("GET", "/metrics")
    assert metrics.getresponse().status == 404, "students cannot read the edges' metrics: Prometheus scrapes each edge itself"
    postgres_url = f"postgres://goosey@127.0.0.1:{PORTS + 4}/goosey_test"

    def stored():
        result = subprocess.run(["psql", postgres_url, "-At", "-c",
                                 "SELECT count(*) FROM requests WHERE course_id = 'DEMO-COURSE' AND status = 200"],
                                capture_output=True, text=True, timeout=30)
        return int(result.stdout.strip() or 0) if result.returncode == 0 else -1
    wait_until(lambda: stored() >= load.ok, timeout=60, what="every request's record in Postgres, the drained edges' too")
    assert stored() == load.ok + 0, "nothing stored twice"

