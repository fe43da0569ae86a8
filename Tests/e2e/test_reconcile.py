"""An edge killed mid-stream (issue 4): its lease expires, the leading coordinator charges it at its hold
and notes it, and Redis and Postgres agree afterwards."""
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
    assert b"message_start" in response.read1(4096), "the stream has begun"
    stack.kill_edge()
    connection.close()

    reconciled = wait_until(lambda: postgres("SELECT source, charged > 0 FROM lease_reconciliations WHERE course_id = :'p1'", stack.course),
                            timeout=40, what="the leader to settle the dead edge's lease")
    assert reconciled == [["estimate", "t"]], "no record came: charged at the hold, marked an estimate"
    stack.start_edge()
    check = goosey("reconcile", "--check", redis_url=RECONCILE_REDIS_URL)
    assert check.returncode == 0, check.stdout + check.stderr
