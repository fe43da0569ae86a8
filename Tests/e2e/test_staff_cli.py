"""The staff command line (issue 6) against a running coordinator, real Postgres and Redis, and an edge:
a messy enrolment export synced and re-synced, quotas set and granted, usage after traffic read back
as CSV and JSON and checked against the ledger, and the exact command forms of the convenor's sketch."""
import csv
import http.server
import io
import json
import os
import socket
import stat
import subprocess
import threading

import anthropic
import pytest

from conftest import BIN_DIR, REDIS_URL, Stack, goosey, postgres, redis_cli, wait_until
from test_claude_code import MODEL

CLI_REDIS_URL = REDIS_URL.rstrip("/") + "/6"

ROSTER = (
    "\ufeff\"Student ID\",\"Full Name\",Email,Tutorial,\"Research Consent\"\r\n"
    "a1,\"Lovelace, Ada\",ada@uni.example,studio-a,Yes\r\n"
    "a2,\"Hopper,\r\nGrace\",grace@uni.example,studio-a,no\r\n"
    "\r\n"
    "b1,Alan Turing,alan@uni.example,studio-b,\r\n"
)


@pytest.fixture
def staff(tmp_path):
    redis_cli(6, "FLUSHDB")
    stack = Stack(tmp_path, coordinator=True, redis_url=CLI_REDIS_URL, leader=True)
    stack.start()
    course = stack.course + "-CLI"
    created = goosey("admin-token", "create", "--name", "convenor", "--role", "staff", "--course", course)
    assert created.returncode == 0, created.stderr
    stack.cli_env = {**os.environ, "GOOSEY_URL": stack.coordinator_url, "GOOSEY_TOKEN": created.stdout.strip(),
                     "GOOSEY_COURSE": course, "GOOSEY_EDGE_URL": stack.edge_url}
    stack.cli_course = course
    yield stack
    stack.stop()


