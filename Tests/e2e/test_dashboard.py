"""The dashboard (issue 7) in a real browser: headless Chromium signs in with an admin token through the
form, loads the course, student, request and university pages of a coordinator filled by real traffic
through an edge, checks their figures against the ledger in Postgres and Redis, takes a screenshot of each
(into GOOSEY_SCREENSHOT_DIR when set: `docs/` holds the committed ones), and checks who may see what."""
import csv
import io
import os
import secrets
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import anthropic
import pytest

from browser import Browser
from conftest import BIN_DIR, REDIS_URL, Stack, goosey, postgres, redis_cli, wait_until
from test_claude_code import MODEL

DASHBOARD_REDIS_URL = REDIS_URL.rstrip("/") + "/8"
ROSTER = ("id,name,email,group,consent\n"
          "ada,Ada Lovelace,ada@uni.example,studio-a,yes\n"
          "grace,Grace Hopper,grace@uni.example,studio-a,no\n"
          "alan,Alan Turing,alan@uni.example,studio-b,yes\n"
          "edsger,Edsger Dijkstra,edsger@uni.example,studio-b,no\n")
FAKE_ANTHROPIC_KEY = "sk-ant-api03-" + secrets.token_urlsafe(80)[:93] + "AA"


@pytest.fixture
def course_with_traffic(tmp_path):
    redis_cli(8, "FLUSHDB")
    stack = Stack(tmp_path, coordinator=True, redis_url=DASHBOARD_REDIS_URL, leader=True)
    stack.start()
    try:
        course, other = stack.course + "-DASH", stack.course + "-OTHER"
        tokens = {}
        for name, role, courses in [("convenor", "staff", [course]), ("other-convenor", "staff", [other]), ("registrar", "admin", [])]:
            created = goosey("admin-token", "create", "--name", name, "--role", role, *sum((["--course", c] for c in courses), []))
            assert created.returncode == 0, created.stderr
            tokens[name] = created.stdout.strip()
        env = {**os.environ, "GOOSEY_URL": stack.coordinator_url, "GOOSEY_TOKEN": tokens["convenor"], "GOOSEY_COURSE": course,
               "GOOSEY_EDGE_URL": stack.edge_url}

        def cli(*args):
            result = subprocess.run([str(BIN_DIR / "goosey"), *args], env=env, capture_output=True, text=True, timeout=120)
            assert result.returncode == 0, result.stdout + result.stderr
            return result

        cli("quota", "set", "--limit", "2M", "--reset-period", "7d", "--timezone", "Australia/Sydney")
        cli("quota", "set", "--limit", "60", "--reset-period", "7d", "--timezone", "Australia/Sydney", "--student", "grace")
        (tmp_path / "roster.csv").write_text(ROSTER)
        cli("sync", "--source", str(tmp_path / "roster.csv"), "--keys-out", str(tmp_path / "keys.csv"))
        keys = {row["id"]: row["key"] for row in csv.DictReader(io.StringIO((tmp_path / "keys.csv").read_text()))}

        def client(student, session):
            return anthropic.Anthropic(base_url=stack.edge_url, api_key=keys[student], max_retries=0,
                                       default_headers={"X-Claude-Code-Session-Id": session})

        # Ada: one Claude Code session whose context grows turn by turn.
        messages = []
        for turn in range(4):
            messages.append({"role": "user", "content": f"Turn {turn}: " + "explain the borrow checker in depth. " * (40 * (turn + 1))})
            reply = client("ada", "ada-session-1").messages.create(model=MODEL, max_tokens=256, messages=messages)
            messages.append({"role": "assistant", "content": reply.content[0].text})
        client("alan", "alan-session-1").messages.create(model=MODEL, max_tokens=64, messages=[{"role": "user", "content": "Hello"}])
        # Grace runs out of her small allowance: a refusal (429) on record.
        grace_requests = []

        def ask_grace(question):
            grace_requests.append(question)
            return client("grace", "grace-session-1").messages.create(model=MODEL, max_tokens=64, messages=[{"role": "user", "content": question}])

        ask_grace("One question")
        with pytest.raises(anthropic.RateLimitError):
            wait_until(lambda: ask_grace("More?") and False, timeout=10, what="grace's refusal")
        # Edsger pastes an Anthropic key: refused, suspended, an incident.
        with pytest.raises(anthropic.PermissionDeniedError):
            client("edsger", "edsger-session-1").messages.create(
                model=MODEL, max_tokens=16, messages=[{"role": "user", "content": f"why does {FAKE_ANTHROPIC_KEY} not work"}])
        sent = 4 + 1 + len(grace_requests) + 1
        wait_until(lambda: postgres("SELECT count(*) FROM requests WHERE course_id = :'p1'", course) == [[str(sent)]], timeout=30,
                   what=f"all {sent} requests in Postgres")
        wait_until(lambda: postgres("SELECT count(*) FROM incidents WHERE course_id = :'p1'", course) == [["1"]], timeout=30,
                   what="the incident")
        stack.dashboard = {"course": course, "other": other, "tokens": tokens, "keys": keys}
        yield stack
    finally:
        stack.stop()
    redis_cli(8, "FLUSHDB")


