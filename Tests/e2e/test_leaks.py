"""Secrets pasted into requests (issue 5): refused before they leave the edge, the keys suspended, one
incident and one alert per secret, nothing secret stored; and a real Claude Code session whose tool
reads a `.env` holding an Anthropic key."""
import json
import secrets
import subprocess
import urllib.error
import urllib.request

from conftest import BIN_DIR, POSTGRES_URL, postgres, wait_until
from test_claude_code import MODEL, run_claude
from test_coordinator import stored_bodies


def post_messages(stack, text, key=None):
    body = {"model": MODEL, "max_tokens": 64, "messages": [{"role": "user", "content": text}]}
    request = urllib.request.Request(stack.edge_url + "/v1/messages", data=json.dumps(body).encode(), method="POST",
                                     headers={"x-api-key": key or stack.student_key, "anthropic-version": "2023-06-01",
                                              "content-type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def incidents(course):
    return postgres("SELECT id, kind, action, location, resolved_at IS NULL FROM incidents WHERE course_id = :'p1' ORDER BY id", course)


def staff_cli(stack, *args):
    """The staff command line, as the course's staff run it."""
    return subprocess.run([str(BIN_DIR / "goosey"), *args], env=stack.staff, capture_output=True, text=True, timeout=120)


def alerts(stack):
    """The alerts the webhook received about this stack's course (the test database is shared)."""
    return [body for body in stack.receiver.bodies if json.loads(body)["incident"]["course"] == stack.course]


def database_holds(text):
    """Whether any table of the test database holds `text`, as text or as the hex of its bytes (bytea)."""
    dump = subprocess.run(["pg_dump", "--data-only", POSTGRES_URL], capture_output=True, text=True, timeout=120)
    assert dump.returncode == 0, dump.stderr
    return text in dump.stdout or text.encode().hex() in dump.stdout


def test_a_prompt_with_the_students_own_key_is_refused_suspended_alerted_and_never_stored(alerting_stack):
    stack = alerting_stack
    status, body = post_messages(stack, f"Why does my key {stack.student_key} not work?")
    assert status == 403 and body["error"]["type"] == "permission_error"
    assert "goosey-key" in body["error"]["message"] and stack.student_key not in json.dumps(body)
    status, body = post_messages(stack, "hello")
    assert status == 403 and "suspended" in body["error"]["message"]

    found = wait_until(lambda: incidents(stack.course), timeout=30, what="the incident in Postgres")
    assert len(found) == 1 and found[0][1:3] == ["goosey-key", "blocked"] and found[0][3] == "messages[0].content"
    wait_until(lambda: alerts(stack), timeout=30, what="the webhook delivery")
    alert = json.loads(alerts(stack)[0])
    assert stack.course in alert["text"] and alert["incident"]["kind"] == "goosey-key"
    assert stack.student_key not in alerts(stack)[0]
    # Both refusals are logged: the secret (with its incident) and the attempt with the suspended key.
    wait_until(lambda: postgres("SELECT count(*) FROM requests WHERE course_id = :'p1'", stack.course)[0][0] == "2",
               timeout=30, what="the refused requests' records")
    assert postgres("SELECT status, error_type FROM requests WHERE course_id = :'p1' ORDER BY received_at", stack.course) == [
        ["403", "permission_error"], ["403", "permission_error"]]
    assert not database_holds(stack.student_key), "the key reached Postgres"
    assert len(alerts(stack)) == 1

    listed = staff_cli(stack, "leaks", "list")
    assert listed.returncode == 0 and "goosey-key" in listed.stdout, listed.stderr
    resolved = staff_cli(stack, "leaks", "resolve", found[0][0], "--note", "student told; key reinstated", "--reinstate")
    assert resolved.returncode == 0, resolved.stderr
    assert post_messages(stack, "hello again")[0] == 200
    assert incidents(stack.course)[0][4] == "f"
    audit = postgres("SELECT action FROM audit_events WHERE target = :'p1' ORDER BY id", f"incident:{found[0][0]}")
    assert [row[0] for row in audit] == ["leak.detected", "leak.resolved"]
    assert "leak.resolved" in staff_cli(stack, "audit").stdout


def test_claude_code_reading_a_dotenv_is_stopped_and_goes_on_after_the_key_is_rotated(alerting_stack, tmp_path):
    stack = alerting_stack
    anthropic_key = "sk-ant-api03-" + secrets.token_urlsafe(80)[:93] + "AA"
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / ".env").write_text(f"ANTHROPIC_API_KEY={anthropic_key}\nDEBUG=1\n")

    refused = run_claude(stack, tmp_path, "[mock:read_env] Check my configuration.", "--allowedTools", "Bash")
    assert refused["is_error"] is True and refused.get("api_error_status") == 403, refused
    assert "Goosey found a secret" in refused["result"] and "anthropic-api-key" in refused["result"]
    assert anthropic_key not in refused["result"]
    assert post_messages(stack, "hello")[0] == 403, "the student's key is suspended"
    found = wait_until(lambda: incidents(stack.course), timeout=30, what="the incident")
    assert [row[1] for row in found] == ["anthropic-api-key"]

    key_file = tmp_path / "new-keys.csv"
    rotated = staff_cli(stack, "leaks", "resolve", found[0][0], "--note", "Anthropic key revoked at the console", "--rotate",
                        "--key-out", str(key_file))
    assert rotated.returncode == 0, rotated.stderr
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    new_key = key_file.read_text().splitlines()[1].split(",")[2]
    assert new_key.startswith("goosey_")
    assert post_messages(stack, "hello")[0] == 403, "the old key is revoked"

    resumed = run_claude(stack, tmp_path, "Thanks, carry on.", "--resume", refused["session_id"], "--allowedTools", "Bash",
                         key=new_key)
    assert resumed["is_error"] is False, resumed
    assert len(incidents(stack.course)) == 1, "the same conversation raises no second incident"
    wait_until(lambda: alerts(stack), timeout=30, what="the alert")
    assert len(alerts(stack)) == 1
    def served():  # the first request of the session (its answer asked for `cat .env`) and the resumed one
        rows = postgres("SELECT upstream_request_id FROM requests WHERE course_id = :'p1' AND status = 200 ORDER BY received_at",
                        stack.course)
        return rows if len(rows) >= 2 else None
    resumed_id = wait_until(served, timeout=30, what="the resumed session's record")[-1][0]
    request, _ = stored_bodies(resumed_id)
    assert b"[REDACTED:anthropic-api-key:" in request, "the resumed conversation carried the key, stored redacted"
    assert not database_holds(anthropic_key), "the Anthropic key reached Postgres"