def cli(stack, *args, cwd=None):
    return subprocess.run([str(BIN_DIR / "goosey"), *args], env=stack.cli_env, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_sync_quota_and_usage_as_the_convenor_sketched_them(staff, tmp_path):
    stack, course = staff, staff.cli_course
    roster = tmp_path / "enrolments.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    assert cli(stack, "quota", "set", "--limit", "500k", "--reset-period", "7d").returncode == 0

    first = cli(stack, "sync", "--source", str(roster), "--keys-out", str(tmp_path / "keys.csv"))
    assert first.returncode == 0, first.stderr
    assert "3 new, 0 dropped, 0 moved" in first.stdout
    assert stat.S_IMODE((tmp_path / "keys.csv").stat().st_mode) == 0o600
    keys = {row["id"]: row for row in csv.DictReader(io.StringIO((tmp_path / "keys.csv").read_text()))}
    assert sorted(keys) == ["a1", "a2", "b1"] and keys["a1"]["email"] == "ada@uni.example"
    assert json.loads(keys["a1"]["claude_code_settings"])["env"] == {"ANTHROPIC_BASE_URL": stack.edge_url, "ANTHROPIC_API_KEY": keys["a1"]["key"]}
    assert keys["a1"]["key"] not in first.stdout + first.stderr, "keys never go to the terminal unasked"
    # psql prints a line break as one, so the quoted two-line name is compared in SQL.
    assert postgres("SELECT replace(name, E'\\r\\n', '|'), research_consent, group_name FROM students JOIN enrolments "
                    "ON enrolments.student_id = students.id AND enrolments.course_id = students.course_id "
                    "WHERE students.course_id = :'p1' ORDER BY id", course) == [
        ["Lovelace, Ada", "t", "studio-a"], ["Hopper,|Grace", "f", "studio-a"], ["Alan Turing", "f", "studio-b"]]

    again = cli(stack, "sync", "--source", str(roster), "--keys-out", str(tmp_path / "keys-again.csv"))
    assert again.returncode == 0 and "nothing to change" in again.stdout, again.stdout + again.stderr
    assert not (tmp_path / "keys-again.csv").exists()

    messy = tmp_path / "messy.csv"
    messy.write_text("id,name,email,group,consent\nc1,C One,c1@uni.example,x,yes\n,No Id,n@uni.example,x,no\nc3,C Three,c3@uni,x,maybe\n")
    refused = cli(stack, "sync", "--source", str(messy))
    assert refused.returncode == 1
    assert "line 3: no student id" in refused.stderr and "line 4: research consent `maybe`" in refused.stderr
    assert "nothing was applied" in refused.stderr
    assert postgres("SELECT count(*) FROM students WHERE course_id = :'p1'", course) == [["3"]]

    moved = tmp_path / "week3.csv"
    moved.write_text("Student ID,Full Name,Email,Tutorial,Research Consent\na1,\"Lovelace, Ada\",ada@uni.example,studio-b,yes\n"
                     "a2,\"Hopper,\nGrace\",grace@uni.example,studio-a,no\n")
    resync = cli(stack, "sync", "--source", str(moved))
    assert resync.returncode == 0 and "0 new, 1 dropped, 1 moved" in resync.stdout, resync.stdout + resync.stderr
    dropped = anthropic.Anthropic(base_url=stack.edge_url, api_key=keys["b1"]["key"], max_retries=0)
    with pytest.raises(anthropic.PermissionDeniedError):
        dropped.messages.create(model=MODEL, max_tokens=16, messages=[{"role": "user", "content": "hi"}])

    client = anthropic.Anthropic(base_url=stack.edge_url, api_key=keys["a1"]["key"], max_retries=0)
    for turn in range(2):
        client.messages.create(model=MODEL, max_tokens=64, messages=[{"role": "user", "content": f"Question {turn}?"}])
    wait_until(lambda: postgres("SELECT count(*) FROM requests WHERE course_id = :'p1' AND student_id = 'a1' AND status = 200",
                                course) == [["2"]], timeout=30, what="a1's records in Postgres")
    ledger = postgres("SELECT sum(input_tokens), sum(output_tokens), sum(charge) FROM requests WHERE course_id = :'p1' AND student_id = 'a1'", course)[0]

    assert cli(stack, "quota", "set", "--limit", "50", "--reset-period", "7d", "--student", "a2").returncode == 0
    small = anthropic.Anthropic(base_url=stack.edge_url, api_key=keys["a2"]["key"], max_retries=0)
    small.messages.create(model=MODEL, max_tokens=64, messages=[{"role": "user", "content": "One question."}])
    with pytest.raises(anthropic.RateLimitError):
        wait_until(lambda: small.messages.create(model=MODEL, max_tokens=16, messages=[{"role": "user", "content": "More?"}]) and False,
                   timeout=10, what="a2's allowance to run out")
    wait_until(lambda: postgres("SELECT count(*) FROM requests WHERE course_id = :'p1' AND student_id = 'a2' AND status = 429",
                                course) == [["1"]], timeout=30, what="a2's refusal in Postgres")
    limited = cli(stack, "usage", "--period", "current")
    assert "1 student(s) hit their limit: a2" in limited.stdout, limited.stdout + limited.stderr
    assert "SHARE" in limited.stdout.splitlines()[0]

    as_csv = cli(stack, "usage", "--format", "csv")
    assert as_csv.returncode == 0, as_csv.stderr
    rows = {row["name"]: row for row in csv.DictReader(io.StringIO(as_csv.stdout))}
    assert [rows["a1"]["input_tokens"], rows["a1"]["output_tokens"], rows["a1"]["charged"]] == ledger
    assert rows["a1"]["requests"] == "2"
    as_json = json.loads(cli(stack, "usage", "--group", "studio-b", "--since", "2026-01-01", "--format", "json").stdout)
    # b1, dropped, tried once more and was refused: the attempt is on record, at no cost.
    by_name = {line["name"]: line for line in as_json}
    assert sorted(by_name) == ["a1", "b1"] and str(by_name["a1"]["inputTokens"]) == ledger[0]
    assert by_name["b1"]["inputTokens"] == 0 and by_name["b1"]["requests"] == 1
    table = cli(stack, "usage", "--by", "group")
    assert table.returncode == 0 and "studio-b" in table.stdout and "GROUP" in table.stdout

    grant = cli(stack, "quota", "grant", "--student", "a1", "--tokens", "200k", "--reason", "deadline rescue")
    assert grant.returncode == 0 and "granted 200k" in grant.stdout, grant.stdout + grant.stderr
    shown = cli(stack, "quota", "show")
    assert shown.returncode == 0 and "allowance: 500k" in shown.stdout and "resets" in shown.stdout

    student = cli(stack, "students", "show", "a1")
    assert student.returncode == 0 and "this period:" in student.stdout and "700k" in student.stdout, student.stdout + student.stderr
    assert "b1" in cli(stack, "students", "list").stdout
    assert course in cli(stack, "courses", "list").stdout
    key_lines = cli(stack, "keys", "list").stdout.splitlines()
    assert any(line.startswith("b1\t") and line.endswith("\trevoked") for line in key_lines), key_lines
    suspended = cli(stack, "keys", "suspend", key_lines[1].split("\t")[1], "--reason", "shared on a forum")
    assert suspended.returncode == 0 and "suspended" in suspended.stdout, suspended.stderr
    refused = cli(stack, "tokens", "create", "--name", "tutor", "--grant-course", course)
    assert refused.returncode == 1 and "only a university admin" in refused.stderr
    assert "enrolment.synced" in cli(stack, "audit").stdout

    export = tmp_path / "research.jsonl"
    assert cli(stack, "export", "--since", "2026-01-01", "--out", str(export)).returncode == 2, "--research is required"
    exported = cli(stack, "export", "--research", "--since", "2026-01-01", "--out", str(export))
    assert exported.returncode == 0, exported.stderr
    assert stat.S_IMODE(export.stat().st_mode) == 0o600
    lines = [json.loads(line) for line in export.read_text().splitlines()]
    assert len(lines) == 2 and {line["student"] for line in lines} != {"a1"} and len({line["student"] for line in lines}) == 1
    assert all(line["request"]["messages"] for line in lines) and "a1" not in export.read_text().replace("\\n", " ").split()


def test_mistakes_get_exit_codes_and_say_what_to_do(staff, tmp_path):
    assert cli(staff, "usage", "--format", "xml").returncode == 2
    assert cli(staff, "quota", "set", "--carry-cap", "50%").returncode == 2
    unreachable = subprocess.run([str(BIN_DIR / "goosey"), "usage"], env={**staff.cli_env, "GOOSEY_URL": "http://127.0.0.1:1"},
                                 capture_output=True, text=True, timeout=60)
    assert unreachable.returncode == 1 and "cannot reach the coordinator" in unreachable.stderr
    rejected = subprocess.run([str(BIN_DIR / "goosey"), "usage"], env={**staff.cli_env, "GOOSEY_TOKEN": "gooseyadmin_wrong"},
                              capture_output=True, text=True, timeout=60)
    assert rejected.returncode == 1 and "rejected the admin token" in rejected.stderr
    other = cli(staff, "usage", "--course", "SOMEONE-ELSES")
    assert other.returncode == 1 and "no access to course SOMEONE-ELSES" in other.stderr
    pasted = cli(staff, "keys", "suspend", staff.student_key, "--reason", "pasted the key, not its ID")
    assert pasted.returncode == 2 and "its key ID is" in pasted.stderr, pasted.stderr
    assert staff.student_key not in pasted.stdout + pasted.stderr, "the key is never repeated"


class _AnswerLost(http.server.BaseHTTPRequestHandler):
    """A coordinator that plans a sync, then applies it and hangs up before answering."""
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        if body.get("dryRun"):
            answer = json.dumps({"plan": {"new": ["a1", "b1"], "dropped": [], "moved": [], "updated": []}}).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
        else:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)

    def log_message(self, *args):
        pass