@pytest.fixture
def browser():
    browser = Browser()
    yield browser
    browser.close()


def sign_in(browser, stack, token):
    assert browser.open(stack.coordinator_url + "/dashboard/login") == 200
    return browser.submit(f"document.getElementById('token').value = {token!r}; document.querySelector('form.login').submit()")


def shot(browser, tmp_path, name):
    folder = Path(os.environ.get("GOOSEY_SCREENSHOT_DIR", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    browser.screenshot(folder / name)
    assert (folder / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and (folder / name).stat().st_size > 10_000


def ledger(sql, *parameters):
    return int(postgres(sql, *parameters)[0][0] or 0)


def test_pages_show_the_ledger_in_a_real_browser(course_with_traffic, browser, tmp_path):
    stack, data = course_with_traffic, course_with_traffic.dashboard
    course = data["course"]
    assert browser.open(stack.coordinator_url + f"/dashboard/courses/{course}") == 200
    assert browser.url().endswith("/dashboard/login"), "signed-out browsers are sent to sign in"
    assert sign_in(browser, stack, "gooseyadmin_not-a-token") == 401
    assert "not valid" in browser.text(".error")
    forged_sign_in = urllib.request.Request(stack.coordinator_url + "/dashboard/login", method="POST",
                                            data=urllib.parse.urlencode({"token": data["tokens"]["convenor"]}).encode())
    with pytest.raises(urllib.error.HTTPError) as refused_sign_in:
        urllib.request.urlopen(forged_sign_in, timeout=10)
    assert refused_sign_in.value.code == 401 and "goosey_session" not in (refused_sign_in.value.headers.get("Set-Cookie") or ""), \
        "a sign-in posted from elsewhere (no form nonce) opens no session"

    assert sign_in(browser, stack, data["tokens"]["convenor"]) == 200
    assert browser.url().endswith(f"/dashboard/courses/{course}"), "staff of one course land on it"
    session_cookie = next(cookie for cookie in browser.cookies() if cookie["name"] == "goosey_session")
    assert session_cookie["httpOnly"] and session_cookie["sameSite"] == "Strict" and session_cookie["path"] == "/dashboard"

    assert browser.value("#term-requests") == ledger("SELECT count(*) FROM requests WHERE course_id = :'p1'", course)
    assert browser.value("#term-usd") == ledger("SELECT sum(cost_pico_usd) FROM requests WHERE course_id = :'p1'", course)
    assert browser.value("#term-weighted") == ledger("SELECT div(sum(charge), 1000) FROM requests WHERE course_id = :'p1'", course)
    assert browser.value("#term-refusals") == ledger("SELECT count(*) FROM requests WHERE course_id = :'p1' AND status = 429", course) >= 1
    assert browser.value("#period-used") == ledger("SELECT sum(charge) FROM requests WHERE course_id = :'p1'", course)
    assert browser.value("#open-incidents") == 1
    for student in ["ada", "alan", "grace", "edsger"]:
        assert browser.value(f"#students tr[data-student={student}] td:nth-child(7)") == ledger(
            "SELECT count(*) FROM requests WHERE course_id = :'p1' AND student_id = :'p2'", course, student)
    grace_row = browser.evaluate("document.querySelector('#students tr[data-student=grace]').className")
    assert grace_row == "over", "grace used her whole allowance"
    assert browser.text("#students tr[data-student=edsger] td:last-child") == "suspended"
    assert browser.value("#limit-hits tr[data-period] td:nth-child(2)") == 1
    assert browser.value("#groups tr[data-group=studio-a] td:nth-child(3)") == ledger(
        "SELECT count(*) FROM requests r JOIN enrolments e USING (course_id, student_id) WHERE r.course_id = :'p1' AND e.group_name = 'studio-a'", course)
    assert "enrolment.synced" in browser.text("#audit")
    assert browser.evaluate("document.querySelectorAll('figure svg rect').length") > 0, "the per-day chart has bars"
    assert browser.evaluate("document.querySelectorAll('script').length") == 0
    browser.open(stack.coordinator_url + f"/dashboard/courses/{course}?sort=requests&order=desc")
    busiest = postgres("SELECT student_id FROM requests WHERE course_id = :'p1' GROUP BY student_id "
                       "ORDER BY count(*) DESC, student_id DESC LIMIT 1", course)[0][0]
    assert browser.evaluate("document.querySelector('#students tr[data-student]').dataset.student") == busiest
    shot(browser, tmp_path, "dashboard-course.png")

    assert browser.open(stack.coordinator_url + f"/dashboard/courses/{course}/students/ada") == 200
    assert browser.value("#balance-used") == ledger("SELECT sum(charge) FROM requests WHERE course_id = :'p1' AND student_id = 'ada'", course)
    assert browser.value("#sessions tr[data-session=ada-session-1] td:nth-child(4)") == 4
    curve = browser.evaluate("document.querySelector('figure polyline').getAttribute('points').split(' ').length")
    assert curve == 4, "one point per turn of the session"
    contexts = postgres("SELECT input_tokens + cache_write_5m_tokens + cache_write_1h_tokens + cache_read_tokens FROM requests "
                        "WHERE course_id = :'p1' AND student_id = 'ada' ORDER BY received_at", course)
    assert [int(row[0]) for row in contexts] == sorted(int(row[0]) for row in contexts), "the context grew turn by turn"
    assert browser.evaluate("document.querySelectorAll('#requests tr[data-request]').length") == 4
    shot(browser, tmp_path, "dashboard-student.png")

    leaked = postgres("SELECT id FROM requests WHERE course_id = :'p1' AND student_id = 'edsger'", course)[0][0]
    assert browser.open(stack.coordinator_url + f"/dashboard/courses/{course}/requests/{leaked}") == 200
    stored = browser.text("main")
    assert "[REDACTED:" in stored and FAKE_ANTHROPIC_KEY not in stored
    shot(browser, tmp_path, "dashboard-request.png")

    other = data["other"]
    assert browser.open(stack.coordinator_url + f"/dashboard/courses/{other}") == 403
    assert browser.open(stack.coordinator_url + f"/dashboard/courses/{other}/students/ada") == 403
    assert browser.open(stack.coordinator_url + "/dashboard/university") == 403

    csrf = browser.evaluate("document.querySelector('form.signout input[name=csrf]').value")
    forged = urllib.request.Request(stack.coordinator_url + "/dashboard/logout", data=b"csrf=forged", method="POST",
                                    headers={"Cookie": f"goosey_session={session_cookie['value']}"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(forged, timeout=10)
    assert refused.value.code == 403, "a sign-out without the form's token is refused"
    assert csrf and browser.submit("document.querySelector('form.signout').submit()") == 200
    assert browser.url().endswith("/dashboard/login")
    assert browser.open(stack.coordinator_url + f"/dashboard/courses/{course}") == 200 and browser.url().endswith("/dashboard/login")

    assert sign_in(browser, stack, data["tokens"]["registrar"]) == 200
    assert browser.url().endswith("/dashboard/university")
    row = f"#courses-table tr[data-course={course}]"
    assert browser.value(f"{row} td:nth-child(3)") == 4
    assert browser.value(f"{row} td:nth-child(4)") == ledger("SELECT count(*) FROM requests WHERE course_id = :'p1'", course)
    assert browser.value(f"{row} td:nth-child(6)") == ledger("SELECT sum(cost_pico_usd) FROM requests WHERE course_id = :'p1'", course)
    assert browser.value(f"{row} td:nth-child(8)") == 1
    assert browser.value("#requests") == ledger(
        "SELECT count(*) FROM requests r JOIN courses c ON c.id = r.course_id WHERE r.student_id IS NOT NULL")
    shot(browser, tmp_path, "dashboard-university.png")
    assert browser.open(stack.coordinator_url + f"/dashboard/courses/{other}") == 200, "a university admin sees every course"
