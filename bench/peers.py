#!/usr/bin/env python3
"""Run vigild side by side with the peers in ../shared/peers and record the results.

    bench/peers.py [--vigild build/release/bin/vigild] [--reps 3] [--quick] [--out bench/RESULTS.md]

Runs, each in one `compare` invocation per scenario (servers pinned to CPU 0, the load
generator to CPU 1), the rows that the performance targets name:
  rr   64 B, 100:1 100:16 1000:1 10000:1       server CPU us/msg, msgs/s, dial_s
  hold 19,000 connections, 2 s heartbeats, 5 s idle timeout   RSS bytes/conn, CPU %
  idle 1,000 connections, 2 s timeout                          lateness p99, closed early
and writes the medians and the ratios vigild / peer to bench/RESULTS.md (date, commit).
Everything runs on loopback and stops by itself.
"""
import argparse, datetime, json, os, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
COMPARE = os.environ.get("VIGIL_COMPARE", os.path.join(ROOT, "..", "shared", "peers", "compare"))


def run(kind, vigild, extra, reps):
    cmd = [sys.executable, COMPARE, kind, "--vigild", vigild, "--json", "--reps", str(reps)] + extra
    print("==>", " ".join(cmd), flush=True)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    rows = []
    for line in out.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            rows.append(json.loads(line))
        elif line:
            print("   ", line)
    if out.returncode != 0:
        print(out.stderr[-2000:], file=sys.stderr)
    return rows


def median(values):
    values = sorted(v for v in values if isinstance(v, (int, float)))
    return values[len(values) // 2] if values else None


def table(rows, metrics):
    cases = list(dict.fromkeys(r["case"] for r in rows))
    servers = ["go", "epoll", "vigild"]
    lines = []
    header = "| case | metric | go-seed | epoll-echo | vigild | vigild/go | vigild/epoll |"
    lines += [header, "|---|---|---|---|---|---|---|"]
    for case in cases:
        for m in metrics:
            med = {s: median([r.get(m) for r in rows if r["case"] == case and r["server"] == s]) for s in servers}
            def ratio(peer):
                v, p = med["vigild"], med[peer]
                return f"{v / p:.2f}" if v is not None and p else "-"
            lines.append(f"| {case} | {m} | {med['go']} | {med['epoll']} | {med['vigild']} | {ratio('go')} | {ratio('epoll')} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vigild", default=os.path.join(ROOT, "build", "release", "server", "vigild"))
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="1 rep, shorter runs (a smoke check, not a record)")
    ap.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"))
    ap.add_argument("--hold-n", type=int, default=19000)
    a = ap.parse_args()
    reps = 1 if a.quick else a.reps
    dur = "2s" if a.quick else "5s"
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    date = datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC")
    rr = run("rr", a.vigild, ["--cases", "100:1 100:16 1000:1 10000:1", "--duration", dur], reps)
    hold = run("hold", a.vigild, ["--n", str(a.hold_n), "--hold", "8s" if a.quick else "15s"], reps)
    idle = run("idle", a.vigild, ["--n", "1000", "--timeout", "2s"], reps)
    section = [f"## Peers, {date}, commit {commit}", "",
               f"`bench/peers.py{' --quick' if a.quick else ''}`: medians of {reps} run(s); "
               "servers on CPU 0, loadgen on CPU 1; ratios below 1.00 mean vigild is better "
               "(for msgs_per_sec and stayed_open, above 1.00 is better).", "",
               "### rr (64 B request/response)", "",
               table(rr, ["server_cpu_us_per_msg", "msgs_per_sec", "p99_us", "dial_s", "errors"]), "",
               f"### hold ({a.hold_n} connections, 2 s heartbeats, 5 s idle timeout)", "",
               table(hold, ["bytes_per_conn_end", "stayed_open", "server_cpu_pct_during_hold", "dial_s"]), "",
               "### idle (1,000 connections, 2 s idle timeout)", "",
               table(idle, ["lateness_p99_ms", "lateness_p50_ms", "lateness_max_ms", "closed_early", "not_closed"]), ""]
    text = "\n".join(section)
    print(text)
    old = open(a.out).read() if os.path.exists(a.out) else "# Benchmark results\n\nNewest first. Reproduce with the command named in each section.\n\n"
    head, sep, rest = old.partition("\n## ")
    new = head.rstrip() + "\n\n" + text + ("\n## " + rest if sep else "")
    with open(a.out, "w") as f:
        f.write(new)
    with open(os.path.join(HERE, "results-latest.json"), "w") as f:
        json.dump({"date": date, "commit": commit, "rr": rr, "hold": hold, "idle": idle}, f, indent=1)


if __name__ == "__main__":
    main()
