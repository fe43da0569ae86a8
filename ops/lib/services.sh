# shellcheck shell=bash
# Private Redis and PostgreSQL servers for tests: each on its own loopback port, all state under one
# data folder, reused when already running from that folder. For scripts: a fatal error exits.
#
#   GOOSEY_DATA=$PWD/.data/test; source ops/lib/services.sh
#   goosey_services_start        # starts (or reuses) both, exports GOOSEY_TEST_REDIS_URL and GOOSEY_TEST_POSTGRES_URL
#   goosey_services_stop         # stops both
#   goosey_services_status       # says whether each answers
#
# Environment: GOOSEY_DATA (required unless a folder is passed), GOOSEY_TEST_REDIS_PORT (16379),
# GOOSEY_TEST_POSTGRES_PORT (15432), GOOSEY_SERVICES_WAIT_SECONDS (30).
# PostgreSQL refuses to run as root: as root, the cluster runs as the `postgres` system user (made by
# Debian's postgresql package) or, failing that, a `goosey` system user created here.
set -euo pipefail

_goosey_services_log() { printf '[services] %s\n' "$*" >&2; }
_goosey_services_fatal() { printf '[services] error: %s\n' "$*" >&2; exit 1; }

# The data folder from $1 or GOOSEY_DATA, made absolute.
_goosey_services_data() {
    local data="${1:-${GOOSEY_DATA:-}}"
    [ -n "$data" ] || _goosey_services_fatal "pass a data folder or set GOOSEY_DATA"
    mkdir -p "$data"
    (cd "$data" && pwd -P)
}

_goosey_redis_port() { printf '%s' "${GOOSEY_TEST_REDIS_PORT:-16379}"; }
_goosey_postgres_port() { printf '%s' "${GOOSEY_TEST_POSTGRES_PORT:-15432}"; }

# Runs "$@" until it succeeds, for at most GOOSEY_SERVICES_WAIT_SECONDS.
_goosey_services_wait() {
    local deadline=$((SECONDS + ${GOOSEY_SERVICES_WAIT_SECONDS:-30}))
    until "$@" >/dev/null 2>&1; do
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 0.1
    done
}

# Exports the URLs the Swift tests read (style guide §8).
goosey_services_env() {
    export GOOSEY_TEST_REDIS_URL="redis://127.0.0.1:$(_goosey_redis_port)"
    export GOOSEY_TEST_POSTGRES_URL="postgres://goosey@127.0.0.1:$(_goosey_postgres_port)/goosey_test"
}

# Starts (or reuses) both servers under the data folder and exports their URLs.
goosey_services_start() {
    local data
    data="$(_goosey_services_data "${1:-}")"
    # One starter at a time per folder, so two test runs starting together share one pair of servers.
    (
        flock -w 120 9 || _goosey_services_fatal "another start holds $data/.services.lock"
        goosey_redis_start "$data"
        goosey_postgres_start "$data"
    ) 9>"$data/.services.lock"
    goosey_services_env
}

goosey_services_stop() {
    local data
    data="$(_goosey_services_data "${1:-}")"
    goosey_redis_stop "$data"
    goosey_postgres_stop "$data"
}

# Reports whether each server answers on its port; fails if either does not.
goosey_services_status() {
    local status=0 bin
    bin="$(_goosey_pg_bindir)"
    if _goosey_redis_ping; then
        _goosey_services_log "Redis on 127.0.0.1:$(_goosey_redis_port): up"
    else
        _goosey_services_log "Redis on 127.0.0.1:$(_goosey_redis_port): down"; status=1
    fi
    if _goosey_pg_ready "$bin"; then
        _goosey_services_log "PostgreSQL on 127.0.0.1:$(_goosey_postgres_port): up"
    else
        _goosey_services_log "PostgreSQL on 127.0.0.1:$(_goosey_postgres_port): down"; status=1
    fi
    return "$status"
}

# MARK: - Redis

