#!/usr/bin/env bash
# Instructions vigild spends per echoed message, counted by callgrind.
#
#   bench/instructions.sh [VIGILD] [VIGIL_CLIENT]
#
# Wall-clock benchmarks need a quiet box; instruction counts do not: callgrind
# counts the same total for the same binary and input whatever else the machine
# runs. So this is the check for "did a refactor change the hot path": run it on
# the old and the new vigild and compare the per-message figure.
#
# vigild runs under callgrind on 127.0.0.1 (legacy framing, echo); vigil-client
# bench sends a fixed-rate rr load twice, a short and a long run, through 100
# connections. The difference of the two totals divided by the difference of the
# message counts is the cost of one message with start-up, dialing and shutdown
# cancelled out. Loopback only; every run is bounded and stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
VIGILD=${1:-build/release/bin/vigild}
CLIENT=${2:-build/release/bin/vigil-client}
PORT=${VIGIL_BENCH_PORT:-9311}
RATE=${VIGIL_BENCH_RATE:-400}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install -y valgrind)" >&2; exit 2; }

# one_run SECONDS -> prints "<instructions> <messages>"
one_run() {
    local seconds=$1 log=$OUT/cg.$1
    valgrind --tool=callgrind --callgrind-out-file="$log" "$VIGILD" --listen 127.0.0.1:$PORT \
        --framing legacy --mode echo --threads 1 >/dev/null 2>"$OUT/vg.$seconds" &
    local pid=$!
    # Wait (bounded) until vigild accepts.
    local up=0
    for _ in $(seq 1 600); do
        if (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null; then up=1; break; fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if [ $up = 0 ]; then
        kill "$pid" 2>/dev/null || true
        echo "vigild did not start listening on 127.0.0.1:$PORT within 60 s:" >&2
        tail -5 "$OUT/vg.$seconds" >&2
        exit 1
    fi
    local json
    json=$("$CLIENT" bench --connect 127.0.0.1:$PORT --framing legacy --connections 100 \
        --duration "${seconds}s" --warmup 0s --rate "$RATE" --json)
    kill -TERM "$pid"
    wait "$pid" || true
    local ir msgs
    ir=$(sed -n 's/^summary: //p' "$log")
    msgs=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["sent"])' "$json")
    echo "$ir $msgs"
}

echo "==> $VIGILD under callgrind, rr at $RATE msg/s through 100 connections" >&2
read -r ir1 m1 < <(one_run 5) || true
[ -n "${m1:-}" ] || exit 1
echo "    5 s run:  $ir1 instructions, $m1 messages" >&2
read -r ir2 m2 < <(one_run 15) || true
[ -n "${m2:-}" ] || exit 1
echo "    15 s run: $ir2 instructions, $m2 messages" >&2
python3 - "$ir1" "$m1" "$ir2" "$m2" <<'EOF'
import sys
ir1, m1, ir2, m2 = map(int, sys.argv[1:])
if m2 <= m1:
    sys.exit("the long run sent no more messages than the short one; is vigild keeping up?")
print(f"instructions per message: {(ir2 - ir1) / (m2 - m1):.0f}")
EOF
