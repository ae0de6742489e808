#!/usr/bin/env bash
# fleet_load.sh: vigil-monitor's fleet view under load.
#
# Starts N headless vigild (default 3) with admin endpoints, holds
# --connections (default 5,000) heartbeating connections on each and runs
# a rate-capped request/response load (--rr-connections at --rr-rate
# msgs/s) on each, then runs vigil-monitor under xvfb-run with those vigild
# saved as one fleet (XDG_CONFIG_HOME points at a settings file of its
# own) and the fleet's Connections page (or --page summary) in front,
# measuring the GUI thread with --probe (see bench/monitor_load.sh). At the
# end a screenshot shows what the window showed. Prints GUI stall
# p50/p99/max and GUI CPU %, and what each load generator saw.
# Loopback only; every step is bounded in time; all the processes it
# starts are stopped on exit.
#
# Usage: bench/fleet_load.sh [--build DIR] [--instances N] [--connections C]
#          [--rr-connections R] [--rr-rate MSGS] [--duration SEC]
#          [--repeat K] [--out DIR] [--page connections|summary]
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
NAME=fleet_load.sh
. "$ROOT/bench/loadlib.sh"
BUILD=$ROOT/build/release
INSTANCES=3 CONNECTIONS=5000 RR_CONNECTIONS=100 RR_RATE=1000 DURATION=30 REPEAT=1 OUT= PAGE=connections
while [ $# -gt 0 ]; do
    case $1 in
        --build) BUILD=$2; shift 2 ;;
        --instances) INSTANCES=$2; shift 2 ;;
        --connections) CONNECTIONS=$2; shift 2 ;;
        --rr-connections) RR_CONNECTIONS=$2; shift 2 ;;
        --rr-rate) RR_RATE=$2; shift 2 ;;
        --duration) DURATION=$2; shift 2 ;;
        --repeat) REPEAT=$2; shift 2 ;;
        --out) OUT=$2; shift 2 ;;
        --page) PAGE=$2; shift 2 ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        *) echo "fleet_load.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
MONITOR=$BUILD/bin/vigil-monitor VIGILD=$BUILD/bin/vigild CLIENT=$BUILD/bin/vigil-client
need_built "$MONITOR" "$VIGILD" "$CLIENT"
[ "$INSTANCES" -ge 1 ] && [ "$INSTANCES" -le 8 ] || { echo "fleet_load.sh: --instances 1..8" >&2; exit 2; }
if [ -z "$OUT" ]; then OUT=$(mktemp -d /tmp/fleet_load.XXXXXX); else mkdir -p "$OUT"; fi

# Each vigild and each hold client needs one descriptor per connection.
need_files $((CONNECTIONS + RR_CONNECTIONS + 200))

PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for _ in $(seq 50); do
        alive=0
        for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ $alive = 0 ] && break
        sleep 0.1
    done
    for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    PIDS=()
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ROWS=()
for run in $(seq "$REPEAT"); do
    budget=$((DURATION + 60))
    addresses=() clients=()
    for i in $(seq "$INSTANCES"); do
        port=$(free_port) admin=$(free_port)
        timeout -k 5 $((budget + 60)) "$VIGILD" --listen "127.0.0.1:$port" --admin "127.0.0.1:$admin" \
            --instance-name "edge-$i" --idle-timeout 30s >"$OUT/vigild-$run-$i.log" 2>&1 &
        PIDS+=($!)
        wait_port "$port" $! || { echo "fleet_load.sh: vigild $i did not listen" >&2; exit 1; }
        wait_port "$admin" "${PIDS[-1]}" || { echo "fleet_load.sh: vigild $i admin did not listen" >&2; exit 1; }
        addresses+=("127.0.0.1:$admin")
        timeout -k 5 "$budget" "$CLIENT" bench --connect "127.0.0.1:$port" --mode hold --connections "$CONNECTIONS" \
            --heartbeat 1s --duration "$((DURATION + 10))s" --json >"$OUT/hold-$run-$i.json" 2>"$OUT/hold-$run-$i.err" &
        PIDS+=($!) clients+=($!)
        timeout -k 5 "$budget" "$CLIENT" bench --connect "127.0.0.1:$port" --mode rr --connections "$RR_CONNECTIONS" \
            --rate "$RR_RATE" --duration "$((DURATION + 10))s" --json >"$OUT/rr-$run-$i.json" 2>"$OUT/rr-$run-$i.err" &
        PIDS+=($!) clients+=($!)
    done
    # The monitor's settings: one fleet of the instances above.
    mkdir -p "$OUT/config-$run/Vigil"
    joined=$(IFS=,; echo "${addresses[*]}")
    printf '[fleets]\n1\\addresses=%s\n1\\name=edge\nsize=1\n' "$(echo "$joined" | sed 's/,/, /g')" \
        >"$OUT/config-$run/Vigil/vigil-monitor.conf"
    sleep 5 # the clients dial
    probe=$OUT/probe-$run.json shot=$OUT/fleet-$run.png
    XDG_CONFIG_HOME=$OUT/config-$run QT_QPA_PLATFORM=xcb \
        timeout -k 5 $((DURATION + 60)) xvfb-run -a -s "-screen 0 1600x1000x24" \
        "$MONITOR" --show-tab "1:$PAGE" --probe "$probe" --probe-seconds "$DURATION" \
        --screenshot "$shot" --screenshot-delay $(((DURATION + 2) * 1000)) >"$OUT/monitor-$run.log" 2>&1 || true
    # The load generators end on their own; then the vigild are stopped.
    for pid in "${clients[@]}"; do wait "$pid" 2>/dev/null || true; done
    cleanup
    holds="" rrs=""
    for i in $(seq "$INSTANCES"); do
        holds+="$(field "$OUT/hold-$run-$i.json" connections)/"
        rrs+="$(field "$OUT/rr-$run-$i.json" msgs_per_sec)/"
    done
    ROWS+=("$run $(field "$probe" stall_p50_ms) $(field "$probe" stall_p99_ms) $(field "$probe" stall_max_ms) \
$(field "$probe" gui_cpu_pct) ${holds%/} ${rrs%/}")
done

echo "vigil-monitor fleet view: $INSTANCES vigild x ($CONNECTIONS held + $RR_CONNECTIONS rr at $RR_RATE msgs/s), ${DURATION} s"
echo "results and screenshots in $OUT"
printf '%s\n' "${ROWS[@]}" | python3 -c '
import sys
print("| run | GUI stall p50 ms | p99 ms | max ms | GUI CPU % | held per instance | rr msgs/s per instance |")
print("|---|---|---|---|---|---|---|")
for line in sys.stdin:
    r, p50, p99, mx, cpu, holds, rrs = line.split()
    f = lambda v, d=1: ("%.*f" % (d, float(v))) if v != "nan" else "n/a"
    print(f"| {r} | {f(p50)} | {f(p99)} | {f(mx)} | {f(cpu)} | {holds} | {rrs} |")
'
