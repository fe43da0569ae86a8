"""The "When things fail" table of DESIGN.md under load (issue 9): a whole cluster (HAProxy, 3 edges, the
coordinator, Redis, PostgreSQL, the mock upstream) serves Claude Code-shaped streams while one part at a time
is killed or stopped. After each scenario, every request the mock billed is in PostgreSQL exactly once with its
usage, Redis's balances agree with the PostgreSQL ledger, and no process died that was not killed.

With GOOSEY_FAULT_REPORT set to a file, each scenario appends its figures there (a Markdown table row)."""
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

from cluster import Cluster, Load, seconds_since, wait_for_traffic
from conftest import BIN_DIR, wait_until

PORT = 18985
PORTS = 19300  # the cluster's internal ports start here
STANDBY_PORT = PORTS + 50  # a second coordinator, for the leader's failover
LEASE_SECONDS = 9  # short, so a dead edge's leases expire within the test


@pytest.fixture(scope="module")
def cluster():
    # One key stands in for a whole class here, so the edges' per-key limits are off.
    cluster = Cluster(PORT, PORTS, LIMITS_PER_KEY_CONCURRENCY="0", LIMITS_PER_KEY_REQUESTS_PER_MINUTE="0",
                      QUOTA_LEASE_SECONDS=str(LEASE_SECONDS))
    try:
        cluster.ops("up", "--edges", "3")
        cluster.goosey("quota", "set", "--limit", "100M", "--reset-period", "7d", "--reason", "fault suite")
        cluster.goosey("courses", "create", "FAIL-CLOSED", "--name", "Fail-closed course", "--reason", "fault suite")
        cluster.goosey("quota", "set", "--course", "FAIL-CLOSED", "--limit", "100M", "--reset-period", "7d", "--fail-closed",
                       "--reason", "fault suite")
        cluster.closed_key = cluster.goosey("keys", "issue", "--course", "FAIL-CLOSED", "--student", "closed-1",
                                            "--reason", "fault suite").stdout.strip()
        cluster.accounted = set()  # the mock's request ids already checked by an earlier scenario
        yield cluster
    finally:
        cluster.down()


def report(scenario, **figures):
    path = os.environ.get("GOOSEY_FAULT_REPORT")
    if path:
        with open(path, "a") as out:
            out.write(f"| {scenario} | " + " | ".join(str(value) for value in figures.values()) + " |\n")


def leading(url):
    try:
        with urllib.request.urlopen(url + "/metrics", timeout=2) as response:
            return "goosey_coordinator_leading 1" in response.read().decode()
    except OSError:
        return False


def stored_requests(cluster):
    return int(cluster.psql("SELECT count(*) FROM requests")[0][0])


def seconds_until_stored_beyond(cluster, count, since, what):
    """Waits until PostgreSQL holds more than `count` records; the seconds from `since` until then."""
    wait_until(lambda: stored_requests(cluster) > count, timeout=60, what=what)
    return seconds_since(since)


