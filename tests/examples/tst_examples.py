#!/usr/bin/env python3
"""The examples/ projects, built the way users build them: the development
component installed into a fresh prefix, each example configured out of
tree with find_package(Vigil 1.1) (with -Wall -Wextra -Werror, so the
installed headers are clean in a user's build), then run on 127.0.0.1.

  tst_examples.py BUILD_DIR SOURCE_DIR CXX [CXX_FLAGS] [LINKER_FLAGS]
"""
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

build, source, cxx = sys.argv[1], sys.argv[2], sys.argv[3]
cxx_flags = sys.argv[4] if len(sys.argv) > 4 else ""
link_flags = sys.argv[5] if len(sys.argv) > 5 else ""
failures = []
TIMEOUT = 10


def check(ok, what):
    print(("PASS   : " if ok else "FAIL!  : ") + what, flush=True)
    if not ok:
        failures.append(what)
    return ok


def run(cmd, what, expect_ok=True, **kw):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    ok = (p.returncode == 0) == expect_ok
    if not ok:
        print(p.stdout[-4000:])
    return check(ok, what)


# --- the wire (PROTOCOL.md §2, spelled out here, not taken from the library)
def frame(ftype, payload=b""):
    return b"VG\x01" + bytes([ftype]) + struct.pack(">I", len(payload)) + payload


DATA, PING, PONG, HELLO, WELCOME, BYE = 1, 2, 3, 4, 5, 6


def read_exact(sock, n):
    out = b""
    while len(out) < n:
        chunk = sock.recv(n - len(out))
        if not chunk:
            raise EOFError("closed after %d of %d bytes" % (len(out), n))
        out += chunk
    return out


def read_frame(sock):
    header = read_exact(sock, 8)
    (length,) = struct.unpack(">I", header[4:])
    return header[3], read_exact(sock, length)


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    s.settimeout(TIMEOUT)
    return s


