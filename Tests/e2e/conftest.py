"""A running stack for end-to-end tests: the mock Anthropic upstream, one edge in front of it and, when
asked for, a coordinator the edge ships its request records to.

The binaries come from the debug build (`swift build`), or from GOOSEY_BIN_DIR.
"""
import json
import os
import secrets
import socket
import subprocess
import time
import urllib.parse
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
POSTGRES_URL = os.environ.get("GOOSEY_TEST_POSTGRES_URL", "postgres://goosey@127.0.0.1:15432/goosey_test")


def postgres_service(action: str):
    """Stops or starts the tests' PostgreSQL (ops/lib/services.sh, the folder ops/test uses)."""
    env = {**os.environ, "GOOSEY_DATA": os.environ.get("GOOSEY_DATA", str(ROOT / ".data" / "test"))}
    result = subprocess.run(["bash", "-c", f'source ops/lib/services.sh && goosey_postgres_{action} "$GOOSEY_DATA"'],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def postgres(sql: str, *parameters) -> list:
    """Rows of one query against the test database, as lists of text (psql's unaligned output)."""
    variables = [arg for index, value in enumerate(parameters) for arg in ("-v", f"p{index + 1}={value}")]
    # Through stdin, not -c: only then does psql put the :'p1' variables in, quoted.
    result = subprocess.run(["psql", POSTGRES_URL, "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", *variables],
                            input=sql + ";\n", capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return [line.split("\t") for line in result.stdout.splitlines()]


def seed(course, student, limit="500k", *extra, redis_url=REDIS_URL):
    """Provisions a course policy and a key for `student` in Redis; returns the key."""
    result = subprocess.run(
        [str(BIN_DIR / "goosey"), "seed", "--redis", redis_url, "--course", course, "--student", student,
         "--limit", limit, *extra], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


class WebhookReceiver:
    """A staff webhook on a loopback port: keeps every JSON body posted to it and answers 200."""

    def __init__(self):
        import http.server
        import threading
        bodies = self.bodies = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                bodies.append(self.rfile.read(int(self.headers["content-length"])).decode())
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def goosey(*args, timeout=60, redis_url=REDIS_URL):
    """Runs the `goosey` staff command against the tests' Postgres and Redis; returns its result."""
    env = {**os.environ, "POSTGRES_URL": POSTGRES_URL, "REDIS_URL": redis_url}
    return subprocess.run([str(BIN_DIR / "goosey"), *args], env=env, capture_output=True, text=True, timeout=timeout)


# Every upstream key any stack of this run handed its edge, and every log of the run's edges and coordinators:
# at the end, none of those keys may be in any of those logs or anywhere in Postgres.
UPSTREAM_KEYS: list = []
LOGS: list = []


@pytest.fixture(scope="session", autouse=True)
def upstream_keys_never_leave_the_edge():
    yield
    if not UPSTREAM_KEYS:
        return
    for log in LOGS:
        if log.exists():
            text = log.read_text(errors="replace")
            assert not any(key in text for key in UPSTREAM_KEYS), f"an upstream key is in {log}"
    dump = subprocess.run(["pg_dump", "--data-only", POSTGRES_URL], capture_output=True, text=True, timeout=600)
    assert dump.returncode == 0, dump.stderr
    # Bodies are stored as bytea, which pg_dump writes in hex.
    assert not any(key in dump.stdout or key.encode().hex() in dump.stdout for key in UPSTREAM_KEYS), \
        "an upstream key is stored in Postgres"


class Stack:
    def __init__(self, tmp: Path, coordinator: bool = False, webhook: str = None, redis_url: str = REDIS_URL,
                 leader: bool = False, edge_config: str = "", edge_env: dict = None):
        """`leader`: the coordinator also gets the edges' Redis, so it leads (reconciles, rebuilds Redis)."""
        self.tmp = tmp
        self.redis_url = redis_url
        self.leader = leader
        self.edge_config = edge_config
        self.edge_env = edge_env or {}
        self.upstream_key = "sk-ant-api03-" + secrets.token_urlsafe(70)[:93] + "AA"
        UPSTREAM_KEYS.append(self.upstream_key)
        LOGS.extend([tmp / "edge.log", tmp / "coordinator.log"])
        self.course = "E2E-" + secrets.token_hex(4)
        self.student_key = seed(self.course, "student-1", "100M", redis_url=redis_url)
        self.mock_port = free_port()
        self.edge_port = free_port()
        self.mock_url = f"http://127.0.0.1:{self.mock_port}"
        self.edge_url = f"http://127.0.0.1:{self.edge_port}"
        self.spool_path = tmp / "spool"
        self.with_coordinator = coordinator
        self.coordinator_port = free_port()
        self.coordinator_url = f"http://127.0.0.1:{self.coordinator_port}"
        self.ingest_token = secrets.token_hex(24)
        self.webhook = webhook
        self.processes = {}

    def start(self):
        self.mock_log = open(self.tmp / "mock.log", "w")
        self.processes["mock"] = subprocess.Popen(
            [str(BIN_DIR / "goosey-mock"), "--port", str(self.mock_port)],
            env={**os.environ, "MOCK_API_KEY": self.upstream_key},
            stdout=self.mock_log, stderr=subprocess.STDOUT)
        wait_until(lambda: self._mock_up(), what="the mock upstream")
        if self.with_coordinator:
            self.start_coordinator()
        self.edge_log_path = self.tmp / "edge.log"
        self.edge_log = open(self.edge_log_path, "a")
        self.start_edge()

    def start_edge(self):
        config = self.tmp / "goosey.toml"
        shipping = ("[coordinator]\n" f'url = "{self.coordinator_url}"\n') if self.with_coordinator else ""
        config.write_text(
            "[http]\n"
            f"port = {self.edge_port}\n"
            "[upstream]\n"
            f'url = "{self.mock_url}"\n'
            "[redis]\n"
            f'url = "{self.redis_url}"\n'
            "[spool]\n"
            f'path = "{self.spool_path}"\n'
            + shipping + self.edge_config +
            "[log]\n"
            'level = "info"\n')
        env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
        env["ANTHROPIC_API_KEY"] = self.upstream_key
        env["COORDINATOR_INGEST_TOKEN"] = self.ingest_token
        env.update(self.edge_env)
        self.processes["edge"] = subprocess.Popen(
            [str(BIN_DIR / "goosey-edge"), "--config", str(config)],
            env=env, stdout=self.edge_log, stderr=subprocess.STDOUT)
        wait_until(lambda: http_ok(self.edge_url + "/healthz"), what="the edge")

    def kill_edge(self):
        """SIGKILL: no graceful shutdown, whatever was in flight is cut."""
        self.processes["edge"].kill()
        self.processes["edge"].wait(timeout=10)

    def start_coordinator(self):
        config = self.tmp / "coordinator.toml"
        config.write_text("[coordinator]\n" f"port = {self.coordinator_port}\n")
        env = {**os.environ, "POSTGRES_URL": POSTGRES_URL, "INGEST_TOKEN": self.ingest_token}
        if self.webhook:
            env["ALERTS_WEBHOOK_URL"] = self.webhook
        if self.leader:
            env["REDIS_URL"] = self.redis_url
        log = open(self.tmp / "coordinator.log", "a")
        self.processes["coordinator"] = subprocess.Popen(
            [str(BIN_DIR / "goosey"), "serve", "--config", str(config)], env=env, stdout=log, stderr=subprocess.STDOUT)
        wait_until(lambda: http_ok(self.coordinator_url + "/healthz"), what="the coordinator")

    def stop_coordinator(self):
        self.processes["coordinator"].terminate()
        self.processes["coordinator"].wait(timeout=10)

    def _mock_up(self) -> bool:
        try:
            request = urllib.request.Request(self.mock_url + "/api/hello", method="HEAD")
            with urllib.request.urlopen(request, timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    def stop(self):
        for process in reversed(list(self.processes.values())):
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()

    def mock_record(self, request_id: str) -> dict:
        with urllib.request.urlopen(f"{self.mock_url}/mock/requests/{request_id}", timeout=5) as response:
            return json.load(response)

    def edge_records(self) -> list:
        """The records still in the edge's spool (all of them, when no coordinator takes them)."""
        if not self.spool_path.exists():
            return []
        records = []
        for segment in sorted(self.spool_path.iterdir()):
            for line in segment.read_text().splitlines():
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError:
                    pass  # a line the edge is still writing
        return records

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


@pytest.fixture
def coordinated_stack(tmp_path):
    """A stack of its own whose edge ships to a coordinator, for tests that stop and kill its parts."""
    stack = Stack(tmp_path, coordinator=True)
    stack.start()
    yield stack
    stack.stop()


def redis_cli(database, *args):
    """A command against one database of the tests' Redis; its output."""
    url = urllib.parse.urlparse(REDIS_URL)
    result = subprocess.run(["redis-cli", "-h", url.hostname, "-p", str(url.port), "-n", str(database), *args],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def staff_env(stack, role="staff"):
    """The environment of a staff member of the stack's course: the coordinator's address and a token."""
    created = goosey("admin-token", "create", "--name", "e2e-" + role, "--role", role,
                     *(["--course", stack.course] if role == "staff" else []))
    assert created.returncode == 0, created.stderr
    return {**os.environ, "GOOSEY_URL": stack.coordinator_url, "GOOSEY_TOKEN": created.stdout.strip(),
            "GOOSEY_COURSE": stack.course, "GOOSEY_EDGE_URL": stack.edge_url}


@pytest.fixture
def alerting_stack(tmp_path):
    """A coordinated stack (its own Redis database; the coordinator leads) whose coordinator posts leak
    alerts to a webhook receiver (`stack.receiver`); `stack.staff` is a staff environment for its course."""
    redis_cli(7, "FLUSHDB")
    receiver = WebhookReceiver()
    stack = Stack(tmp_path, coordinator=True, webhook=receiver.url, redis_url=REDIS_URL.rstrip("/") + "/7", leader=True)
    stack.receiver = receiver
    stack.start()
    stack.staff = staff_env(stack)
    yield stack
    stack.stop()
    receiver.close()
    redis_cli(7, "FLUSHDB")