_goosey_redis_cli() { redis-cli -h 127.0.0.1 -p "$(_goosey_redis_port)" "$@"; }

# The Unix socket Redis also listens on, for Goosey's processes on this machine: named by the port, which one
# live server owns, and kept short (a socket's path may not exceed 107 bytes).
goosey_redis_socket() { printf '/tmp/goosey-redis-%s.sock' "$(_goosey_redis_port)"; }

# Whether the Redis answering on our port keeps its state in folder $1.
_goosey_redis_is_ours() {
    local dir
    dir="$(_goosey_redis_cli --raw CONFIG GET dir 2>/dev/null | sed -n 2p)" || return 1
    [ "$dir" = "$1" ]
}

goosey_redis_start() {
    local data dir port
    data="$(_goosey_services_data "${1:-}")"
    dir="$data/redis"
    port="$(_goosey_redis_port)"
    command -v redis-server >/dev/null || _goosey_services_fatal "redis-server is not installed (apt: redis-server)"
    mkdir -p "$dir"
    if [ "$(_goosey_redis_cli PING 2>/dev/null)" = PONG ]; then
        _goosey_redis_is_ours "$dir" || _goosey_services_fatal "port $port answers Redis from another folder"
        [ "$(_goosey_redis_cli --raw CONFIG GET unixsocket 2>/dev/null | sed -n 2p)" = "$(goosey_redis_socket)" ] ||
            _goosey_services_fatal "the Redis on port $port does not listen on $(goosey_redis_socket): stop it (ops/test-services stop) and start again"
        _goosey_services_log "reusing Redis on 127.0.0.1:$port ($dir)"
        return 0
    fi
    _goosey_services_log "starting Redis on 127.0.0.1:$port ($dir)"
    # 9>&-: fd 9 is the start lock (goosey_services_start), which a daemon must not keep.
    redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --daemonize yes \
        --unixsocket "$(goosey_redis_socket)" --unixsocketperm 700 \
        --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --save '' --appendonly no >/dev/null 9>&-
    _goosey_services_wait _goosey_redis_ping ||
        _goosey_services_fatal "Redis did not answer on port $port; see $dir/redis.log"
    _goosey_services_log "Redis is ready"
}

_goosey_redis_ping() { [ "$(_goosey_redis_cli PING 2>/dev/null)" = PONG ]; }

goosey_redis_stop() {
    local data dir pid
    data="$(_goosey_services_data "${1:-}")"
    dir="$data/redis"
    [ -s "$dir/redis.pid" ] || return 0
    pid="$(cat "$dir/redis.pid")"
    if kill -0 "$pid" 2>/dev/null && _goosey_redis_is_ours "$dir"; then
        _goosey_services_log "stopping Redis ($dir)"
        _goosey_redis_cli SHUTDOWN NOSAVE >/dev/null 2>&1 || true
        _goosey_services_wait _goosey_process_gone "$pid" ||
            _goosey_services_fatal "Redis (pid $pid) did not stop"
    fi
    rm -f "$dir/redis.pid"
}

_goosey_process_gone() { ! kill -0 "$1" 2>/dev/null; }

# MARK: - PostgreSQL

# The folder holding initdb, pg_ctl and pg_isready.
_goosey_pg_bindir() {
    local dir
    dir="$(pg_config --bindir 2>/dev/null || true)"
    if [ -z "$dir" ] || [ ! -x "$dir/initdb" ]; then
        dir="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin 2>/dev/null | sort -V | tail -n 1)"
    fi
    [ -n "$dir" ] && [ -x "$dir/initdb" ] ||
        _goosey_services_fatal "PostgreSQL server binaries not found (apt: postgresql)"
    printf '%s' "$dir"
}

# The system user the cluster runs as: ourselves, or a non-root user when we are root.
_goosey_pg_user() {
    if [ "$(id -u)" -ne 0 ]; then
        id -un
    elif id postgres >/dev/null 2>&1; then
        printf 'postgres'
    else
        id goosey >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin goosey
        printf 'goosey'
    fi
}

