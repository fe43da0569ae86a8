"""Request records from an edge to the coordinator's Postgres: every record exactly once, whatever
stops or dies on the way (issue 4), and a Claude Code session stored with the totals Claude Code reports."""
import hashlib
import json
import urllib.request

import anthropic

from conftest import postgres, postgres_service, wait_until
from pricing import mock_usage_cost
from test_claude_code import MODEL, run_claude


def send(stack, count):
    """`count` non-streaming requests; returns the upstream request ids the mock gave them."""
    client = anthropic.Anthropic(base_url=stack.edge_url, api_key=stack.student_key, max_retries=0)
    ids = []
    for index in range(count):
        response = client.messages.with_raw_response.create(
            model=MODEL, max_tokens=64, messages=[{"role": "user", "content": f"Hello number {index}."}])
        ids.append(response.headers["request-id"])
    return ids


def stored(upstream_ids):
    """How many rows `requests` holds for these upstream ids, and how many distinct ones."""
    rows = postgres("SELECT count(*), count(DISTINCT id) FROM requests WHERE upstream_request_id = ANY(string_to_array(:'p1', ','))",
                    ",".join(upstream_ids))
    return tuple(int(value) for value in rows[0])


def wait_stored(upstream_ids, what):
    wait_until(lambda: stored(upstream_ids)[0] >= len(upstream_ids), timeout=30, what=what)
    assert stored(upstream_ids) == (len(upstream_ids), len(upstream_ids)), "a record was stored twice"


def test_records_reach_postgres_once_across_a_coordinator_restart(coordinated_stack):
    stack = coordinated_stack
    before = send(stack, 3)
    wait_stored(before, "the first records in Postgres")
    stack.stop_coordinator()
    during = send(stack, 4)  # the spool keeps these while the coordinator is away
    wait_until(lambda: any(r.get("upstreamRequestID") == during[-1] for r in stack.edge_records()),
               what="the edge to spool the records")
    assert stored(during) == (0, 0)
    wait_until(lambda: "log shipping failed" in stack.edge_log_text(), timeout=30, what="the edge to say it cannot ship")
    stack.start_coordinator()
    wait_stored(before + during, "the spooled records after the coordinator came back")
    row = postgres("SELECT course_id, student_id, edge, status, charge > 0 FROM requests WHERE upstream_request_id = :'p1'", during[0])
    assert row[0][:2] == [stack.course, "student-1"] and row[0][3:] == ["200", "t"]


def stored_block(digest):
    return bytes.fromhex(postgres("SELECT encode(data, 'hex') FROM content_blocks WHERE sha256 = :'p1'", digest)[0][0])


def stored_bodies(upstream_id):
    """The request body and the answer as Postgres holds them, put back together."""
    request_block, response_block = postgres(
        "SELECT request_block, response_block FROM requests WHERE upstream_request_id = :'p1'", upstream_id)[0]
    skeleton = stored_block(request_block)
    parts = skeleton.split(b"\0")  # text, digest, text, digest, ..., text
    body = b"".join(part if index % 2 == 0 else stored_block(part.decode()) for index, part in enumerate(parts))
    return body, stored_block(response_block)


def test_bodies_are_stored_as_blocks_and_come_back_as_the_upstream_saw_them(coordinated_stack):
    stack = coordinated_stack
    client = anthropic.Anthropic(base_url=stack.edge_url, api_key=stack.student_key, max_retries=0)
    history = []
    upstream_ids = []
    for turn in range(3):  # a growing conversation, as Claude Code sends it
        history.append({"role": "user", "content": f"Turn {turn}: list the files."})
        with client.messages.stream(model=MODEL, max_tokens=64, system="You are a careful assistant.",
                                    messages=history) as stream:
            answer = stream.get_final_message()
            upstream_ids.append(stream.response.headers["request-id"])
        history.append({"role": "assistant", "content": answer.content[0].text})
    wait_stored(upstream_ids, "the conversation in Postgres")
    for upstream_id in upstream_ids:
        body, response = stored_bodies(upstream_id)
        mock = stack.mock_record(upstream_id)
        assert hashlib.sha256(body).hexdigest() == mock["requestBodySHA256"]
        assert hashlib.sha256(response).hexdigest() == mock["responseSHA256"]
    # the first user message is one block, shared by all three requests
    first = postgres("SELECT count(DISTINCT sha256) FROM content_blocks WHERE data = convert_to(:'p1', 'UTF8')",
                     '{"role":"user","content":"Turn 0: list the files."}')
    assert first == [["1"]]
    # Postgres loses the blocks the edge believes it holds (a restore): the next turn is refused
    # compacted and sent whole, and still comes back exactly.
    postgres("DELETE FROM content_blocks WHERE data = convert_to(:'p1', 'UTF8')", '{"role":"user","content":"Turn 0: list the files."}')
    history.append({"role": "user", "content": "Turn 3: and now?"})
    with client.messages.stream(model=MODEL, max_tokens=64, system="You are a careful assistant.", messages=history) as stream:
        stream.get_final_message()
        last = stream.response.headers["request-id"]
    wait_stored([last], "the turn sent whole")
    body, _ = stored_bodies(last)
    assert hashlib.sha256(body).hexdigest() == stack.mock_record(last)["requestBodySHA256"]


