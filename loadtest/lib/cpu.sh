# CPU time from /proc for the benchmark scripts. Sourced.

# A process and its children (nginx's master and worker).
process_tree() {
    echo "$1"
    cat "/proc/$1/task/"*/children 2> /dev/null | tr ' ' '\n' | grep -v '^$' || true
}

# CPU time (utime + stime, in clock ticks) of a process tree, from /proc/PID/stat.
cpu_ticks() {
    local total=0 pid stat
    for pid in $(process_tree "$1"); do
        stat="$(cat "/proc/$pid/stat" 2> /dev/null)" || continue
        stat="${stat##*) }"  # the command name may hold spaces; fields restart after it at field 3
        total=$((total + $(awk '{ print $12 + $13 }' <<< "$stat")))
    done
    echo "$total"
}

# Busy and total CPU ticks of the whole machine, from /proc/stat.
machine_ticks() {
    awk '/^cpu / { busy = $2 + $3 + $4 + $7 + $8 + $9; print busy, busy + $5 + $6; exit }' /proc/stat
}
