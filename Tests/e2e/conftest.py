"""A running stack for end-to-end tests: the mock Anthropic upstream and one edge in front of it.

The binaries come from the debug build (`swift build`), or from GOOSEY_BIN_DIR.
"""
import json
import os
import secrets
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN_DIR = Path(os.environ.get("GOOSEY_BIN_DIR", ROOT / ".build" / "debug"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, timeout=15.0, interval=0.05, what="condition"):
    """Polls `condition` until it returns a truthy value, or fails the test after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


REDIS_URL = os.environ.get("GOOSEY_TEST_REDIS_URL", "redis://127.0.0.1:16379")


def seed(course, student, limit="500k", *extra):
    """Provisions a course policy and a key for `student` in Redis; returns the key."""
    result = subprocess.run(
        [str(BIN_DIR / "goosey"), "seed", "--redis", REDIS_URL, "--course", course, "--student", student,
         "--limit", limit, *extra], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


class Stack:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.upstream_key = "sk-ant-api03-" + secrets.token_urlsafe(70)[:93] + "AA"
        self.course = "E2E-" + secrets.token_hex(4)
        self.student_key = seed(self.course, "student-1", "100M")
        self.mock_port = free_port()
        self.edge_port = free_port()
        self.mock_url = f"http://127.0.0.1:{self.mock_port}"
        self.edge_url = f"http://127.0.0.1:{self.edge_port}"
        self.records_path = tmp / "records.jsonl"
        self.processes = []

    def start(self):
        self.mock_log = open(self.tmp / "mock.log", "w")
        self.processes.append(subprocess.Popen(
            [str(BIN_DIR / "goosey-mock"), "--port", str(self.mock_port)],
            env={**os.environ, "MOCK_API_KEY": self.upstream_key},
            stdout=self.mock_log, stderr=subprocess.STDOUT))
        wait_until(lambda: self._mock_up(), what="the mock upstream")
        config = self.tmp / "goosey.toml"
        config.write_text(
            "[http]\n"
            f"port = {self.edge_port}\n"
            "[upstream]\n"
            f'url = "{self.mock_url}"\n'
            "[redis]\n"
            f'url = "{REDIS_URL}"\n'
            "[records]\n"
            f'path = "{self.records_path}"\n'
            "[log]\n"
            'level = "info"\n')
        self.edge_log_path = self.tmp / "edge.log"
        self.edge_log = open(self.edge_log_path, "w")
        env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
        env["ANTHROPIC_API_KEY"] = self.upstream_key
        self.processes.append(subprocess.Popen(
            [str(BIN_DIR / "goosey-edge"), "--config", str(config)],
            env=env, stdout=self.edge_log, stderr=subprocess.STDOUT))
        wait_until(lambda: http_ok(self.edge_url + "/healthz"), what="the edge")

    def _mock_up(self) -> bool:
        try:
            request = urllib.request.Request(self.mock_url + "/api/hello", method="HEAD")
            with urllib.request.urlopen(request, timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    def stop(self):
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()

    def mock_record(self, request_id: str) -> dict:
        with urllib.request.urlopen(f"{self.mock_url}/mock/requests/{request_id}", timeout=5) as response:
            return json.load(response)

    def edge_records(self) -> list:
        if not self.records_path.exists():
            return []
        return [json.loads(line) for line in self.records_path.read_text().splitlines() if line.strip()]

    def edge_record(self, upstream_request_id: str) -> dict:
        """The edge's record of the request the mock knows as `upstream_request_id` (waits for it)."""
        def find():
            return next((r for r in self.edge_records() if r.get("upstreamRequestID") == upstream_request_id), None)
        return wait_until(find, what=f"the edge's record of {upstream_request_id}")

    def edge_log_text(self) -> str:
        self.edge_log.flush()
        return self.edge_log_path.read_text()


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("stack"))
    stack.start()
    yield stack
    stack.stop()