def test_a_pretty_printed_body_is_stored_exactly_and_later_records_still_ship(coordinated_stack):
    stack = coordinated_stack
    body = json.dumps({"model": MODEL, "max_tokens": 32, "messages": [{"role": "user", "content": "Hi\nthere"}]},
                      indent=2).replace("\n", "\r\n", 1).encode()
    request = urllib.request.Request(stack.edge_url + "/v1/messages", data=body, method="POST", headers={
        "x-api-key": stack.student_key, "anthropic-version": "2023-06-01", "content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        pretty = response.headers["request-id"]
    after = send(stack, 1)
    wait_stored([pretty] + after, "the pretty-printed request and the one after it")
    stored_body, _ = stored_bodies(pretty)
    assert stored_body == body


def test_records_reach_postgres_once_across_a_postgres_restart(coordinated_stack):
    stack = coordinated_stack
    before = send(stack, 2)
    wait_stored(before, "the first records in Postgres")
    postgres_service("stop")
    try:
        during = send(stack, 3)  # the edge serves on; the coordinator cannot store, so the spool keeps them
        wait_until(lambda: "log shipping failed" in stack.edge_log_text(), timeout=30,
                   what="the edge to say it cannot ship")
    finally:
        postgres_service("start")
    wait_stored(before + during, "the records once Postgres was back")


def test_a_killed_edge_ships_its_spool_when_it_restarts(coordinated_stack):
    stack = coordinated_stack
    stack.stop_coordinator()
    ids = send(stack, 3)
    wait_until(lambda: {r.get("upstreamRequestID") for r in stack.edge_records()} >= set(ids),
               what="the edge to spool the records")
    stack.kill_edge()
    stack.start_coordinator()
    assert stored(ids) == (0, 0)  # nobody ships while the edge is down
    stack.start_edge()
    wait_stored(ids, "the killed edge's records once it restarted")
    logs = (stack.tmp / "coordinator.log").read_text() + stack.edge_log_text()
    for secret in (stack.ingest_token, stack.student_key, stack.upstream_key):
        assert secret not in logs


def test_a_claude_code_session_is_stored_with_its_own_totals(coordinated_stack, tmp_path):
    stack = coordinated_stack
    output = run_claude(stack, tmp_path, "Say hello in five words.")
    assert output["is_error"] is False, output
    usage = output["usage"]

    def rows():
        return postgres(
            "SELECT upstream_request_id, input_tokens, cache_write_5m_tokens + cache_write_1h_tokens, cache_read_tokens,"
            " output_tokens, cost_pico_usd FROM requests WHERE claude_code_session_id = :'p1' AND path = '/v1/messages'",
            output["session_id"])

    stored_rows = wait_until(lambda: (r := rows()) and sum(int(x[4]) for x in r) == usage["output_tokens"] and r,
                             timeout=30, what="every request of the session in Postgres")
    assert sum(int(r[1]) for r in stored_rows) == usage["input_tokens"]
    assert sum(int(r[2]) for r in stored_rows) == usage["cache_creation_input_tokens"]
    assert sum(int(r[3]) for r in stored_rows) == usage["cache_read_input_tokens"]
    cost = sum(int(r[5]) for r in stored_rows)
    assert cost == sum(mock_usage_cost(MODEL, stack.mock_record(r[0])["usage"]) for r in stored_rows)
    assert abs(cost / 1e12 - output["total_cost_usd"]) < 1e-9
