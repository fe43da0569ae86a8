"""Hostile and broken input at the edge (issue 9): bodies that are not JSON, nested without end, not UTF-8
or 100 MB; ten thousand headers, CR/LF in a header, conflicting Content-Length and Transfer-Encoding,
slowloris connections and one key's runaway loop. Each gets a clear 4xx or a closed connection, and the
edge goes on serving everyone else."""
import json
import socket
import threading
import time

import anthropic
import pytest

from conftest import Stack, seed, wait_until
from test_claude_code import MODEL

IDLE_SECONDS = 2


@pytest.fixture(scope="module")
def edge(tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("hostile"), edge_env={
        "HTTP_IDLE_TIMEOUT_SECONDS": str(IDLE_SECONDS), "LIMITS_PER_KEY_CONCURRENCY": "2", "LIMITS_PER_KEY_REQUESTS_PER_MINUTE": "60"})
    stack.start()
    yield stack
    stack.stop()


def fresh_key(stack, name):
    return seed(stack.course, name, "100M", redis_url=stack.redis_url)


def send(stack, raw: bytes, timeout=30):
    """Sends raw bytes on a new connection; returns everything the edge answered before closing or going quiet."""
    with socket.create_connection(("127.0.0.1", stack.edge_port), timeout=timeout) as connection:
        connection.sendall(raw)
        received = b""
        try:
            while chunk := connection.recv(65536):
                received += chunk
                if b"\r\n\r\n" in received and _complete(received):
                    break
        except (socket.timeout, ConnectionResetError):
            pass
        return received


def _complete(received: bytes) -> bool:
    head, _, body = received.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0


def post(key: str, body: bytes, extra: bytes = b"") -> bytes:
    return (b"POST /v1/messages HTTP/1.1\r\nHost: edge\r\nx-api-key: " + key.encode() + b"\r\nanthropic-version: 2023-06-01\r\n"
            b"content-type: application/json\r\ncontent-length: " + str(len(body)).encode() + b"\r\n" + extra + b"\r\n" + body)


def still_serves(stack):
    client = anthropic.Anthropic(base_url=stack.edge_url, api_key=fresh_key(stack, "bystander"), max_retries=0)
    reply = client.messages.create(model=MODEL, max_tokens=16, messages=[{"role": "user", "content": "still there?"}])
    assert reply.content[0].text


def error_type(answer: bytes) -> str:
    return json.loads(answer.partition(b"\r\n\r\n")[2])["error"]["type"]


def test_bodies_that_are_not_json_get_anthropic_shaped_400s(edge):
    key = fresh_key(edge, "broken-bodies")
    for body in [b'{"model": "claude", "messages": [', b"\xff\xfe not utf-8 \xc3\x28", b'{"model": "' + b"\xc3\x28" + b'"}',
                 b"[" * 200_000 + b"]" * 200_000, b'{"a":' * 100_000 + b"1" + b"}" * 100_000]:
        answer = send(edge, post(key, body))
        assert status_of(answer) == 400 and error_type(answer) == "invalid_request_error", answer[:300]
    still_serves(edge)


def test_a_100_mb_body_is_refused_with_413(edge):
    key = fresh_key(edge, "huge-body")
    body = b'{"model":"' + MODEL.encode() + b'","max_tokens":16,"messages":[{"role":"user","content":"' + b"x" * (100 << 20) + b'"}]}'
    answer = send(edge, post(key, body), timeout=120)
    assert status_of(answer) == 413 and error_type(answer) == "request_too_large", answer[:300]
    still_serves(edge)


def test_malformed_heads_get_a_4xx_or_a_closed_connection(edge):
    key = fresh_key(edge, "bad-heads")
    body = json.dumps({"model": MODEL, "max_tokens": 16, "messages": [{"role": "user", "content": "hi"}]}).encode()
    many = b"".join(b"x-filler-%d: %d\r\n" % (n, n) for n in range(10_000))
    crlf = b"x-evil: one\rtwo\r\n"
    smuggled = (b"POST /v1/messages HTTP/1.1\r\nHost: edge\r\nx-api-key: " + key.encode() + b"\r\ncontent-type: application/json\r\n"
                b"content-length: 6\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\nGET /v1/models HTTP/1.1\r\nHost: edge\r\n\r\n")
    for raw in [post(key, body, many), post(key, body, crlf), smuggled, b"GARBAGE\r\n\r\n", b"POST /v1/messages HTTP/9.9\r\n\r\n"]:
        answer = send(edge, raw, timeout=15)
        assert answer == b"" or 400 <= status_of(answer) < 500, answer[:300]
        assert answer.count(b"HTTP/1.1 ") <= 1, "a smuggled second request was answered"
    still_serves(edge)


