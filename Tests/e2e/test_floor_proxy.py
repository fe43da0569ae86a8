"""The benchmarks' floor proxy (`goosey-floor-proxy`) relays the mock's answers unchanged, in both of its modes:
bench-edge's floor figures are only worth something for a proxy that does the same job as nginx and the edge."""
import hashlib
import json
import secrets
import subprocess
import urllib.request

import pytest

from conftest import BIN_DIR, free_port, wait_until, http_ok


@pytest.fixture(scope="module")
def mock(tmp_path_factory):
    key = "sk-ant-api03-floor-" + secrets.token_hex(16)
    port = free_port()
    log = open(tmp_path_factory.mktemp("floor") / "mock.log", "w")
    process = subprocess.Popen([str(BIN_DIR / "goosey-mock"), "--port", str(port)], env={"MOCK_API_KEY": key},
                               stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_until(lambda: process.poll() is not None or http_ok(url + "/mock/requests"), what="the mock")
    assert process.poll() is None, "the mock exited"
    yield port, key
    process.terminate()
    process.wait(timeout=10)


def floor_proxy(mode, upstream_port, upstream_key):
    port = free_port()
    process = subprocess.Popen(
        [str(BIN_DIR / "goosey-floor-proxy"), "--mode", mode, "--port", str(port), "--upstream-port", str(upstream_port)],
        env={"ANTHROPIC_API_KEY": upstream_key}, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    wait_until(lambda: process.poll() is not None or http_ok(f"http://127.0.0.1:{port}/mock/requests"), what="the floor proxy")
    assert process.poll() is None, "the floor proxy exited"
    return process, port


@pytest.mark.parametrize("mode", ["tcp", "http"])
def test_floor_proxy_relays_streams_unchanged(mock, mode):
    mock_port, upstream_key = mock
    process, port = floor_proxy(mode, mock_port, upstream_key)
    try:
        # tcp relays the client's key as it is; http puts the upstream key in its place, as the edge does.
        client_key = upstream_key if mode == "tcp" else "not-the-upstream-key"
        body = json.dumps({"model": "claude-sonnet-4-5", "max_tokens": 64, "stream": True,
                           "messages": [{"role": "user", "content": "hello " + "x" * 40_000}]}).encode()
        for _ in range(3):  # one kept-alive connection per request here, several requests per upstream connection there
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/v1/messages", data=body, method="POST",
                headers={"x-api-key": client_key, "anthropic-version": "2023-06-01", "content-type": "application/json",
                         "x-mock-deltas": "12"})
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.status == 200
                assert response.headers["content-type"].startswith("text/event-stream")
                received = response.read()
                request_id = response.headers["request-id"]
            with urllib.request.urlopen(f"http://127.0.0.1:{mock_port}/mock/requests/{request_id}", timeout=5) as answer:
                record = json.load(answer)
            assert record["complete"]
            assert record["requestBodySHA256"] == hashlib.sha256(body).hexdigest()
            assert record["responseSHA256"] == hashlib.sha256(received).hexdigest()
            assert b"event: message_stop" in received
    finally:
        process.terminate()
        process.wait(timeout=10)
