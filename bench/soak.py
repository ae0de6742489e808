#!/usr/bin/env python3
"""Soak test: everything at once against one vigild, checking that nothing leaks.

    bench/soak.py --vigild build/release/bin/vigild [--minutes 2] [--json]

For the given time, on loopback only, it runs at the same time:
  - well-behaved clients: HELLO, sequenced DATA messages (every echo must come back
    in order, byte for byte), PINGs, then BYE normal; over and over
  - idle victims: one message, then silence, which must end in BYE idle-timeout
  - bad input: garbage, a wrong version, oversized lengths, HELLO twice
  - churn: connect and close at once
  - kicks: through vigild's admin API (--admin), when the build has it
Every few seconds it samples vigild's RSS and open descriptors. It passes only if
no well-behaved client lost or reordered a message, vigild is still alive, and RSS
and descriptors are flat after warm-up (the last third no higher than the
warmed-up level plus a small slack). Exit status 0 = pass, 1 = fail.
"""
import argparse, asyncio, json, os, random, re, struct, subprocess, sys, time, urllib.request

MAGIC = b"VG\x01"
DATA, PING, PONG, HELLO, WELCOME, BYE = 1, 2, 3, 4, 5, 6
REASONS = {1: "idle-timeout", 2: "lifetime-expired", 3: "protocol-error", 4: "frame-too-large",
           5: "unsupported-version", 6: "server-shutdown", 7: "kicked", 8: "server-full",
           9: "slow-consumer", 10: "rate-limited", 11: "normal"}


def frame(kind, payload=b""):
    return MAGIC + bytes([kind]) + struct.pack(">I", len(payload)) + payload


async def read_frame(reader):
    header = await reader.readexactly(8)
    length = struct.unpack(">I", header[4:])[0]
    return header[3], await reader.readexactly(length)