def test_slowloris_connections_are_closed_and_nobody_else_waits(edge):
    slow = []
    for _ in range(200):
        connection = socket.create_connection(("127.0.0.1", edge.edge_port), timeout=10)
        connection.sendall(b"POST /v1/messages HTTP/1.1\r\nHost: edge\r\nx-api-")
        slow.append(connection)
    started = time.monotonic()
    still_serves(edge)
    assert time.monotonic() - started < 5, "a normal request waited behind the slow connections"

    def closed_by_edge(connection):
        try:
            return connection.recv(1) == b""
        except ConnectionResetError:
            return True
    for connection in slow:
        connection.settimeout(IDLE_SECONDS * 5)
        assert closed_by_edge(connection), "a connection that sent half a head stayed open past the idle timeout"
        connection.close()


def test_one_keys_runaway_loop_is_limited_and_others_are_not(edge):
    key = fresh_key(edge, "runaway")
    client = anthropic.Anthropic(base_url=edge.edge_url, api_key=key, max_retries=0)
    streams, opened = [], threading.Barrier(3)

    def slow_stream():
        with client.messages.stream(model=MODEL, max_tokens=64, messages=[{"role": "user", "content": "slowly"}],
                                    extra_headers={"x-mock-scenario": "slow", "x-mock-delay-ms": "400"}) as stream:
            opened.wait(timeout=30)
            streams.append("".join(stream.text_stream))
    holders = [threading.Thread(target=slow_stream) for _ in range(2)]
    for holder in holders:
        holder.start()
    opened.wait(timeout=30)
    with pytest.raises(anthropic.RateLimitError) as refused:
        client.messages.create(model=MODEL, max_tokens=16, messages=[{"role": "user", "content": "a third at once"}])
    assert refused.value.response.headers["retry-after"] == "1"
    assert "2 requests in progress" in refused.value.message
    still_serves(edge)
    for holder in holders:
        holder.join(timeout=60)
    assert len(streams) == 2 and all(streams), "the streams in flight were not cut"

    loop = anthropic.Anthropic(base_url=edge.edge_url, api_key=fresh_key(edge, "fast-loop"), max_retries=0)
    answers = []
    with pytest.raises(anthropic.RateLimitError) as too_fast:
        for _ in range(50):
            answers.append(loop.messages.create(model=MODEL, max_tokens=8, messages=[{"role": "user", "content": "again"}]))
    assert 5 <= len(answers) <= 12, "the burst is a tenth of a minute's allowance (6 of 60), plus what refilled meanwhile"
    assert "60 a minute" in too_fast.value.message
    still_serves(edge)


def test_a_model_id_cannot_walk_to_other_endpoints_of_the_account(edge):
    key = fresh_key(edge, "walker")

    def get(path):
        return send(edge, b"GET " + path.encode() + b" HTTP/1.1\r\nHost: edge\r\nanthropic-version: 2023-06-01\r\nx-api-key: " + key.encode() + b"\r\n\r\n", timeout=15)
    for path in ["/v1/models/..%2F..%2Fv1%2Ffiles", "/v1/models/%2e%2e", "/v1/models/..", "/v1/models/.hidden"]:
        answer = get(path)
        assert status_of(answer) == 404 and error_type(answer) == "not_found_error", (path, answer[:300])
    assert status_of(get("/v1/models/claude-sonnet-4-6")) == 200


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def test_a_slow_reader_gets_its_whole_stream_and_nobody_waits_for_it(edge):
    """A client that reads a trickle through a 4 KiB receive buffer gets every event, the edge's memory stays
    flat meanwhile, and everyone else is served."""
    key = fresh_key(edge, "slow-reader")
    body = json.dumps({"model": MODEL, "max_tokens": 4096, "stream": True, "messages": [{"role": "user", "content": "a long one"}]}).encode()
    connection = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    connection.connect(("127.0.0.1", edge.edge_port))
    connection.settimeout(30)
    connection.sendall(post(key, body, b"x-mock-deltas: 5000\r\n"))
    edge_pid = edge.processes["edge"].pid
    before = rss_kib(edge_pid)
    received = b""
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        received += connection.recv(64)
        time.sleep(0.02)
    still_serves(edge)
    grown = rss_kib(edge_pid) - before
    assert grown < 32 * 1024, f"the edge grew by {grown} KiB while the client read slowly"
    while b"event: message_stop" not in received[-200:]:
        chunk = connection.recv(65536)
        assert chunk, "the stream was cut"
        received += chunk
    connection.close()
    assert b'"output_tokens":5000' in received and len(received) > 400_000
