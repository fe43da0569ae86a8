"""The benchmarks' floor proxy (`goosey-floor-proxy`) does the same job as nginx and the edge, in both of its modes:
it relays the mock's answers unchanged over kept-alive connections, and cancels an answer whose client has left.
bench-edge's floor figures are only worth something for a proxy that does no less."""
import hashlib
import http.client
import json
import secrets
import subprocess
import urllib.error
import urllib.request

import pytest

from conftest import BIN_DIR, free_port, wait_until, http_ok


@pytest.fixture(scope="module")
def mock(tmp_path_factory):
    key = "sk-ant-api03-floor-" + secrets.token_hex(16)
    port = free_port()
    with open(tmp_path_factory.mktemp("floor") / "mock.log", "w") as log:
        process = subprocess.Popen([str(BIN_DIR / "goosey-mock"), "--port", str(port)], env={"MOCK_API_KEY": key},
                                   stdout=log, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until(lambda: process.poll() is not None or http_ok(url + "/mock/requests"), what="the mock")
            assert process.poll() is None, "the mock exited"
            yield port, key
        finally:
            process.terminate()
            process.wait(timeout=10)


@pytest.fixture(params=["tcp", "http"])
def floor(request, mock):
    """A floor proxy in front of the mock: (mode, its port, the mock's port, the key a client sends)."""
    mode = request.param
    mock_port, upstream_key = mock
    port = free_port()
    process = subprocess.Popen(
        [str(BIN_DIR / "goosey-floor-proxy"), "--mode", mode, "--port", str(port), "--upstream-port", str(mock_port)],
        env={"ANTHROPIC_API_KEY": upstream_key}, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: process.poll() is not None or http_ok(f"http://127.0.0.1:{port}/mock/requests"),
                   what="the floor proxy")
        assert process.poll() is None, "the floor proxy exited"
        # tcp relays the client's key as it is; http puts the upstream key in its place, as the edge does.
        yield mode, port, mock_port, (upstream_key if mode == "tcp" else "not-the-upstream-key")
    finally:
        process.terminate()
        process.wait(timeout=10)


def mock_record(mock_port, request_id):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{mock_port}/mock/requests/{request_id}", timeout=5) as answer:
            return json.load(answer)
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None  # not stored until its stream has ended
        raise


def stream_request(key, deltas, delay_ms=0):
    body = json.dumps({"model": "claude-sonnet-4-5", "max_tokens": 64, "stream": True,
                       "messages": [{"role": "user", "content": "hello " + "x" * 40_000}]}).encode()
    headers = {"x-api-key": key, "anthropic-version": "2023-06-01", "content-type": "application/json",
               "x-mock-deltas": str(deltas), "x-mock-delay-ms": str(delay_ms)}
    return body, headers


def test_floor_proxy_relays_streams_unchanged_on_one_kept_alive_connection(floor):
    mode, port, mock_port, key = floor
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    client_ports = set()
    try:
        for _ in range(3):
            body, headers = stream_request(key, deltas=12)
            connection.request("POST", "/v1/messages", body=body, headers=headers)
            response = connection.getresponse()
            assert response.status == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            received = response.read()
            record = mock_record(mock_port, response.headers["request-id"])
            assert record["complete"]
            assert record["requestBodySHA256"] == hashlib.sha256(body).hexdigest()
            assert record["responseSHA256"] == hashlib.sha256(received).hexdigest()
            assert b"event: message_stop" in received
            client_ports.add(record["clientPort"])
    finally:
        connection.close()
    assert len(client_ports) == 1, f"one client connection, one upstream connection: {client_ports}"


def test_floor_proxy_cancels_the_answer_of_a_client_that_left(floor):
    mode, port, mock_port, key = floor
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    body, headers = stream_request(key, deltas=100, delay_ms=50)  # ~5 s, were it read to the end
    connection.request("POST", "/v1/messages", body=body, headers=headers)
    response = connection.getresponse()
    request_id = response.headers["request-id"]
    assert response.read(20)
    connection.sock.close()
    connection.close()
    def cut_off():
        record = mock_record(mock_port, request_id)  # stored as the stream starts, stored again as it ends
        return record if record and (record["clientDisconnected"] or record["complete"]) else None
    record = wait_until(cut_off, timeout=4, what="the mock's answer to end")
    assert record["clientDisconnected"] and not record["complete"]
