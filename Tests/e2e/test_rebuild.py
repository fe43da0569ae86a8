"""Redis loses everything (issue 4): the leading coordinator rebuilds keys, policies and this period's
balances from Postgres, and Redis and the Postgres ledger agree again. Through the admin API, as staff
would provision a course."""
import json
import urllib.request

import anthropic
import pytest

import conftest
from conftest import REDIS_URL, Stack, goosey, postgres, wait_until
from test_claude_code import MODEL

# A Redis database of this test's own: it is flushed mid-test.
REBUILD_REDIS_URL = REDIS_URL.rstrip("/") + "/5"


def redis_cli(*args):
    return conftest.redis_cli(5, *args)


def admin(stack, token, method, path, body):
    request = urllib.request.Request(stack.coordinator_url + path, data=json.dumps(body).encode(), method=method,
                                     headers={"authorization": f"Bearer {token}", "content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def standing(stack, key):
    request = urllib.request.Request(stack.edge_url + "/v1/goosey/me", headers={"x-api-key": key})
    with urllib.request.urlopen(request, timeout=30) as response:
        me = json.load(response)
    return me["used"], me["remaining"]


@pytest.fixture
def leading_stack(tmp_path):
    redis_cli("FLUSHDB")
    stack = Stack(tmp_path, coordinator=True, redis_url=REBUILD_REDIS_URL, leader=True)
    stack.start()
    yield stack
    stack.stop()
    redis_cli("FLUSHDB")


def test_redis_flushed_is_rebuilt_from_postgres_and_agrees_with_it(leading_stack):
    stack = leading_stack
    created = goosey("admin-token", "create", "--name", "ops", "--role", "admin")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    course = stack.course + "-R"
    admin(stack, token, "PUT", f"/admin/v1/courses/{course}", {"name": "Rebuild", "reason": "e2e"})
    policy = {"limit": 1_000_000_000, "unit": {"kind": "tokens"}, "period": {"length": "7d"}}
    admin(stack, token, "PUT", f"/admin/v1/courses/{course}/policy", {"policy": policy, "reason": "e2e"})
    key = admin(stack, token, "POST", f"/admin/v1/courses/{course}/students/alice/keys", {"reason": "e2e"})["key"]

    client = anthropic.Anthropic(base_url=stack.edge_url, api_key=key, max_retries=0)
    for turn in range(3):
        client.messages.create(model=MODEL, max_tokens=64, messages=[{"role": "user", "content": f"Hello {turn}."}])
    wait_until(lambda: postgres("SELECT count(*) FROM requests WHERE course_id = :'p1'", course)[0][0] == "3",
               timeout=30, what="the three records in Postgres")
    wait_until(lambda: redis_cli("EXISTS", "goosey:rebuilt") == "1", timeout=30, what="the leader to mark Redis whole")
    before = standing(stack, key)

    redis_cli("FLUSHDB")
    wait_until(lambda: redis_cli("EXISTS", "goosey:rebuilt") == "1", timeout=30, what="the leader to rebuild Redis")
    assert standing(stack, key) == before, "the balance came back from the requests Postgres holds"
    client.messages.create(model=MODEL, max_tokens=64, messages=[{"role": "user", "content": "And after?"}])
    wait_until(lambda: postgres("SELECT count(*) FROM requests WHERE course_id = :'p1'", course)[0][0] == "4",
               timeout=30, what="the fourth record")
    check = goosey("reconcile", "--check", redis_url=REBUILD_REDIS_URL)
    assert check.returncode == 0, check.stdout + check.stderr
    with urllib.request.urlopen(stack.coordinator_url + "/metrics", timeout=10) as response:
        metrics = response.read().decode()
    assert "goosey_coordinator_leading 1" in metrics
    ingested = [line for line in metrics.splitlines() if line.startswith("goosey_coordinator_ingested_records_total")]
    assert ingested and float(ingested[0].split()[-1]) >= 4
