#!/usr/bin/env bash
# Vigil's one-stop script for a fresh Debian 12 box.
#   ./build.sh run    install what is missing, build, run the monitor (vigild when there is no display)
#   ./build.sh test   install what is missing, build with -Werror, run every test
#   ./build.sh build  install what is missing and build only
# Extra arguments after "run" go to the program, e.g. ./build.sh run --listen 127.0.0.1:7700
set -euo pipefail
cd "$(dirname "$0")"

PACKAGES=(build-essential cmake ninja-build pkg-config
          qt6-base-dev qt6-base-dev-tools libgl-dev
          qt6-httpserver-dev qt6-websockets-dev prometheus dpkg-dev file systemd
          golang-go python3 netcat-openbsd
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
        if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -x build/release/gui/vigil-monitor/vigil-monitor ]; then
            echo "==> starting vigil-monitor (serving on 127.0.0.1:7600)"
            exec build/release/gui/vigil-monitor/vigil-monitor --start "$@"
        fi
        echo "==> no display: starting headless vigild on 127.0.0.1:7600 (Ctrl+C stops it)"
        exec build/release/server/vigild "$@"
        ;;
    test)
        install_packages
        build
        echo "==> running the tests"
        ctest --preset release
        ;;
    *)
        echo "usage: $0 run|test|build" >&2
        exit 2
        ;;
esac
