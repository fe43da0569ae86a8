"""The official Anthropic Python SDK through a running edge, against the mock upstream.

Each test checks what the client saw against what the mock sent, and the edge's usage and cost
against what the mock reported."""
import hashlib
import json
import urllib.error
import urllib.request

import anthropic
import pytest

from pricing import mock_usage_cost

MODEL = "claude-sonnet-4-6"


@pytest.fixture()
def client(stack):
    return anthropic.Anthropic(base_url=stack.edge_url, api_key=stack.student_key, max_retries=0)


def messages(text="Say hello."):
    return [{"role": "user", "content": text}]


def assert_edge_matches_mock(stack, request_id, model=MODEL):
    mock = stack.mock_record(request_id)
    edge = stack.edge_record(request_id)
    usage = mock["usage"]
    split = usage.get("cache_creation") or {}
    assert edge["usage"]["input"] == usage["input_tokens"]
    assert edge["usage"]["cache_read"] == (usage.get("cache_read_input_tokens") or 0)
    assert edge["usage"]["cache_write_5m"] == split.get("ephemeral_5m_input_tokens", 0)
    assert edge["usage"]["cache_write_1h"] == split.get("ephemeral_1h_input_tokens", 0)
    assert edge["usage"]["output"] == usage["output_tokens"]
    assert edge["costPicoUSD"] == mock_usage_cost(model, usage)
    assert edge["model"] == model
    return mock, edge


def test_streamed_bytes_reach_the_client_unchanged_and_usage_matches(stack, client):
    with client.messages.with_streaming_response.create(
            model=MODEL, max_tokens=1024, messages=messages(), stream=True) as response:
        received = b"".join(response.iter_bytes())
        request_id = response.headers["request-id"]
        assert response.headers["content-type"].startswith("text/event-stream")
    mock, edge = assert_edge_matches_mock(stack, request_id)
    assert hashlib.sha256(received).hexdigest() == mock["responseSHA256"]
    assert len(received) == mock["responseBytes"] == edge["responseBytes"]
    assert edge["estimated"] is False and edge["stopReason"] == "end_turn"


def test_sdk_stream_helper_sees_the_mocks_usage(stack, client):
    with client.messages.stream(model=MODEL, max_tokens=1024, messages=messages(),
                                extra_headers={"x-mock-scenario": "thinking"}) as stream:
        final = stream.get_final_message()
        request_id = stream.response.headers["request-id"]
    assert [block.type for block in final.content] == ["thinking", "text"]
    mock, _ = assert_edge_matches_mock(stack, request_id)
    assert final.usage.output_tokens == mock["usage"]["output_tokens"]
    assert final.usage.input_tokens == mock["usage"]["input_tokens"]


def test_cache_writes_are_priced_by_their_ttl(stack, client):
    system = [{"type": "text", "text": "You are a tutor. " * 200, "cache_control": {"type": "ephemeral", "ttl": "1h"}}]
    response = client.messages.with_raw_response.create(model=MODEL, max_tokens=256, system=system, messages=messages())
    message = response.parse()
    assert message.usage.cache_creation.ephemeral_1h_input_tokens > 0
    assert message.usage.cache_read_input_tokens > 0
    _, edge = assert_edge_matches_mock(stack, response.headers["request-id"])
    assert edge["usage"]["cache_write_5m"] == 0


def test_non_streaming_json_body_is_unchanged(stack, client):
    response = client.messages.with_raw_response.create(model=MODEL, max_tokens=256, messages=messages())
    raw = response.http_response.content
    mock, _ = assert_edge_matches_mock(stack, response.headers["request-id"])
    assert hashlib.sha256(raw).hexdigest() == mock["responseSHA256"]
    assert response.parse().usage.output_tokens == mock["usage"]["output_tokens"]


def test_tool_use_streams_through(stack, client):
    with client.messages.stream(model=MODEL, max_tokens=1024, messages=messages("[mock:tool_use] run it"),
                                tools=[{"name": "Bash", "description": "run", "input_schema": {"type": "object"}}]) as stream:
        final = stream.get_final_message()
        request_id = stream.response.headers["request-id"]
    tool = next(block for block in final.content if block.type == "tool_use")
    assert tool.name == "Bash" and tool.input == {"command": "echo goosey-roundtrip"}
    assert final.stop_reason == "tool_use"
    assert_edge_matches_mock(stack, request_id)


def test_count_tokens_passes_through(stack, client):
    response = client.messages.with_raw_response.count_tokens(model=MODEL, messages=messages("count me"))
    assert response.parse().input_tokens > 0
    assert response.headers["request-id"].startswith("req_")


def test_models_list_passes_through(client):
    models = client.models.list()
    assert any("claude" in model.id for model in models.data)