def test_a_sync_whose_answer_is_lost_says_how_to_get_keys_for_the_new_students(staff, tmp_path):
    roster = tmp_path / "enrolments.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _AnswerLost)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        keys = tmp_path / "keys.csv"
        lost = subprocess.run([str(BIN_DIR / "goosey"), "sync", "--source", str(roster), "--keys-out", str(keys)],
                              env={**staff.cli_env, "GOOSEY_URL": f"http://127.0.0.1:{server.server_port}"},
                              capture_output=True, text=True, timeout=120)
    finally:
        server.shutdown()
    assert lost.returncode == 1 and "may have applied the sync" in lost.stderr and "goosey keys rotate" in lost.stderr, lost.stderr
    assert not keys.exists(), "no empty key file left behind"


def test_the_sketched_forms_with_a_config_file_and_a_big_sync(staff, tmp_path):
    """Run from a folder with goosey.toml and no GOOSEY_* variables, exactly as typed in the sketch; a sync
    of 2,000 students shows its progress on a terminal and nothing of it when piped."""
    stack, course = staff, staff.cli_course
    (tmp_path / "goosey.toml").write_text(
        f'[goosey]\nurl = "{stack.coordinator_url}"\ntoken = "{stack.cli_env["GOOSEY_TOKEN"]}"\n'
        f'course = "{course}"\nedgeURL = "{stack.edge_url}"\n')
    env = {name: value for name, value in stack.cli_env.items() if not name.startswith("GOOSEY_")}

    def typed(command):
        return subprocess.run(command, shell=True, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)

    roster = "id,name,email,group,consent\n" + "".join(
        f"s{n:04},Student {n},s{n}@uni.example,studio-{'ab'[n % 2]},{'yes' if n % 3 == 0 else 'no'}\n" for n in range(2000))
    (tmp_path / "enrolments.csv").write_text(roster)
    on_terminal = typed(f"script -qec 'goosey sync --source enrolments.csv --keys-out keys.csv' /dev/null".replace(
        "goosey ", f"{BIN_DIR / 'goosey'} ", 1))
    assert on_terminal.returncode == 0, on_terminal.stdout
    assert "sync of 2000 students: planning done in" in on_terminal.stdout
    assert "sync of 2000 students: applying done in" in on_terminal.stdout
    assert "2000 new, 0 dropped" in on_terminal.stdout
    assert len((tmp_path / "keys.csv").read_text().splitlines()) == 2001
    assert postgres("SELECT count(*) FROM students WHERE course_id = :'p1'", course) == [["2000"]]

    goosey_bin = BIN_DIR / "goosey"
    piped = typed(f"{goosey_bin} sync --source enrolments.csv")
    assert piped.returncode == 0 and "nothing to change" in piped.stdout and piped.stderr == "", piped.stderr

    carry = typed(f"{goosey_bin} quota set --limit 500k --reset-period 7d --carry-over")
    assert carry.returncode == 0, carry.stderr
    assert "carry-over: all" in typed(f"{goosey_bin} quota show").stdout
    assert typed(f"{goosey_bin} quota set --limit 500k --reset-period 7d").returncode == 0
    assert "carry-over: none" in typed(f"{goosey_bin} quota show").stdout

    key = next(row["key"] for row in csv.DictReader(io.StringIO((tmp_path / "keys.csv").read_text())) if row["id"] == "s0000")
    client = anthropic.Anthropic(base_url=stack.edge_url, api_key=key, max_retries=0)
    client.messages.create(model=MODEL, max_tokens=64, messages=[{"role": "user", "content": "What is a monad?"}])
    wait_until(lambda: postgres("SELECT count(*) FROM requests WHERE course_id = :'p1' AND student_id = 's0000'", course) == [["1"]],
               timeout=30, what="s0000's record in Postgres")

    studio_a = typed(f'{goosey_bin} usage --group "studio-a" --since 2026-03-01')
    assert studio_a.returncode == 0, studio_a.stderr
    assert [line.split()[0] for line in studio_a.stdout.splitlines()[1:2]] == ["s0000"], studio_a.stdout
    assert "s0001" not in studio_a.stdout, "s0001 is in studio-b"

    report = typed(f"{goosey_bin} usage --format csv > usage-report.csv")
    assert report.returncode == 0 and report.stdout == "", report.stderr
    rows = list(csv.DictReader(io.StringIO((tmp_path / "usage-report.csv").read_text())))
    ledger = postgres("SELECT input_tokens, output_tokens, charge FROM requests WHERE course_id = :'p1' AND student_id = 's0000'", course)[0]
    mine = next(row for row in rows if row["name"] == "s0000")
    assert [mine["input_tokens"], mine["output_tokens"], mine["charged"]] == ledger and mine["requests"] == "1"
