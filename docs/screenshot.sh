#!/bin/sh
# Takes docs/monitor.png: vigil-monitor under a virtual X server, serving
# a dozen clients with different habits (chatty, slow, silent, short-lived,
# pinging, misbehaving) so the countdowns, log and sparklines all show.
#
# Usage: docs/screenshot.sh [path/to/vigil-monitor] [output.png]
# The README's two pictures:
#   docs/screenshot.sh build/release/bin/vigil-monitor docs/monitor.png
#   VIGIL_SCREENSHOT_SIZE=1280x720 docs/screenshot.sh build/release/bin/vigil-monitor docs/monitor-1280x720.png
# VIGIL_SCREENSHOT_SIZE (WxH, default 1680x1000) and VIGIL_SCREENSHOT_DELAY
# (ms, default 11000) tune this script; it hands them to the monitor's
# --screenshot-size and --screenshot-delay.
# Needs xvfb-run (xvfb, xauth) and python3.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
monitor=${1:-}
if [ -z "$monitor" ]; then
    for candidate in "$here"/../build/*/bin/vigil-monitor; do
        if [ -x "$candidate" ]; then monitor=$candidate; break; fi
    done
fi
[ -n "$monitor" ] && [ -x "$monitor" ] || { echo "screenshot.sh: vigil-monitor not found; pass its path" >&2; exit 2; }
out=${2:-$here/monitor.png}
size=${VIGIL_SCREENSHOT_SIZE:-1680x1000}
delay=${VIGIL_SCREENSHOT_DELAY:-11000}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cat > "$work/traffic.py" <<'PY'
# Vigil-framed clients with varied timing (PROTOCOL.md §2 frames).
import json, socket, struct, sys, threading, time

port = int(sys.argv[1])
end = time.time() + float(sys.argv[2])

def frame(kind, payload=b""):
    return b"VG\x01" + bytes([kind]) + struct.pack(">I", len(payload)) + payload

def connect():
    for _ in range(200):
        try:
            return socket.create_connection(("127.0.0.1", port))
        except OSError:
            time.sleep(0.05)
    raise SystemExit("no server on port %d" % port)

def drain(sock):
    sock.setblocking(False)
    try:
        while sock.recv(65536):
            pass
    except (BlockingIOError, OSError):
        pass
    sock.setblocking(True)

def client(name, hello=None, every=None, start=0.0, ping=False, stop_after=None,
           bye_after=None, garbage_after=None, texts=("reading",)):
    time.sleep(start)
    sock = connect()
    if hello is not None:
        body = dict(hello)
        if name:
            body["client"] = name
        sock.sendall(frame(0x04, json.dumps(body).encode()))
    began = time.time()
    i = 0
    while time.time() < end:
        alive = time.time() - began
        if stop_after is not None and alive > stop_after:
            time.sleep(0.2)  # silent from here: the idle watchdog decides
            continue
        if bye_after is not None and alive > bye_after:
            sock.sendall(frame(0x06, b"\x0bdone for today"))
            time.sleep(0.5)
            sock.close()
            return
        if garbage_after is not None and alive > garbage_after:
            sock.sendall(b"GET / HTTP/1.1\r\n\r\n")
            time.sleep(0.5)
            sock.close()
            return
        if every is None:
            time.sleep(0.2)
            continue
        text = "%s %s=%d" % (name or "anon", texts[i % len(texts)], (i * 37) % 1000)
        sock.sendall(frame(0x02, b"hb") if ping and i % 2 else frame(0x01, text.encode()))
        i += 1
        drain(sock)
        time.sleep(every)
    sock.close()

plan = [
    dict(name="sensor-01", hello={"policy": "long", "keepalive_ms": 4000}, every=0.5, texts=("temp", "humidity")),
    dict(name="sensor-02", hello={"policy": "long", "keepalive_ms": 6000}, every=2.5, start=0.3, texts=("temp",)),
    dict(name="sensor-03", hello={"policy": "long", "keepalive_ms": 10000}, every=5.5, start=0.6, texts=("pressure",)),
    dict(name="gateway-eu", hello={"policy": "long", "keepalive_ms": 8000}, every=0.3, start=0.2, texts=("relay", "ack", "sync")),
    dict(name="gateway-us", hello={"policy": "long", "keepalive_ms": 8000}, every=0.2, start=0.9, ping=True, texts=("relay",)),
    dict(name="batch-job", hello={"policy": "short"}, every=0.8, start=4.0, texts=("chunk",)),
    dict(name="batch-job-2", hello={"policy": "short"}, every=1.5, start=6.5, texts=("chunk",)),
    dict(name="flaky-cam", hello={"policy": "long", "keepalive_ms": 2000}, every=0.5, stop_after=1.0, texts=("frame",)),
    dict(name="kiosk-7", hello={"policy": "long", "keepalive_ms": 9000}, every=0.6, stop_after=3.0, start=0.4, texts=("click",)),
    dict(name=None, every=None, start=0.5),  # silent, no HELLO: the listener's idle timeout
    dict(name=None, every=3.0, start=1.5, texts=("poll",)),
    dict(name="cli-session", hello={}, every=1.0, start=1.2, bye_after=5.0, texts=("cmd",)),
    dict(name="scanner", every=0.3, start=2.0, garbage_after=3.0, texts=("probe",)),
    dict(name="logger", hello={"policy": "long", "keepalive_ms": 30000}, every=0.6, start=1.8, texts=("line",)),
    dict(name="job-runner", hello={"policy": "short"}, every=1.0, start=0.3, texts=("step",)),
    dict(name="admin-shell", hello={}, every=1.5, start=1.0, texts=("status",)),
]
# Brief sessions around the moment the picture is taken, so the log's
# tail shows whole lives: connect, HELLO, a message, BYE normal.
plan += [
    dict(name="probe-%d" % i, hello={"policy": "short"}, every=0.1, start=9.6 + 0.4 * i, bye_after=0.05,
         texts=("check",))
    for i in range(5)
]
threads = [threading.Thread(target=client, kwargs=p, daemon=True) for p in plan]
for t in threads:
    t.start()
for t in threads:
    t.join()
PY

# A settings file of its own, so the screenshot never depends on (or
# changes) the user's saved settings.
export XDG_CONFIG_HOME="$work/config"
secs=$(( delay / 1000 + 3 ))
python3 "$work/traffic.py" "$port" "$secs" &
traffic=$!
# --screenshot (vigil-monitor --help, "Developer options") saves the
# window after the delay and quits.
xvfb-run -a -s "-screen 0 ${size}x24" \
    "$monitor" --listen "127.0.0.1:$port" --idle-timeout 12s --max-lifetime 0 --threads 2 --start \
    --screenshot "$out" --screenshot-size "$size" --screenshot-delay "$delay"
kill "$traffic" 2>/dev/null || true
wait "$traffic" 2>/dev/null || true
echo "wrote $out"
