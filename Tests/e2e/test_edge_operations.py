"""What ops and staff see of a running edge: health, metrics, logs without secrets, the CLI."""
import json
import os
import subprocess
from pathlib import Path
import urllib.request

import anthropic

from conftest import BIN_DIR


def get(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode()


def test_health_and_readiness_answer(stack):
    assert get(stack.edge_url + "/healthz")[0] == 200
    assert get(stack.edge_url + "/readyz")[0] == 200


def test_metrics_count_requests_and_tokens(stack):
    client = anthropic.Anthropic(base_url=stack.edge_url, api_key=stack.student_key, max_retries=0)
    client.messages.create(model="claude-sonnet-4-6", max_tokens=16, messages=[{"role": "user", "content": "hi"}])
    status, text = get(stack.edge_url + "/metrics")
    assert status == 200
    assert 'goosey_edge_requests_total{route="messages",status="2xx"}' in text
    assert 'goosey_edge_tokens_total{class="output"}' in text
    assert stack.upstream_key not in text and stack.student_key not in text


def test_no_key_ever_reaches_the_edge_log_or_records(stack):
    client = anthropic.Anthropic(base_url=stack.edge_url, api_key=stack.student_key, max_retries=0)
    client.messages.create(model="claude-sonnet-4-6", max_tokens=16, messages=[{"role": "user", "content": "hi"}])
    log = stack.edge_log_text()
    records = json.dumps(stack.edge_records())
    assert records != "[]"
    for secret in (stack.upstream_key, stack.student_key):
        assert secret not in log
        assert secret not in records


def test_goosey_cli_answers_version_and_help():
    version = subprocess.run([str(BIN_DIR / "goosey"), "--version"], capture_output=True, text=True, timeout=30)
    assert version.returncode == 0 and version.stdout.strip()[0].isdigit()
    usage = subprocess.run([str(BIN_DIR / "goosey"), "--help"], capture_output=True, text=True, timeout=30)
    assert usage.returncode == 0 and "USAGE: goosey" in usage.stdout


def test_the_edge_allocates_with_tcmalloc():
    """Every allocation of the Swift runtime, Foundation and hiredis in the edge goes to tcmalloc (Package.swift
    links it), not to glibc's malloc: dropping the link, or a linker that drops an unreferenced library, fails here."""
    result = subprocess.run([str(BIN_DIR / "goosey-edge"), "--help"], env={"PATH": "/usr/bin:/bin", "LD_DEBUG": "bindings"},
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0
    bindings = [line for line in result.stderr.splitlines() if "normal symbol `malloc'" in line]
    from_swift = [line for line in bindings if "libswiftCore.so" in line.split(" to ")[0]]
    assert from_swift, "libswiftCore.so never bound malloc"
    assert all("libtcmalloc_minimal.so" in line.split(" to ")[1] for line in bindings), bindings[:3]


def test_edge_refuses_to_start_without_an_upstream_key(tmp_path):
    result = subprocess.run([str(BIN_DIR / "goosey-edge"), "--config", str(tmp_path / "missing.toml")],
                            env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert "missing.toml" in result.stderr


def test_status_line_script_shows_the_students_allowance(stack):
    script = Path(__file__).resolve().parents[2] / "ops" / "goosey-statusline"
    env = {"PATH": os.environ["PATH"], "ANTHROPIC_BASE_URL": stack.edge_url, "ANTHROPIC_API_KEY": stack.student_key}
    result = subprocess.run([str(script)], input="{}", env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0
    assert result.stdout.startswith("Goosey: ") and " tokens left " in result.stdout and "resets " in result.stdout
    assert stack.student_key not in result.stdout
