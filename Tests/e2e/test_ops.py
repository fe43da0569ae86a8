"""ops/up, ops/scale, ops/status and ops/down (issue 8): a whole cluster on this machine, scaled from 3 to
6 edges and down to 2 while Claude Code-shaped streams run through HAProxy: no request lost, no stream cut,
every record in Postgres."""
import http.client

import pytest

from cluster import Cluster, Load, wait_for_traffic
from conftest import wait_until

PORT = 18980
PORTS = 19000  # the cluster's internal ports start here


@pytest.fixture
def cluster():
    # One key stands in for a whole class here, so the edges' per-key limits are off.
    cluster = Cluster(PORT, PORTS, LIMITS_PER_KEY_CONCURRENCY="0", LIMITS_PER_KEY_REQUESTS_PER_MINUTE="0")
    try:
        up = cluster.ops("up", "--edges", "3")
        assert "mock Anthropic upstream" in up.stderr and "ANTHROPIC_API_KEY=goosey_" in up.stderr and "GOOSEY_TOKEN=gooseyadmin_" in up.stderr
        pids = cluster.pids()
        again = cluster.ops("up", "--edges", "3")
        assert cluster.pids() == pids, "a second ops/up starts nothing new"
        assert cluster.student_key in again.stderr
        yield cluster
    finally:
        cluster.down()


def test_scaling_up_and_down_under_load_loses_nothing(cluster):
    with Load(PORT, cluster.student_key) as load:
        wait_for_traffic(load, 6, what="traffic through three edges")
        cluster.ops("scale", "--edges", "6")
        wait_for_traffic(load, 12, what="traffic through six edges")
        cluster.ops("scale", "--edges", "2")
        wait_for_traffic(load, 6, what="traffic through two edges")
    assert load.failures() == [], load.failures()[:5]
    status = cluster.ops("status").stdout
    assert status.count("edge-") == 2 and "DOWN" not in status
    metrics = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
    metrics.request("GET", "/metrics")
    assert metrics.getresponse().status == 404, "students cannot read the edges' metrics: Prometheus scrapes each edge itself"

    def stored():
        return int(cluster.psql("SELECT count(*) FROM requests WHERE course_id = 'DEMO-COURSE' AND status = 200")[0][0])
    wait_until(lambda: stored() >= load.ok, timeout=60, what="every request's record in Postgres, the drained edges' too")
    assert stored() == load.ok, "nothing stored twice"

