#!/usr/bin/env bash
# monitor_load.sh: vigil-monitor under load against headless vigild.
#
# Runs `vigil-client bench` (10,000 connections by default) first against
# vigil-monitor (under xvfb-run, with --probe measuring the GUI
# thread), then against headless vigild with the same flags and threads,
# and prints GUI stall p50/p99/max, GUI CPU %, msgs/s both ways and ratio.
# Builds nothing; loopback only; every step is bounded in time; all the
# processes it starts are stopped on exit.
#
# The probe (gui/devtools/guiprobe.h) is off unless vigil-monitor gets the
# developer option --probe FILE: then a 10 ms precise timer on the GUI
# thread records how late each tick fires, and the GUI thread's CPU time
# is read; after --probe-seconds N (the window keeps running), or on
# SIGTERM, SIGINT or quit, FILE gets {stall_p50_ms, stall_p99_ms,
# stall_max_ms, gui_cpu_pct, seconds, ticks}. Here the probe covers dial,
# warm-up and the measured run: --probe-seconds = duration + 2.
#
# Usage: bench/monitor_load.sh [--build DIR] [--monitor BIN] [--vigild BIN]
#          [--client BIN] [--connections N] [--inflight W] [--duration SEC]
#          [--threads N] [--repeat K] [--out DIR]
# Defaults: build/release binaries, 10000 connections, inflight 8, 20 s,
# server threads 2, 1 repeat, output in a fresh temporary directory.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
NAME=monitor_load.sh
. "$ROOT/bench/loadlib.sh"
BUILD=$ROOT/build/release
MONITOR= VIGILD= CLIENT=
CONNECTIONS=10000 INFLIGHT=8 DURATION=20 THREADS=2 REPEAT=1 OUT=
while [ $# -gt 0 ]; do
    case $1 in
        --build) BUILD=$2; shift 2 ;;
        --monitor) MONITOR=$2; shift 2 ;;
        --vigild) VIGILD=$2; shift 2 ;;
        --client) CLIENT=$2; shift 2 ;;
        --connections) CONNECTIONS=$2; shift 2 ;;
        --inflight) INFLIGHT=$2; shift 2 ;;
        --duration) DURATION=$2; shift 2 ;;
        --threads) THREADS=$2; shift 2 ;;
        --repeat) REPEAT=$2; shift 2 ;;
        --out) OUT=$2; shift 2 ;;
        -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
        *) echo "monitor_load.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
MONITOR=${MONITOR:-$BUILD/bin/vigil-monitor}
VIGILD=${VIGILD:-$BUILD/bin/vigild}
CLIENT=${CLIENT:-$BUILD/bin/vigil-client}
need_built "$MONITOR" "$VIGILD" "$CLIENT"
if [ -z "$OUT" ]; then OUT=$(mktemp -d /tmp/monitor_load.XXXXXX); else mkdir -p "$OUT"; fi

# Each side needs one descriptor per connection plus some slack.
need_files $((CONNECTIONS + 200))

SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=
}
trap cleanup EXIT
trap 'exit 130' INT TERM

run_bench() { # port, json output
    local budget=$((DURATION + 90))
    timeout -k 5 "$budget" "$CLIENT" bench --connect "127.0.0.1:$1" --connections "$CONNECTIONS" \
        --inflight "$INFLIGHT" --payload 64 --duration "${DURATION}s" --sources 4 --json >"$2" 2>"$2.err"
}

stop_server() { # wait up to 20 s for a clean exit (the probe writes then)
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 200); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}

ROWS=()
for run in $(seq "$REPEAT"); do
    # 1. vigil-monitor with its window on a virtual display.
    port=$(free_port)
    probe=$OUT/probe-$run.json
    rm -f "$probe"
    XDG_CONFIG_HOME=$OUT/config QT_QPA_PLATFORM=xcb \
        timeout -k 5 $((DURATION + 150)) xvfb-run -a -s "-screen 0 1600x1000x24" \
        "$MONITOR" --listen "127.0.0.1:$port" --threads "$THREADS" --start \
        --probe "$probe" --probe-seconds $((DURATION + 2)) \
        >"$OUT/monitor-$run.log" 2>&1 &
    SERVER_PID=$!
    wait_port "$port" "$SERVER_PID" || { echo "monitor_load.sh: vigil-monitor did not listen" >&2; exit 1; }
    run_bench "$port" "$OUT/bench-monitor-$run.json" || echo "monitor_load.sh: bench against the monitor failed" >&2
    # The probe writes on its own timer; a GUI far behind may take a while.
    for _ in $(seq 300); do [ -s "$probe" ] && break; sleep 0.1; done
    # Stop the monitor itself first (its probe writes on SIGTERM too), then
    # xvfb-run. No setsid here: a new session is a new scheduler autogroup,
    # and both servers must share the caller's group and nice value.
    mpid=$(pgrep -f "^$MONITOR --listen 127.0.0.1:$port " || true)
    if [ -n "$mpid" ]; then
        kill -TERM $mpid 2>/dev/null || true
        for _ in $(seq 200); do kill -0 $mpid 2>/dev/null || break; sleep 0.1; done
    fi
    stop_server

    # 2. Headless vigild, same flags and threads.
    port=$(free_port)
    timeout -k 5 $((DURATION + 150)) "$VIGILD" --listen "127.0.0.1:$port" --threads "$THREADS" \
        >"$OUT/vigild-$run.log" 2>&1 &
    SERVER_PID=$!
    wait_port "$port" "$SERVER_PID" || { echo "monitor_load.sh: vigild did not listen" >&2; exit 1; }
    run_bench "$port" "$OUT/bench-vigild-$run.json" || echo "monitor_load.sh: bench against vigild failed" >&2
    stop_server

    ROWS+=("$run $(field "$probe" stall_p50_ms) $(field "$probe" stall_p99_ms) $(field "$probe" stall_max_ms) \
$(field "$probe" gui_cpu_pct) $(field "$OUT/bench-monitor-$run.json" msgs_per_sec) \
$(field "$OUT/bench-vigild-$run.json" msgs_per_sec) $(field "$OUT/bench-monitor-$run.json" connections) \
$(field "$OUT/bench-vigild-$run.json" connections)")
done

echo "vigil-monitor under load: $CONNECTIONS connections, inflight $INFLIGHT, payload 64, ${DURATION} s, sources 4, server threads $THREADS"
echo "results in $OUT"
printf '%s\n' "${ROWS[@]}" | python3 -c '
import sys
print("| run | GUI stall p50 ms | p99 ms | max ms | GUI CPU % | msgs/s monitor | msgs/s vigild | ratio | conns mon/vigild |")
print("|---|---|---|---|---|---|---|---|---|")
for line in sys.stdin:
    r, p50, p99, mx, cpu, mon, hl, cm, ch = line.split()
    f = lambda v, d=1: ("%.*f" % (d, float(v))) if v != "nan" else "n/a"
    ratio = "%.3f" % (float(mon) / float(hl)) if mon != "nan" and hl != "nan" and float(hl) > 0 else "n/a"
    print(f"| {r} | {f(p50)} | {f(p99)} | {f(mx)} | {f(cpu)} | {f(mon,0)} | {f(hl,0)} | {ratio} | {f(cm,0)}/{f(ch,0)} |")
'
