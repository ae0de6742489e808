# loadlib.sh: what the GUI load scripts (monitor_load.sh, fleet_load.sh)
# share. Sourced, not run; each script sets NAME (for its messages) first.

# Exits 2 unless every argument is an executable file.
need_built() {
    for bin in "$@"; do
        [ -x "$bin" ] || { echo "$NAME: not built: $bin" >&2; exit 2; }
    done
    command -v xvfb-run >/dev/null || { echo "$NAME: xvfb-run not found" >&2; exit 2; }
}

# Raises the open-file limit to the hard one; exits 2 if that is below $1.
need_files() {
    ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
    if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$1" ]; then
        echo "$NAME: open-file limit $(ulimit -n) < $1" >&2; exit 2
    fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_port() { # port, pid: up to 30 s for the listener, while pid lives
    for _ in $(seq 300); do
        kill -0 "$2" 2>/dev/null || return 1
        if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    return 1
}

field() { # json file, key: its value, or nan
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], "nan"))' "$1" "$2" 2>/dev/null || echo nan
}
