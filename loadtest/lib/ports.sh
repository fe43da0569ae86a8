# Ports (and the edge's config) for the benchmark scripts' private servers. Sourced; the caller defines `fatal` and `$work` (where
# each server logs to $work/NAME.log).

# The first port from $1 on that nothing on 127.0.0.1 listens to.
free_port() {
    local port
    for ((port = $1; port < $1 + 100; port++)); do
        if ! (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null; then
            echo "$port"
            return
        fi
    done
    fatal "no free port in $1..$(($1 + 99))"
}

# Waits up to 60 s for $3 (pid $2) to listen on port $1.
wait_port() {
    local port="$1" pid="$2" name="$3" try
    for ((try = 0; try < 240; try++)); do
        kill -0 "$pid" 2> /dev/null || { tail -20 "$work/$name.log" >&2; fatal "$name exited while starting"; }
        if (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null; then return; fi
        sleep 0.25
    done
    fatal "$name did not listen on port $port within 60 s"
}

# The config of a benchmark edge on port $1, in front of the mock on port $2, with its Redis at URL $3 and
# one key carrying the whole load, so the per-key limits that protect a real edge are off.
edge_config() {
    printf '[http]\nport = %s\n[upstream]\nurl = "http://127.0.0.1:%s"\n[redis]\nurl = "%s"\n[limits]\nperKeyConcurrency = 0\nperKeyRequestsPerMinute = 0\n' \
        "$1" "$2" "$3"
}
