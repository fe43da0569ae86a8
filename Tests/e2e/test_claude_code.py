"""Real Claude Code (the binary bundled in the claude-agent-sdk package) in print mode through a
running edge: its own token and cost totals must equal what the edge counted."""
import json
import os
import subprocess
from pathlib import Path

import claude_agent_sdk
import pytest

from conftest import seed
from pricing import mock_usage_cost

CLAUDE = Path(claude_agent_sdk.__file__).parent / "_bundled" / "claude"
MODEL = "claude-sonnet-4-6"


def run_claude(stack, tmp_path, prompt, *extra_args, key=None):
    home = tmp_path / "home"
    work = tmp_path / "work"
    home.mkdir(exist_ok=True)
    work.mkdir(exist_ok=True)
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "ANTHROPIC_BASE_URL": stack.edge_url,
        "ANTHROPIC_API_KEY": key or stack.student_key,
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    }
    result = subprocess.run(
        [str(CLAUDE), "-p", prompt, "--output-format", "json", "--model", MODEL, *extra_args],
        env=env, cwd=work, capture_output=True, text=True, timeout=180)
    assert result.stdout, f"claude printed nothing; stderr: {result.stderr[-2000:]}"
    return json.loads(result.stdout)


def inference_records(stack, session_id):
    return [r for r in stack.edge_records()
            if r.get("claudeCodeSessionID") == session_id and r["path"] == "/v1/messages"]


def assert_edge_totals_equal_claude_codes(stack, output):
    assert output["is_error"] is False, output
    records = inference_records(stack, output["session_id"])
    assert records, "the edge recorded no inference request for this Claude Code session"
    totals = {key: sum(r["usage"][key] for r in records)
              for key in ("input", "output", "cache_read",
                          "cache_write_5m", "cache_write_1h")}
    usage = output["usage"]
    assert totals["input"] == usage["input_tokens"]
    assert totals["output"] == usage["output_tokens"]
    assert totals["cache_read"] == usage["cache_read_input_tokens"]
    assert totals["cache_write_5m"] + totals["cache_write_1h"] == usage["cache_creation_input_tokens"]
    edge_cost = sum(r["costPicoUSD"] for r in records)
    assert edge_cost == sum(mock_usage_cost(MODEL, stack.mock_record(r["upstreamRequestID"])["usage"]) for r in records)
    assert abs(edge_cost / 1e12 - output["total_cost_usd"]) < 1e-9
    return records


def test_a_claude_code_question_is_counted_exactly(stack, tmp_path):
    output = run_claude(stack, tmp_path, "Say hello to the class.")
    records = assert_edge_totals_equal_claude_codes(stack, output)
    assert all(r["status"] == 200 and not r["estimated"] for r in records)


def test_a_claude_code_tool_use_round_trip_is_counted_exactly(stack, tmp_path):
    output = run_claude(stack, tmp_path, "[mock:tool_use] Run the check.", "--allowedTools", "Bash")
    records = assert_edge_totals_equal_claude_codes(stack, output)
    assert len(records) >= 2, "a tool-use round trip takes two inference requests"
    assert "goosey-roundtrip" in output["result"]


def test_a_student_who_runs_out_mid_session_gets_the_refusal_and_claude_code_stops(stack, tmp_path):
    # 8k weighted tokens: the first request of the round trip is admitted and uses it all up.
    key = seed(stack.course + "-OUT", "runs-out", "8k")
    output = run_claude(stack, tmp_path, "[mock:tool_use] Run the check.", "--allowedTools", "Bash", key=key)
    assert output["is_error"] is True
    assert output["api_error_status"] == 429
    assert "spend limit reached" in output["result"]
    assert "ask your course staff for a grant" in output["result"]
    records = inference_records(stack, output["session_id"])
    refused = [r for r in records if r["status"] == 429]
    assert len(refused) == 1 and refused[0].get("upstreamRequestID") is None and refused[0]["errorType"] == "billing_error", \
        "the refused request never left the edge, and is on record"
    records = [r for r in records if r["status"] != 429]
    assert len(records) == 1
    first = records[0]
    assert first["status"] == 200 and first["stopReason"] == "tool_use" and not first["estimated"]
    mock = stack.mock_record(first["upstreamRequestID"])
    assert mock["complete"] and first["responseBytes"] == mock["responseBytes"]