def test_request_body_and_headers_arrive_as_sent_with_the_real_key(stack):
    body = json.dumps({"model": MODEL, "max_tokens": 64, "messages": messages("exact bytes \u00e9"),
                       "metadata": {"user_id": "u"}}, ensure_ascii=False).encode()
    request = urllib.request.Request(stack.edge_url + "/v1/messages?beta=true", data=body, method="POST", headers={
        "content-type": "application/json", "anthropic-version": "2023-06-01",
        "anthropic-beta": "interleaved-thinking-2025-05-14,context-1m-2025-08-07",
        "authorization": f"Bearer {stack.student_key}", "accept-encoding": "gzip, br, zstd",
        "x-claude-code-session-id": "session-1", "x-custom-course-header": "kept"})
    with urllib.request.urlopen(request, timeout=10) as response:
        request_id = response.headers["request-id"]
        assert response.headers.get("content-encoding") is None
        json.load(response)
    mock = stack.mock_record(request_id)
    headers = mock["requestHeaders"]
    assert mock["requestBodySHA256"] == hashlib.sha256(body).hexdigest()
    assert headers["x-api-key"] == stack.upstream_key
    assert "authorization" not in headers
    assert headers["accept-encoding"] == "identity"
    assert headers["anthropic-beta"] == "interleaved-thinking-2025-05-14,context-1m-2025-08-07"
    assert headers["x-custom-course-header"] == "kept"
    assert headers["x-claude-code-session-id"] == "session-1"
    assert stack.edge_record(request_id)["claudeCodeSessionID"] == "session-1"


def test_unknown_key_is_refused_with_an_anthropic_shaped_401(stack):
    client = anthropic.Anthropic(base_url=stack.edge_url, api_key="goosey_not_a_key", max_retries=0)
    with pytest.raises(anthropic.AuthenticationError) as raised:
        client.messages.create(model=MODEL, max_tokens=16, messages=messages())
    assert raised.value.body["error"]["type"] == "authentication_error"
    assert raised.value.response.headers["request-id"].startswith("req_goosey_")


def test_personal_claude_login_is_refused_and_never_logged(stack):
    token = "sk-ant-oat01-" + "Q" * 80
    client = anthropic.Anthropic(base_url=stack.edge_url, auth_token=token, api_key=None, max_retries=0)
    with pytest.raises(anthropic.AuthenticationError) as raised:
        client.messages.create(model=MODEL, max_tokens=16, messages=messages())
    assert "ANTHROPIC_AUTH_TOKEN" in raised.value.body["error"]["message"]
    assert token not in stack.edge_log_text()
    assert token[:20] not in json.dumps(stack.edge_records())


def test_upstream_overload_and_rate_limit_answers_pass_through(stack, client):
    with pytest.raises(anthropic.InternalServerError) as overloaded:
        client.messages.create(model=MODEL, max_tokens=16, messages=messages(),
                               extra_headers={"x-mock-scenario": "overloaded"})
    assert overloaded.value.status_code == 529
    assert overloaded.value.body["error"]["type"] == "overloaded_error"
    with pytest.raises(anthropic.RateLimitError) as limited:
        client.messages.create(model=MODEL, max_tokens=16, messages=messages(),
                               extra_headers={"x-mock-scenario": "rate_limited"})
    assert limited.value.response.headers["retry-after"] == "7"
    assert limited.value.response.headers["request-id"].startswith("req_")
    assert not limited.value.response.headers["request-id"].startswith("req_goosey_")


def test_midstream_error_reaches_the_client_and_is_counted_as_estimated(stack, client):
    with pytest.raises(anthropic.APIStatusError) as raised:
        with client.messages.stream(model=MODEL, max_tokens=1024, messages=messages(),
                                    extra_headers={"x-mock-scenario": "error_midstream"}) as stream:
            request_id = stream.response.headers["request-id"]
            for _ in stream:
                pass
    assert "Overloaded" in str(raised.value)
    edge = stack.edge_record(request_id)
    assert edge["errorType"] == "overloaded_error"
    assert edge["estimated"] is True
    assert edge["usage"]["input"] == stack.mock_record(request_id)["usage"]["input_tokens"]


def raw_post(stack, path, body: bytes, headers=None):
    request = urllib.request.Request(stack.edge_url + path, data=body, method="POST", headers={
        "content-type": "application/json", "x-api-key": stack.student_key, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_body_that_is_not_json_gets_a_400(stack):
    status, body = raw_post(stack, "/v1/messages", b'{"model": "x", "messages": [}')
    assert status == 400
    assert body["type"] == "error" and body["error"]["type"] == "invalid_request_error"


def test_body_over_32_mb_gets_a_413(stack):
    status, body = raw_post(stack, "/v1/messages", b" " * (32 * 1024 * 1024 + 1))
    assert status == 413 and body["error"]["type"] == "request_too_large"


def test_unknown_path_gets_an_anthropic_shaped_404(stack):
    status, body = raw_post(stack, "/v1/complete", b"{}")
    assert status == 404 and body["error"]["type"] == "not_found_error"
    assert body["request_id"].startswith("req_goosey_")


def test_an_absolute_form_target_cannot_redirect_the_real_key(stack):
    """`POST http://elsewhere/v1/messages` must still go to the configured upstream, never `elsewhere`."""
    import socket
    body = json.dumps({"model": MODEL, "max_tokens": 16, "messages": messages()}).encode()
    head = (f"POST http://attacker.invalid:9/v1/messages HTTP/1.1\r\nHost: attacker.invalid\r\n"
            f"x-api-key: {stack.student_key}\r\nanthropic-version: 2023-06-01\r\n"
            f"content-type: application/json\r\ncontent-length: {len(body)}\r\nconnection: close\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", stack.edge_port), timeout=10) as connection:
        connection.sendall(head + body)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    assert b" 200 " in status_line, status_line
    request_id = next(line.split(b": ", 1)[1].decode() for line in rest.split(b"\r\n") if line.lower().startswith(b"request-id:"))
    assert stack.mock_record(request_id)["path"] == "/v1/messages"