# Runs "$@" as the cluster's user.
_goosey_pg_as() {
    local user="$1"; shift
    if [ "$user" = "$(id -un)" ]; then "$@"; else runuser -u "$user" -- "$@"; fi
}

_goosey_pg_ready() { "$1/pg_isready" -q -h 127.0.0.1 -p "$(_goosey_postgres_port)"; }

goosey_postgres_start() {
    local data dir bin user port
    data="$(_goosey_services_data "${1:-}")"
    dir="$data/postgres"
    bin="$(_goosey_pg_bindir)"
    user="$(_goosey_pg_user)"
    port="$(_goosey_postgres_port)"
    mkdir -p "$dir"
    [ "$user" = "$(id -un)" ] || chown "$user" "$dir"
    _goosey_pg_as "$user" test -w "$dir" ||
        _goosey_services_fatal "$user cannot write $dir (every parent folder must be searchable by $user)"
    [ -s "$dir/data/PG_VERSION" ] || _goosey_pg_init "$bin" "$user" "$dir"
    if _goosey_pg_as "$user" "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        [ "$(sed -n 4p "$dir/data/postmaster.pid")" = "$port" ] ||
            _goosey_services_fatal "the cluster in $dir runs on another port than $port; stop it first"
        _goosey_services_log "reusing PostgreSQL on 127.0.0.1:$port ($dir)"
    else
        ! _goosey_pg_ready "$bin" || _goosey_services_fatal "port $port answers PostgreSQL from another folder"
        _goosey_services_log "starting PostgreSQL on 127.0.0.1:$port ($dir)"
        _goosey_pg_as "$user" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "-p $port" \
            -t "${GOOSEY_SERVICES_WAIT_SECONDS:-30}" -w start >/dev/null 9>&- ||
            _goosey_services_fatal "PostgreSQL did not start; see $dir/server.log"
    fi
    _goosey_services_wait _goosey_pg_ready "$bin" ||
        _goosey_services_fatal "PostgreSQL did not answer on port $port; see $dir/server.log"
    _goosey_services_log "PostgreSQL is ready"
    _goosey_pg_create_database "$bin" goosey_test
}

# Creates a cluster owned by $user whose superuser is `goosey`, trusted on loopback TCP only.
_goosey_pg_init() {
    local bin="$1" user="$2" dir="$3"
    _goosey_services_log "creating a PostgreSQL cluster in $dir/data"
    _goosey_pg_as "$user" "$bin/initdb" -D "$dir/data" -U goosey --auth=trust -E UTF8 --no-locale --no-sync \
        >"$dir/initdb.log" 2>&1 || _goosey_services_fatal "initdb failed; see $dir/initdb.log"
    # Test data is disposable: trade durability for speed. No Unix socket: its path length is limited.
    cat >>"$dir/data/postgresql.conf" <<'CONF'
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
}

_goosey_pg_create_database() {
    local bin="$1" name="$2" port
    port="$(_goosey_postgres_port)"
    if [ "$("$bin/psql" -h 127.0.0.1 -p "$port" -U goosey -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$name'")" != 1 ]; then
        "$bin/createdb" -h 127.0.0.1 -p "$port" -U goosey "$name"
    fi
}

goosey_postgres_stop() {
    local data dir bin user
    data="$(_goosey_services_data "${1:-}")"
    dir="$data/postgres"
    [ -s "$dir/data/PG_VERSION" ] || return 0
    bin="$(_goosey_pg_bindir)"
    user="$(_goosey_pg_user)"
    if _goosey_pg_as "$user" "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        _goosey_services_log "stopping PostgreSQL ($dir)"
        _goosey_pg_as "$user" "$bin/pg_ctl" -D "$dir/data" -m fast -t "${GOOSEY_SERVICES_WAIT_SECONDS:-30}" \
            -w stop >/dev/null
    fi
}
