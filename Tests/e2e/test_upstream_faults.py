"""Upstream faults (issue 9): 529 and 429 bursts, a stream that stalls, a connection dropped mid-stream and
an upstream that never answers. Each gets a clean Anthropic-shaped error (an `event: error` inside a stream
already started), every request is on record exactly once, and Redis's balances agree with the ledger."""
import anthropic
import pytest

import conftest
from conftest import REDIS_URL, Stack, goosey, postgres, wait_until
from test_claude_code import MODEL

FAULTS_REDIS_URL = REDIS_URL.rstrip("/") + "/9"
UPSTREAM_PATIENCE = 2


@pytest.fixture(scope="module")
def faulty(tmp_path_factory):
    conftest.redis_cli(9, "FLUSHDB")
    stack = Stack(tmp_path_factory.mktemp("faults"), coordinator=True, redis_url=FAULTS_REDIS_URL, leader=True,
                  edge_env={"UPSTREAM_IDLE_TIMEOUT_SECONDS": str(UPSTREAM_PATIENCE),
                            "UPSTREAM_HEAD_TIMEOUT_SECONDS": str(UPSTREAM_PATIENCE)})
    stack.start()
    yield stack
    stack.stop()
    conftest.redis_cli(9, "FLUSHDB")


def ask(stack, scenario, stream=True):
    client = anthropic.Anthropic(base_url=stack.edge_url, api_key=stack.student_key, max_retries=0, timeout=60)
    request = dict(model=MODEL, max_tokens=128, messages=[{"role": "user", "content": f"fault {scenario}"}],
                   extra_headers={"x-mock-scenario": scenario, "x-mock-deltas": "6"})
    if not stream:
        return client.messages.create(**request)
    with client.messages.stream(**request) as answer:
        return "".join(answer.text_stream)


def records(stack):
    return postgres("SELECT status, coalesce(error_type, ''), estimated, output_tokens > 0 FROM requests WHERE course_id = :'p1' "
                    "ORDER BY received_at", stack.course)


def books_agree(stack):
    check = goosey("reconcile", "--check", redis_url=FAULTS_REDIS_URL)
    return check.returncode == 0 and "agree" in check.stdout


def test_overload_and_rate_limit_bursts_pass_through_and_cost_nothing(faulty):
    for _ in range(5):
        with pytest.raises(anthropic.InternalServerError) as overloaded:
            ask(faulty, "overloaded", stream=False)
        assert overloaded.value.status_code == 529 and overloaded.value.body["error"]["type"] == "overloaded_error"
    for _ in range(5):
        with pytest.raises(anthropic.RateLimitError) as limited:
            ask(faulty, "rate_limited", stream=False)
        assert limited.value.response.headers["retry-after"] == "7"
    wait_until(lambda: len(records(faulty)) == 10, timeout=30, what="ten records")
    assert sorted(row[0] for row in records(faulty)) == ["429"] * 5 + ["529"] * 5
    wait_until(lambda: books_agree(faulty), timeout=30, what="Redis and Postgres to agree")


def test_a_stalled_or_dropped_stream_ends_with_an_error_event_and_is_charged_what_was_sent(faulty):
    before = len(records(faulty))
    for scenario in ["stall", "reset"]:
        with pytest.raises(anthropic.APIStatusError) as failed:
            ask(faulty, scenario)
        assert failed.value.body["error"]["type"] == "api_error", failed.value.body
    wait_until(lambda: len(records(faulty)) == before + 2, timeout=30, what="both records")
    for status, _, estimated, charged in records(faulty)[before:]:
        assert status == "200" and estimated == "t" and charged == "t", "counted by the floor estimate of what was sent"
    wait_until(lambda: books_agree(faulty), timeout=30, what="Redis and Postgres to agree")


def test_an_upstream_that_never_answers_gets_a_timeout_and_holds_nothing(faulty):
    before = len(records(faulty))
    with pytest.raises(anthropic.APIStatusError) as timed_out:
        ask(faulty, "hang")
    assert timed_out.value.status_code == 504 and timed_out.value.body["error"]["type"] == "timeout_error", timed_out.value.body
    wait_until(lambda: len(records(faulty)) == before + 1, timeout=30, what="its record")
    wait_until(lambda: books_agree(faulty), timeout=30, what="Redis and Postgres to agree")
    reply = ask(faulty, "text")
    assert reply, "the edge serves on"
