# shellcheck shell=bash
# A whole Goosey on one machine, all state under one data folder: private Redis and PostgreSQL, the
# coordinator, N edges, HAProxy in front of them, and (without ANTHROPIC_API_KEY) the mock upstream.
# ops/up, ops/scale, ops/status and ops/down are thin wrappers over these functions.
#
# Environment: GOOSEY_CLUSTER_DATA (.data/cluster), GOOSEY_PORT (8080: HAProxy), GOOSEY_BIN_DIR (binaries
# already built; default: a release build), GOOSEY_CLUSTER_PORTS (18600: first of the internal ports).
set -euo pipefail

cluster_log() { printf '[goosey] %s\n' "$*" >&2; }
cluster_fatal() { printf '[goosey] error: %s\n' "$*" >&2; exit 1; }

cluster_init() {
    repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
    data="${GOOSEY_CLUSTER_DATA:-$repo/.data/cluster}"
    mkdir -p "$data/edges"
    # Searchable, not readable, by others: PostgreSQL runs as its own user below it; secrets are mode 600.
    chmod 711 "$data"
    data="$(cd "$data" && pwd -P)"
    port="${GOOSEY_PORT:-8080}"
    base="${GOOSEY_CLUSTER_PORTS:-18600}"
    coordinator_port=$((base + 1))
    mock_port=$((base + 2))
    export GOOSEY_DATA="$data/services" GOOSEY_TEST_REDIS_PORT=$((base + 3)) GOOSEY_TEST_POSTGRES_PORT=$((base + 4))
    # shellcheck source=services.sh
    source "$repo/ops/lib/services.sh"
    # Goosey's processes share this machine with Redis: its Unix socket spares both sides the TCP stack.
    redis_url="unix://$(goosey_redis_socket)"
    postgres_url="postgres://goosey@127.0.0.1:$GOOSEY_TEST_POSTGRES_PORT/goosey_test"
    coordinator_url="http://127.0.0.1:$coordinator_port"
}

cluster_binaries() {
    if [ -n "${GOOSEY_BIN_DIR:-}" ]; then
        bin="$GOOSEY_BIN_DIR"
    else
        cluster_log "building (release; the first build takes several minutes)"
        for product in goosey goosey-edge goosey-mock; do
            (cd "$repo" && swift build -c release --product "$product" >&2) || cluster_fatal "the build of $product failed"
        done
        bin="$(cd "$repo" && swift build -c release --show-bin-path)"
    fi
    for product in goosey goosey-edge goosey-mock; do [ -x "$bin/$product" ] || cluster_fatal "$bin/$product is missing"; done
}

# A secret made once and kept in the data folder (mode 600).
cluster_secret() {
    local file="$data/$1"
    [ -s "$file" ] || (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$file")
    cat "$file"
}

cluster_alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2> /dev/null; }

# The upstream ops/up chose, for edges started later (ops/scale).
cluster_upstream() {
    upstream_url="$(cat "$data/upstream.url" 2> /dev/null)" || cluster_fatal "no cluster here ($data): run ops/up first"
    if [ "$upstream_url" = "http://127.0.0.1:$mock_port" ]; then
        upstream_key="sk-ant-api03-mock-$(cat "$data/mock.key")"
    else
        upstream_key="${ANTHROPIC_API_KEY:?set ANTHROPIC_API_KEY: new edges need the upstream key, which is never written down}"
    fi
}

# Waits up to 60 s for $1 to answer 200.
cluster_wait_http() {
    local try
    for try in $(seq 1 240); do
        curl -fsS -o /dev/null --max-time 1 "$1" 2> /dev/null && return 0
        sleep 0.25
    done
    return 1
}

# The upstream the edges use: Anthropic with ANTHROPIC_API_KEY (never written down), else the mock, started here.
cluster_start_mock() {
    if [ -n "${ANTHROPIC_API_KEY:-}" ]; then
        upstream_url="https://api.anthropic.com"
        upstream_key="$ANTHROPIC_API_KEY"
        echo "$upstream_url" > "$data/upstream.url"
        return 0
    fi
    upstream_url="http://127.0.0.1:$mock_port"
    upstream_key="sk-ant-api03-mock-$(cluster_secret mock.key)"
    echo "$upstream_url" > "$data/upstream.url"
    if ! cluster_alive "$data/mock.pid"; then
        MOCK_API_KEY="$upstream_key" nohup "$bin/goosey-mock" --port "$mock_port" > "$data/mock.log" 2>&1 &
        echo $! > "$data/mock.pid"
        cluster_log "no ANTHROPIC_API_KEY: the mock Anthropic upstream answers on $upstream_url (canned answers)"
    fi
}

cluster_start_coordinator() {
    cluster_alive "$data/coordinator.pid" && return 0
    printf '[coordinator]\nport = %s\n[postgres]\nurl = "%s"\n[redis]\nurl = "%s"\n' \
        "$coordinator_port" "$postgres_url" "$redis_url" > "$data/coordinator.toml"
    INGEST_TOKEN="$(cluster_secret ingest.token)" nohup "$bin/goosey" serve --config "$data/coordinator.toml" \
        >> "$data/coordinator.log" 2>&1 &
    echo $! > "$data/coordinator.pid"
    cluster_wait_http "$coordinator_url/healthz" || cluster_fatal "the coordinator did not start; see $data/coordinator.log"
}