class Soak:
    def __init__(self, args):
        self.args = args
        self.stop_at = time.monotonic() + args.minutes * 60
        self.stats = {k: 0 for k in ("sessions", "messages", "lost", "reordered", "idle_closed", "idle_wrong",
                                     "bad_closed", "bad_wrong", "churn", "kicks", "kicked_seen", "errors")}
        self.samples = []
        self.problems = []

    def running(self):
        return time.monotonic() < self.stop_at

    async def good_client(self, n):
        rnd = random.Random(n)
        while self.running():
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.write(frame(HELLO, json.dumps({"client": f"good-{n}", "policy": "long",
                                                      "keepalive_ms": 5000}).encode()))
                kind, body = await asyncio.wait_for(read_frame(reader), 5)
                if kind == BYE and REASONS.get(body[0]) == "kicked":
                    self.stats["kicked_seen"] += 1  # kicked before its WELCOME
                    raise ConnectionAbortedError("kicked")
                if kind != WELCOME:
                    raise RuntimeError(f"expected WELCOME, got {kind}")
                count = rnd.randint(5, 40)
                for seq in range(count):
                    size = rnd.choice([0, 1, 16, 200, 3000])
                    payload = struct.pack(">II", n, seq) + bytes(rnd.getrandbits(8) for _ in range(size))
                    writer.write(frame(DATA, payload))
                    if seq % 7 == 0:
                        writer.write(frame(PING, b"p%d" % seq))
                    await writer.drain()
                    while True:
                        kind, body = await asyncio.wait_for(read_frame(reader), 5)
                        if kind == PONG:
                            continue
                        if kind == BYE:
                            reason = REASONS.get(body[0], body[0])
                            if reason == "kicked":
                                self.stats["kicked_seen"] += 1
                                raise ConnectionAbortedError("kicked")
                            raise RuntimeError(f"unexpected BYE {reason}")
                        if kind != DATA or body != payload:
                            self.stats["reordered" if kind == DATA else "lost"] += 1
                            self.problems.append(f"good-{n}: echo {seq} did not match")
                        else:
                            self.stats["messages"] += 1
                        break
                    await asyncio.sleep(rnd.uniform(0, 0.02))
                writer.write(frame(BYE, bytes([11])))
                await writer.drain()
                writer.close()
                self.stats["sessions"] += 1
            except ConnectionAbortedError:
                pass
            except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, RuntimeError) as e:
                self.stats["errors"] += 1
                self.problems.append(f"good-{n}: {type(e).__name__}: {e}")
            await asyncio.sleep(rnd.uniform(0, 0.1))

    async def idle_victim(self, n):
        while self.running():
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
                # Stamped before the write: vigild cannot have the message
                # earlier, so a close before started + idle is really early.
                started = time.monotonic()
                writer.write(frame(DATA, b"then silence"))
                kind, _ = await asyncio.wait_for(read_frame(reader), 5)  # the echo
                kind, body = await asyncio.wait_for(read_frame(reader), self.args.idle + 5)
                waited = time.monotonic() - started
                if kind == BYE and REASONS.get(body[0]) == "idle-timeout" and waited >= self.args.idle - 0.01:
                    self.stats["idle_closed"] += 1
                elif kind == BYE and REASONS.get(body[0]) == "kicked":
                    self.stats["kicked_seen"] += 1
                else:
                    self.stats["idle_wrong"] += 1
                    self.problems.append(f"idle-{n}: got {kind} {body[:1]} after {waited:.3f}s")
                writer.close()
            except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError) as e:
                self.stats["errors"] += 1
                self.problems.append(f"idle-{n}: {type(e).__name__}: {e}")

    async def bad_client(self, n):
        rnd = random.Random(1000 + n)
        cases = [
            (b"GV\x01\x01\x00\x00\x00\x00", "protocol-error"),
            (b"VG\x02\x01\x00\x00\x00\x00", "unsupported-version"),
            (b"VG\x01\x09\x00\x00\x00\x00", "protocol-error"),
            (b"VG\x01\x01\x80\x00\x00\x00", "frame-too-large"),
            (frame(PING, b"x" * 65), "protocol-error"),
            (frame(HELLO, b"{}") + frame(HELLO, b"{}"), "protocol-error"),
            (frame(HELLO, b"not json"), "protocol-error"),
        ]
        while self.running():
            data, expected = rnd.choice(cases)
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.write(data)
                while True:
                    kind, body = await asyncio.wait_for(read_frame(reader), 5)
                    if kind != BYE:
                        continue  # the WELCOME of a first, valid HELLO
                    if REASONS.get(body[0]) == expected:
                        self.stats["bad_closed"] += 1
                    elif REASONS.get(body[0]) != "kicked":
                        self.stats["bad_wrong"] += 1
                        self.problems.append(f"bad-{n}: expected {expected}, got {REASONS.get(body[0])}")
                    break
                writer.close()
            except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError) as e:
                self.stats["errors"] += 1
                self.problems.append(f"bad-{n}: {type(e).__name__}: {e}")
            await asyncio.sleep(rnd.uniform(0, 0.05))

    async def churn(self):
        while self.running():
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.close()
                self.stats["churn"] += 1
            except OSError as e:
                self.stats["errors"] += 1
                self.problems.append(f"churn: {e}")
            await asyncio.sleep(0.005)

    def kick_one(self):
        url = f"http://127.0.0.1:{self.admin_port}/api/v1/connections"
        with urllib.request.urlopen(url, timeout=2) as r:
            conns = json.load(r)
        if isinstance(conns, dict):
            conns = conns.get("connections", [])
        if not conns:
            return
        victim = random.choice(conns)["id"]
        req = urllib.request.Request(f"{url}/{victim}/kick", method="POST", data=b"")
        try:
            urllib.request.urlopen(req, timeout=2).close()
            self.stats["kicks"] += 1
        except urllib.error.HTTPError as e:
            if e.code != 404:  # gone meanwhile
                raise

    async def kicker(self):
        while self.running() and self.admin_port:
            try:
                await asyncio.get_running_loop().run_in_executor(None, self.kick_one)
            except Exception as e:  # noqa: BLE001 - report, keep soaking
                self.stats["errors"] += 1
                self.problems.append(f"kick: {e}")
            await asyncio.sleep(0.5)

    def sample(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            rss = int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))
        fds = len(os.listdir(f"/proc/{self.proc.pid}/fd"))
        return rss, fds

    async def sampler(self):
        start = time.monotonic()
        while self.running():
            await asyncio.sleep(self.args.sample)
            if self.proc.poll() is not None:
                self.problems.append(f"vigild exited with {self.proc.returncode}")
                return
            rss, fds = self.sample()
            t = time.monotonic() - start
            self.samples.append((t, rss, fds))
            if not self.args.json:
                print(f"[{t:6.0f}s] rss {rss} KiB, fds {fds}, good msgs {self.stats['messages']}, "
                      f"sessions {self.stats['sessions']}, idle closes {self.stats['idle_closed']}, "
                      f"bad closes {self.stats['bad_closed']}, kicks {self.stats['kicks']}, errors {self.stats['errors']}",
                      file=sys.stderr, flush=True)

    def verdict(self):
        ok = True
        if self.stats["lost"] or self.stats["reordered"]:
            ok = False
            self.problems.append("a well-behaved client lost or reordered a message")
        if self.stats["idle_wrong"] or self.stats["bad_wrong"]:
            ok = False
        if self.stats["messages"] == 0 or self.stats["idle_closed"] == 0 or self.stats["bad_closed"] == 0:
            ok = False
            self.problems.append("some load did not run at all")
        # Errors are tolerated only rarely (a timeout on a loaded box).
        if self.stats["errors"] > max(5, self.stats["sessions"] // 100):
            ok = False
        warm = [s for s in self.samples if s[0] >= self.args.minutes * 60 * 0.25]
        if len(warm) >= 3:
            third = max(1, len(warm) // 3)
            base_rss = max(s[1] for s in warm[:third])
            late_rss = max(s[1] for s in warm[-third:])
            base_fds = max(s[2] for s in warm[:third])
            late_fds = max(s[2] for s in warm[-third:])
            self.flat = {"rss_warm_kib": base_rss, "rss_end_kib": late_rss, "fds_warm": base_fds, "fds_end": late_fds}
            if late_rss > base_rss * 1.10 + 4096:
                ok = False
                self.problems.append(f"RSS grew from {base_rss} to {late_rss} KiB after warm-up")
            if late_fds > base_fds + 64:
                ok = False
                self.problems.append(f"open descriptors grew from {base_fds} to {late_fds}")
        else:
            self.flat = {}
            ok = False
            self.problems.append("too few samples to judge growth")
        return ok

    async def main(self):
        cmd = [self.args.vigild, "--listen", "127.0.0.1:0", "--idle-timeout", f"{self.args.idle}s",
               "--max-payload", "65536", "--log-format", "json"]
        help_text = subprocess.run([self.args.vigild, "--help"], capture_output=True, text=True).stdout
        if "--admin" in help_text:
            cmd += ["--admin", "127.0.0.1:0"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.port = self.admin_port = None
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (self.port is None or ("--admin" in cmd and self.admin_port is None)):
            line = self.proc.stdout.readline()
            if not line:
                break
            event = json.loads(line)
            if event.get("event") == "listening":
                self.port = int(event["address"].rsplit(":", 1)[1])
            m = re.search(r"admin on [^\s\"]*:(\d+)", line)
            if m:
                self.admin_port = int(m.group(1))
        if self.port is None:
            sys.exit("soak: vigild did not print its listening line")
        # Keep draining the log so vigild never blocks on a full pipe.
        loop = asyncio.get_running_loop()
        loop.run_in_executor(None, lambda: [None for _ in self.proc.stdout])
        tasks = [self.good_client(i) for i in range(self.args.clients)]
        tasks += [self.idle_victim(i) for i in range(self.args.clients // 4 or 1)]
        tasks += [self.bad_client(i) for i in range(self.args.clients // 5 or 1)]
        tasks += [self.churn(), self.kicker(), self.sampler()]
        await asyncio.gather(*tasks)
        alive = self.proc.poll() is None
        self.proc.terminate()
        try:
            code = self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = "killed"
        ok = self.verdict() and alive and code == 0
        if not alive:
            self.problems.append("vigild died during the soak")
        # Problems of every kind, not just the first twenty of the commonest.
        kinds = {}
        for problem in self.problems:
            kinds.setdefault(problem.split(":", 1)[-1].strip()[:60], problem)
        summary = {"pass": ok, "minutes": self.args.minutes, "exit": code, **self.stats, **self.flat,
                   "kicks_available": bool(self.admin_port), "problems": list(kinds.values())[:40]}
        print(json.dumps(summary) if self.args.json else json.dumps(summary, indent=1))
        return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vigild", required=True)
    ap.add_argument("--minutes", type=float, default=2)
    ap.add_argument("--clients", type=int, default=40)
    ap.add_argument("--idle", type=float, default=1.0, help="the idle timeout vigild runs with (s)")
    ap.add_argument("--sample", type=float, default=3.0, help="seconds between RSS/fd samples")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    sys.exit(asyncio.run(Soak(args).main()))


if __name__ == "__main__":
    main()
