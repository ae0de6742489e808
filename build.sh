#!/usr/bin/env bash
# Vigil's one-stop script for a fresh Debian 12 box.
#   ./build.sh run    install what is missing, build, run the monitor (vigild when there is no display)
#   ./build.sh test   install what is missing, build with -Werror, run every test
#   ./build.sh build  install what is missing and build only
# Extra arguments after "run" go to the program, e.g. ./build.sh run --listen 127.0.0.1:7700
set -euo pipefail
cd "$(dirname "$0")"

PACKAGES=(build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev
          qt6-base-dev qt6-base-dev-tools libgl-dev
          qt6-httpserver-dev qt6-websockets-dev prometheus dpkg-dev file systemd
          golang-go python3 netcat-openbsd haproxy libssl-dev openssl
          xvfb xauth imagemagick fonts-dejavu-core)

install_packages() {
    local missing=()
    for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "==> installing: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

build() {
    echo "==> configuring and building (build/release)"
    cmake --preset release >/dev/null
    cmake --build --preset release -j "$(nproc)"
}

cmd=${1:-run}
shift || true
case "$cmd" in
    build)
        install_packages
        build
        ;;
    run)
        install_packages
        build
        if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -x build/release/bin/vigil-monitor ]; then
            echo "==> starting vigil-monitor, serving (by default on 127.0.0.1:7600)"
            exec build/release/bin/vigil-monitor --start "$@"
        fi
        echo "==> no display: starting headless vigild (by default on 127.0.0.1:7600; Ctrl+C stops it)"
        exec build/release/bin/vigild "$@"
        ;;
    test)
        install_packages
        build
        echo "==> running the tests"
        ctest --preset release
        # The same suite under ASan+UBSan (the soak is a load test: release only),
        # the threaded tests under TSan, and each fuzzer for a bounded time.
        # VIGIL_SANITIZERS=0 skips these for a quick local run.
        if [ "${VIGIL_SANITIZERS:-1}" != 0 ]; then
            echo "==> ASan+UBSan: build and test (build/asan)"
            cmake --preset asan >/dev/null
            cmake --build --preset asan -j "$(nproc)"
            ctest --preset asan
            echo "==> TSan: build and test the threaded code (build/tsan)"
            cmake --preset tsan >/dev/null
            cmake --build --preset tsan -j "$(nproc)"
            ctest --preset tsan
            echo "==> fuzzers: ${VIGIL_FUZZ_SECONDS:-30} s each (build/fuzz)"
            cmake --preset fuzz -DVIGIL_FUZZ_SECONDS="${VIGIL_FUZZ_SECONDS:-30}" >/dev/null
            cmake --build --preset fuzz -j "$(nproc)"
            ctest --preset fuzz
        fi
        ;;
    *)
        echo "usage: $0 run|test|build" >&2
        exit 2
        ;;
esac