# The edges that run, by number.
cluster_edges() {
    local pidfile
    for pidfile in "$data"/edges/*/edge.pid; do
        [ -e "$pidfile" ] || continue
        cluster_alive "$pidfile" && basename "$(dirname "$pidfile")" | sed 's/^edge-//'
    done | sort -n
}

cluster_edge_port() { echo $((base + 100 + $1)); }

cluster_start_edge() {
    local n="$1" dir="$data/edges/edge-$1" edge_port
    edge_port="$(cluster_edge_port "$n")"
    mkdir -p "$dir"
    cat > "$dir/goosey.toml" <<TOML
[http]
host = "127.0.0.1"
port = $edge_port
[edge]
id = "edge-$n"
[upstream]
url = "$upstream_url"
[redis]
url = "$redis_url"
[spool]
path = "$dir/spool"
[coordinator]
url = "$coordinator_url"
TOML
    ANTHROPIC_API_KEY="$upstream_key" COORDINATOR_INGEST_TOKEN="$(cluster_secret ingest.token)" \
        nohup "$bin/goosey-edge" --config "$dir/goosey.toml" >> "$dir/edge.log" 2>&1 &
    echo $! > "$dir/edge.pid"
    cluster_wait_http "http://127.0.0.1:$edge_port/readyz" || cluster_fatal "edge-$n did not start; see $dir/edge.log"
    cluster_log "edge-$n ready on 127.0.0.1:$edge_port"
}

# HAProxy in front of the edges given as arguments: (re)written config, started or reloaded without
# dropping a connection (the old process serves what it has, -sf).
cluster_haproxy() {
    local n hard maxconn
    # Each connection is two descriptors (client and edge side): as many as the limit allows, up to 20,000.
    hard="$(ulimit -Hn)"
    [ "$hard" = unlimited ] && hard=1048576
    maxconn=$(( (hard - 200) / 2 < 20000 ? (hard - 200) / 2 : 20000 ))
    {
        cat <<CFG
global
    maxconn $maxconn
    # Claude Code bodies reach 800 KB: with the default 16 KB buffers a large body crosses HAProxy in many
    # small steps, and one in a hundred then waits ~5 ms more for its first byte (400 KB bodies, one client:
    # p99 7.4-7.5 ms with 16 KB, 3.4-3.7 ms with 64 KB). Buffers are taken only while data is passing, so
    # quiet streams between events hold none.
    tune.bufsize 65536
    pidfile $data/haproxy.pid

defaults
    mode http
    timeout connect 5s
    # Claude Code streams run for minutes and go quiet while the model thinks: ten minutes either way.
    timeout client 10m
    timeout server 10m
    timeout http-request 30s
    timeout http-keep-alive 60s
    option redispatch
    retries 2
    # Stream events go out as they come: without it HAProxy lets the kernel hold a small write back for up
    # to 200 ms, which a stream's first event and every event before a pause would wait for.
    option http-no-delay

frontend goosey
    bind 127.0.0.1:$port
    # Students reach the API through here; the edges' metrics are for Prometheus, which scrapes each edge.
    http-request deny deny_status 404 if { path_beg /metrics }
    default_backend edges

backend edges
    # One Claude Code session stays on one edge; sessions spread evenly; no header: round robin.
    balance hdr(X-Claude-Code-Session-Id)
    hash-type consistent
    option httpchk GET /readyz
    http-check expect status 200
    default-server check inter 1s fall 2 rise 1
CFG
        for n in "$@"; do echo "    server edge-$n 127.0.0.1:$(cluster_edge_port "$n")"; done
    } > "$data/haproxy.cfg"
    haproxy -c -q -f "$data/haproxy.cfg" || cluster_fatal "HAProxy refuses $data/haproxy.cfg"
    if cluster_alive "$data/haproxy.pid"; then
        haproxy -D -f "$data/haproxy.cfg" -sf "$(cat "$data/haproxy.pid")"
    else
        haproxy -D -f "$data/haproxy.cfg"
    fi
    cluster_wait_http "http://127.0.0.1:$port/readyz" || cluster_fatal "HAProxy does not answer on 127.0.0.1:$port"
}

# Stops edge $1 the gentle way: out of HAProxy first (the caller reloads it), then SIGTERM: it finishes its
# open streams, settles their leases, ships its spool and exits; SIGKILL only after $2 seconds.
cluster_drain_edge() {
    local n="$1" limit="$2" pidfile="$data/edges/edge-$1/edge.pid" pid waited=0
    cluster_alive "$pidfile" || return 0
    pid="$(cat "$pidfile")"
    kill -TERM "$pid"
    while kill -0 "$pid" 2> /dev/null; do
        if [ "$waited" -ge $((limit * 4)) ]; then
            cluster_log "edge-$n still running after ${limit}s: killing it (its spool ships when an edge starts on it)"
            kill -KILL "$pid"
            break
        fi
        sleep 0.25
        waited=$((waited + 1))
    done
    rm -f "$pidfile"
    cluster_log "edge-$n drained and stopped"
}

cluster_stop_pidfile() {
    local pidfile="$1" pid try
    cluster_alive "$pidfile" || { rm -f "$pidfile"; return 0; }
    pid="$(cat "$pidfile")"
    kill -TERM "$pid" 2> /dev/null || true
    for try in $(seq 1 120); do kill -0 "$pid" 2> /dev/null || break; sleep 0.25; done
    kill -KILL "$pid" 2> /dev/null || true
    rm -f "$pidfile"
}
