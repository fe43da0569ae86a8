"""An edge killed mid-stream (issue 4): its lease expires, the leading coordinator charges it at its hold
and notes it, the restarted edge ships the stream's record from its journal, and Redis and Postgres agree
afterwards."""
import http.client
import json
import urllib.parse

import pytest

import conftest
from conftest import REDIS_URL, Stack, goosey, postgres, wait_until
from test_claude_code import MODEL

RECONCILE_REDIS_URL = REDIS_URL.rstrip("/") + "/4"


@pytest.fixture
def short_lease_stack(tmp_path):
    conftest.redis_cli(4, "FLUSHDB")
    stack = Stack(tmp_path, coordinator=True, redis_url=RECONCILE_REDIS_URL, leader=True, edge_config="[quota]\nleaseSeconds = 3\n")
    stack.start()
    yield stack
    stack.stop()
    conftest.redis_cli(4, "FLUSHDB")


def test_an_edge_killed_mid_stream_is_reconciled_and_the_books_agree(short_lease_stack):
    stack = short_lease_stack
    url = urllib.parse.urlparse(stack.edge_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    body = {"model": MODEL, "max_tokens": 1024, "stream": True, "messages": [{"role": "user", "content": "Tell me a long story."}]}
    connection.request("POST", "/v1/messages", body=json.dumps(body), headers={
        "x-api-key": stack.student_key, "anthropic-version": "2023-06-01", "content-type": "application/json",
        "x-mock-deltas": "60", "x-mock-delay-ms": "500"})
    response = connection.getresponse()
    assert response.status == 200
    upstream_request_id = response.getheader("request-id")
    assert b"message_start" in response.read1(4096), "the stream has begun"
    journal = stack.spool_path / "open-streams.journal"
    wait_until(lambda: journal.exists() and upstream_request_id in journal.read_text(), what="the edge to journal the open stream")
    stack.kill_edge()
    connection.close()

    reconciled = wait_until(lambda: postgres("SELECT source, charged > 0 FROM lease_reconciliations WHERE course_id = :'p1'", stack.course),
                            timeout=40, what="the leader to settle the dead edge's lease")
    assert reconciled == [["estimate", "t"]], "no record came: charged at the hold, marked an estimate"
    hold = postgres("SELECT charged FROM lease_reconciliations WHERE course_id = :'p1'", stack.course)[0][0]
    stack.start_edge()
    stored = wait_until(lambda: postgres("SELECT error_type, estimated, charge, input_tokens > 0 FROM requests WHERE upstream_request_id = :'p1'",
                                         upstream_request_id), timeout=40, what="the restarted edge to ship the cut stream's record")
    assert stored == [["edge_stopped", "t", hold, "t"]], "the record as the stream stood when the edge died: input read, charged at the hold"
    check = goosey("reconcile", "--check", redis_url=RECONCILE_REDIS_URL)
    assert check.returncode == 0, check.stdout + check.stderr