def start(binary, *args):
    """Starts an example; returns (process, port) from its `listening on` line."""
    p = subprocess.Popen([binary, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        line = p.stdout.readline()
        if not line:
            break
        m = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
        if m:
            return p, int(m.group(1))
    p.kill()
    raise RuntimeError("%s printed no `listening on` line" % binary)


def stop(p):
    p.terminate()
    try:
        return p.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        p.kill()
        return None


work = tempfile.mkdtemp(prefix="vigil-examples.")
try:
    prefix = os.path.join(work, "prefix")
    run(["cmake", "--install", build, "--prefix", prefix, "--component", "development"],
        "cmake --install --component development")
    for path in ["include/vigil/server.h", "include/vigil/messagehandler.h", "include/vigil/daemon.h",
                 "lib/cmake/Vigil/VigilConfig.cmake", "lib/cmake/Vigil/VigilConfigVersion.cmake"]:
        check(os.path.exists(os.path.join(prefix, path)) or
              os.path.exists(os.path.join(prefix, path.replace("lib/", "lib/x86_64-linux-gnu/"))),
              "installed " + path)

    def build_project(src, out, what):
        """Configures src against the installed package and builds it, as a user would."""
        return run(["cmake", "-S", src, "-B", out, "-G", "Ninja", "-DCMAKE_PREFIX_PATH=" + prefix,
                    "-DCMAKE_CXX_COMPILER=" + cxx, "-DCMAKE_CXX_FLAGS=-Wall -Wextra -Werror " + cxx_flags,
                    "-DCMAKE_EXE_LINKER_FLAGS=" + link_flags], what + " configures against the installed package") \
            and run(["cmake", "--build", out], what + " builds")

    binaries = {}
    for name in ["broadcast", "blog", "presence"]:
        out = os.path.join(work, name)
        if build_project(os.path.join(source, "examples", name), out, "examples/" + name):
            binaries[name] = os.path.join(out, "vigil-" + name)

    # A version the package cannot satisfy is refused at configure time.
    toonew = os.path.join(work, "toonew")
    os.makedirs(toonew)
    with open(os.path.join(toonew, "CMakeLists.txt"), "w") as f:
        f.write("cmake_minimum_required(VERSION 3.25)\nproject(t LANGUAGES CXX)\nfind_package(Vigil 2.0 REQUIRED)\n")
    run(["cmake", "-S", toonew, "-B", os.path.join(toonew, "b"), "-DCMAKE_PREFIX_PATH=" + prefix],
        "find_package(Vigil 2.0) is refused", expect_ok=False)

    # Vigil::Core + Vigil::Admin in a program of its own: the admin endpoint on.
    admin_src = os.path.join(work, "adminapp")
    os.makedirs(admin_src)
    with open(os.path.join(admin_src, "CMakeLists.txt"), "w") as f:
        f.write("cmake_minimum_required(VERSION 3.25)\nproject(adminapp LANGUAGES CXX)\n"
                "set(CMAKE_CXX_STANDARD 17)\nfind_package(Vigil 1.1 REQUIRED)\n"
                "add_executable(adminapp main.cpp)\ntarget_link_libraries(adminapp PRIVATE Vigil::Core Vigil::Admin)\n")
    with open(os.path.join(admin_src, "main.cpp"), "w") as f:
        f.write("""#include <vigil/adminserver.h>
#include <vigil/server.h>
#include <QCoreApplication>
#include <cstdio>
int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    Vigil::ServerConfig config;
    config.listen = {*Vigil::ListenAddress::parse(QStringLiteral("127.0.0.1:0"))};
    config.logToStdout = false;
    Vigil::Server server;
    if (!server.start(config))
        return 1;
    Vigil::AdminServer admin(server, QByteArray(), false);
    if (!admin.listen(*Vigil::ListenAddress::parse(QStringLiteral("127.0.0.1:0"))))
        return 1;
    std::printf("listening on %s\\n", qPrintable(admin.boundAddress().toString()));
    std::fflush(stdout);
    return app.exec();
}
""")
    out = os.path.join(work, "adminapp-build")
    if build_project(admin_src, out, "Vigil::Core + Vigil::Admin"):
        import urllib.request
        p, port = start(os.path.join(out, "adminapp"))
        try:
            body = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=TIMEOUT).read().decode()
            check("vigil_connections" in body, "Vigil::Admin: /metrics answers")
        finally:
            p.kill()
            p.wait()

    if "broadcast" in binaries:
        p, port = start(binaries["broadcast"], "--listen", "127.0.0.1:0", "--log-format", "text")
        try:
            a, b, c = connect(port), connect(port), connect(port)
            # Every client is in the server before anyone speaks: a PONG each.
            for s in (a, b, c):
                s.sendall(frame(PING, b"x"))
                check(read_frame(s) == (PONG, b"x"), "broadcast: client answered")
            a.sendall(frame(DATA, b"from a"))
            check(read_frame(b) == (DATA, b"from a"), "broadcast: b gets a's message")
            check(read_frame(c) == (DATA, b"from a"), "broadcast: c gets a's message")
            b.sendall(frame(DATA, b"from b"))
            # a's first DATA is b's: its own message never came back.
            check(read_frame(a) == (DATA, b"from b"), "broadcast: the sender does not get its own")
            check(read_frame(c) == (DATA, b"from b"), "broadcast: c gets b's message")
        finally:
            check(stop(p) == 0, "broadcast: SIGTERM exits 0")

    if "blog" in binaries:
        p, port = start(binaries["blog"], "0")
        try:
            s = connect(port)
            s.sendall(b"www.01happy.com" + struct.pack(">i", 5) + b"hello")
            check(read_exact(s, 24) == b"www.01happy.com" + struct.pack(">i", 5) + b"hello",
                  "blog: a legacy message is answered in the legacy framing")
        finally:
            p.kill()
            p.wait()

    if "presence" in binaries:
        p, port = start(binaries["presence"], "--listen", "127.0.0.1:0", "--idle-timeout", "1s")
        try:
            d1, d2, asker = connect(port), connect(port), connect(port)
            for s, name in ((d1, "sensor-1"), (d2, "sensor-2")):
                s.sendall(frame(HELLO, json.dumps({"client": name}).encode()))
                check(read_frame(s)[0] == WELCOME, "presence: %s welcomed" % name)
            d2.sendall(frame(BYE, b"\x0b"))
            d2.close()
            # sensor-1 keeps heartbeating; the asker stays silent and is idled out later.
            deadline = time.monotonic() + TIMEOUT
            registry = None
            while time.monotonic() < deadline:
                d1.sendall(frame(PING, b"hb"))
                read_frame(d1)
                asker.sendall(frame(DATA, b"who"))
                ftype, body = read_frame(asker)
                registry = json.loads(body)
                if any(g["client"] == "sensor-2" for g in registry["gone"]):
                    break
                time.sleep(0.05)
            online = sorted(d["client"] for d in registry["online"])
            check(online == ["sensor-1"], "presence: sensor-1 online (%s)" % online)
            gone = {g["client"]: g["reason"] for g in registry["gone"]}
            check(gone.get("sensor-2") == "normal", "presence: sensor-2 left, normal (%s)" % gone)
            # sensor-1 goes silent: the idle watchdog's verdict is what the registry says.
            deadline = time.monotonic() + TIMEOUT
            while time.monotonic() < deadline:
                asker.sendall(frame(DATA, b"who"))
                registry = json.loads(read_frame(asker)[1])
                if any(g["client"] == "sensor-1" for g in registry["gone"]):
                    break
                time.sleep(0.1)
            gone = {g["client"]: g["reason"] for g in registry["gone"]}
            check(gone.get("sensor-1") == "idle-timeout", "presence: silent sensor-1 is idle-timeout (%s)" % gone)
        finally:
            check(stop(p) == 0, "presence: SIGTERM exits 0")
except Exception as e:  # a crash of the driver is a failure, not a pass
    check(False, "unexpected: %r" % e)
finally:
    shutil.rmtree(work, ignore_errors=True)

print("Totals: %d failed" % len(failures))
sys.exit(1 if failures else 0)