def refuses(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return False
    except ConnectionRefusedError:
        return True


def account(cluster, loads, scenario, recovered_in):
    """Every request the mock billed since the last scenario, in PostgreSQL exactly once with the mock's usage;
    Redis agrees with the ledger once the leader has reconciled what was in flight."""
    billed = {r["requestID"]: r for r in cluster.mock_records() if r["path"] == "/v1/messages" and r["status"] == 200}
    fresh = {rid: r for rid, r in billed.items() if rid not in cluster.accounted}

    def stored():
        rows = cluster.psql("SELECT upstream_request_id, count(*), min(input_tokens), min(output_tokens), bool_and(estimated),"
                            " min(error_type) FROM requests WHERE upstream_request_id IS NOT NULL GROUP BY 1")
        return {row[0]: row[1:] for row in rows}
    rows = wait_until(lambda: (lambda s: s if all(rid in s for rid in fresh) else None)(stored()), timeout=120,
                      what=f"every billed request of '{scenario}' in PostgreSQL")
    duplicated = [rid for rid in fresh if rows[rid][0] != "1"]
    unbilled = [rid for rid in rows if rid not in billed]
    assert unbilled == [], f"records of requests the mock never billed: {unbilled[:5]}"
    cut = []
    for rid, record in fresh.items():
        count, input_tokens, output_tokens, estimated, error_type = rows[rid]
        assert int(input_tokens) == record["usage"]["input_tokens"], f"{rid}: input {input_tokens} != billed {record['usage']}"
        if estimated == "t":
            cut.append(rid)
            assert error_type == "edge_stopped" and not record["complete"], f"{rid} estimated: {rows[rid]}, billed {record}"
        else:
            assert int(output_tokens) == record["usage"]["output_tokens"], f"{rid}: output {output_tokens} != billed {record['usage']}"
    wait_until(lambda: cluster.goosey("reconcile", "--check", check=False).returncode == 0, timeout=90,
               what="Redis's balances to agree with the PostgreSQL ledger")
    cluster.accounted |= set(fresh)
    sent = sum(len(load.outcomes) for load in loads)
    refused = sum(load.count("refused") for load in loads)
    logged = sum(1 for rid in fresh if rid in rows)
    report(scenario, sent=sent, refused=refused, billed=len(fresh), logged=logged, cut=len(cut),
           lost=len(fresh) - logged, duplicated=len(duplicated), recovered=recovered_in)
    assert duplicated == [], f"stored more than once: {duplicated[:5]}"
    return fresh, cut


def test_an_edge_killed_with_streams_open(cluster):
    """SIGKILL one edge mid-stream: the others keep serving, its streams' records come back with it."""
    before = cluster.pids()

    def in_flight(edge):
        with urllib.request.urlopen(f"http://127.0.0.1:{PORTS + 100 + edge}/metrics", timeout=2) as response:
            lines = [line for line in response.read().decode().splitlines() if line.startswith("goosey_edge_in_flight_streams ")]
        assert lines, "the edge's /metrics shows its in-flight streams from the start"
        return int(float(lines[0].split()[1]))

    def journaled(edge):
        opened = set()
        for line in (cluster.data / "edges" / f"edge-{edge}" / "spool" / "open-streams.journal").read_text().splitlines():
            if line.startswith("+"):
                opened.add(json.loads(line[1:])["id"])
            else:
                opened.discard(line[1:])
        return len(opened)

    def holding(edge):
        n = in_flight(edge)
        return (edge, n) if n > 0 and journaled(edge) == n else None

    with Load(PORT, cluster.student_key, clients=9, deltas=40, delay_ms=150) as load:
        wait_for_traffic(load, 9, what="traffic through three edges")
        load.pause()
        # HAProxy spreads the clients' connections as it sees fit: the victim is an edge that holds streams.
        number, open_streams = wait_until(lambda: next(filter(None, (holding(edge) for edge in (2, 1, 3))), None), timeout=30,
                                          what="an edge to hold streams, each journaled")
        victim = f"edge-{number}"
        os.kill(cluster.pid_of(victim), signal.SIGKILL)
        # A dying process's listening socket still completes handshakes until the kernel closes it: a request
        # sent there then gets HAProxy's 502, which a client retries. New requests wait until it is gone.
        wait_until(lambda: refuses(PORTS + 100 + number), timeout=30, what=f"{victim}'s port to refuse connections")
        load.resume()
        wait_for_traffic(load, 9, what="traffic through the two edges left")
        restarted = time.monotonic()
        cluster.sh(f"cluster_upstream && cluster_start_edge {number}")
        wait_for_traffic(load, 9, what="traffic with the edge back")
    assert load.failures(allowed=("cut",)) == [], load.failures(allowed=("cut",))[:5]
    assert load.count("cut") == open_streams, "exactly the killed edge's streams were cut"
    wait_until(lambda: int(cluster.psql("SELECT count(*) FROM requests WHERE error_type = 'edge_stopped'")[0][0]) == open_streams,
               timeout=60, what="the cut streams' records from the restarted edge's journal")
    recovered = seconds_since(restarted)
    fresh, cut = account(cluster, [load], "edge SIGKILLed with streams open", recovered)
    assert len(cut) == open_streams, "each cut stream is stored once, estimated"
    after = cluster.pids()
    assert {k: v for k, v in after.items() if k != victim} == {k: v for k, v in before.items() if k != victim}
    assert after[victim] != before[victim]


def test_redis_stopped_for_30_seconds_then_restarted_empty(cluster):
    """Fail-open courses keep serving under the emergency cap, fail-closed ones answer 503; Redis comes back
    empty, the leader rebuilds it from PostgreSQL, and the balances are right."""
    before = cluster.pids()
    with Load(PORT, cluster.student_key) as open_load, Load(PORT, cluster.closed_key, clients=2) as closed_load:
        wait_for_traffic(open_load, 6, what="traffic before the outage")
        wait_for_traffic(closed_load, 2, what="fail-closed traffic before the outage")
        stopped = time.monotonic()
        cluster.sh('goosey_redis_stop "$GOOSEY_DATA"')
        wait_for_traffic(open_load, 12, timeout=30, what="the fail-open course served while Redis is down")
        wait_until(lambda: closed_load.count("refused") > 0, timeout=30, what="a 503 for the fail-closed course")
        time.sleep(max(0.0, 30 - (time.monotonic() - stopped)))  # the outage lasts 30 s, whatever the load did
        cluster.sh('goosey_redis_start "$GOOSEY_DATA"')
        restarted = time.monotonic()
        closed_ok = closed_load.ok
        wait_until(lambda: closed_load.ok > closed_ok, timeout=60, what="the fail-closed course served again")
        recovered = seconds_since(restarted)
        wait_for_traffic(open_load, 6, what="traffic after the outage")
    closed_refusals = [o for o in closed_load.outcomes if o[0] == "refused"]
    assert {o[1] for o in closed_refusals} == {503}, closed_refusals[:3]
    assert all("api_error" in o[3] for o in closed_refusals), closed_refusals[:3]
    assert open_load.failures() == [], open_load.failures()[:5]
    assert closed_load.failures(allowed=("refused:503",)) == [], closed_load.failures(allowed=("refused:503",))[:5]
    account(cluster, [open_load, closed_load], "Redis stopped 30 s, restarted empty", recovered)
    assert cluster.pids() == before


def test_the_coordinator_stopped_for_two_minutes(cluster):
    """Students notice nothing; the edges' spools hold the records and ship them when it is back."""
    before = cluster.pids()
    with Load(PORT, cluster.student_key) as load:
        wait_for_traffic(load, 6, what="traffic before the outage")
        os.kill(cluster.pid_of("coordinator"), signal.SIGKILL)
        stopped = time.monotonic()
        wait_for_traffic(load, 12, what="traffic while the coordinator is down")
        time.sleep(max(0.0, 120 - (time.monotonic() - stopped)))  # the outage lasts two minutes
        waiting = stored_requests(cluster)
        cluster.sh("cluster_start_coordinator")
        recovered = seconds_until_stored_beyond(cluster, waiting, time.monotonic(), "the spools to ship to the coordinator again")
        wait_for_traffic(load, 6, what="traffic after the outage")
    assert load.failures() == [], load.failures()[:5]
    account(cluster, [load], "coordinator stopped 2 min", recovered)
    after = cluster.pids()
    assert {k: v for k, v in after.items() if k != "coordinator"} == {k: v for k, v in before.items() if k != "coordinator"}


def test_postgres_restarted(cluster):
    """Students notice nothing; the coordinator retries and nothing is lost."""
    before = cluster.pids()
    with Load(PORT, cluster.student_key) as load:
        wait_for_traffic(load, 6, what="traffic before the restart")
        cluster.sh('goosey_postgres_stop "$GOOSEY_DATA"')
        wait_for_traffic(load, 6, what="traffic while PostgreSQL is down")
        cluster.sh('goosey_postgres_start "$GOOSEY_DATA"')
        restarted = time.monotonic()
        recovered = seconds_until_stored_beyond(cluster, stored_requests(cluster), restarted, "records stored again")
        wait_for_traffic(load, 6, what="traffic after the restart")
    assert load.failures() == [], load.failures()[:5]
    account(cluster, [load], "PostgreSQL restarted", recovered)
    assert cluster.pids() == before


def test_the_leader_killed_fails_over_to_a_standby(cluster):
    """A second coordinator takes the lead within seconds of the first one's death, and keeps the books."""
    config = cluster.data / "standby.toml"
    config.write_text((cluster.data / "coordinator.toml").read_text().replace(f"port = {PORTS + 1}", f"port = {STANDBY_PORT}"))
    standby_url = f"http://127.0.0.1:{STANDBY_PORT}"
    env = {**cluster.env, "INGEST_TOKEN": (cluster.data / "ingest.token").read_text().strip()}
    with open(cluster.data / "standby.log", "a") as log:
        standby = subprocess.Popen([str(BIN_DIR / "goosey"), "serve", "--config", str(config)], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: leading(cluster.coordinator_url) and not leading(standby_url) and (standby.poll() is None), timeout=30,
                   what="the first coordinator leading and the standby waiting")
        before = cluster.pids()
        with Load(PORT, cluster.student_key) as load:
            wait_for_traffic(load, 6, what="traffic before the failover")
            os.kill(cluster.pid_of("coordinator"), signal.SIGKILL)
            killed = time.monotonic()
            wait_until(lambda: leading(standby_url), timeout=60, what="the standby to take the lead")
            failover = seconds_since(killed)
            wait_for_traffic(load, 6, what="traffic under the new leader")
            cluster.sh("cluster_start_coordinator")
            wait_for_traffic(load, 6, what="traffic with the old leader back, as a standby")
        assert not leading(cluster.coordinator_url), "the restarted coordinator does not take the lead back"
        assert load.failures() == [], load.failures()[:5]
        account(cluster, [load], "leader SIGKILLed, standby takes over", failover)
        after = cluster.pids()
        assert {k: v for k, v in after.items() if k != "coordinator"} == {k: v for k, v in before.items() if k != "coordinator"}
        assert standby.poll() is None
    finally:
        standby.terminate()
        standby.wait(timeout=30)
