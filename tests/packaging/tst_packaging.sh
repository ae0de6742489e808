#!/usr/bin/env bash
# Packaging test: `cmake --install` into a DESTDIR, `cpack -G DEB` (the
# programs' package vigil and the development package vigil-dev), and
# `systemd-analyze verify` on the installed unit (skipped without it).
#   tst_packaging.sh BUILD_DIR UNIT_PATH EXPECTED_PATH...
# EXPECTED_PATHs are absolute installed paths (globs allowed).
set -euo pipefail
build=$1
unit=$2
shift 2
expected=("$@")

fails=0
checks=0
skips=0
pass() { checks=$((checks + 1)); echo "PASS   : $*"; }
fail() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL!  : $*"; }
skip() { skips=$((skips + 1)); echo "SKIP   : $*"; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. cmake --install into a DESTDIR
root=$work/root
if DESTDIR=$root cmake --install "$build" >"$work/install.log" 2>&1; then
    pass "cmake --install into DESTDIR"
else
    cat "$work/install.log"
    fail "cmake --install into DESTDIR"
fi
for path in "${expected[@]}"; do
    # shellcheck disable=SC2086 # the glob must expand
    if compgen -G "$root$path" >/dev/null; then
        pass "installed $path"
    else
        fail "installed $path (missing)"
    fi
done

bindir=$(dirname "${expected[0]}")
if "$root$bindir/vigild" --version | grep -q '^vigild [0-9]'; then
    pass "installed vigild --version"
else
    fail "installed vigild --version"
fi

# The unit stays hardened.
for directive in DynamicUser=yes NoNewPrivileges=yes ProtectSystem=strict 'LimitNOFILE=[0-9]' \
                 'ExecStart=/.*/vigild --config /.*/vigild.conf'; do
    if grep -Eq "^$directive" "$root$unit"; then
        pass "unit has $directive"
    else
        fail "unit has $directive"
    fi
done

# 2. systemd-analyze verify (needs systemd's tools; not a running systemd)
if command -v systemd-analyze >/dev/null; then
    # Verify a copy whose ExecStart names the DESTDIR binary, so the check
    # that the binary exists and is executable applies to what was installed.
    mkdir -p "$work/unit"
    sed -E "s|^ExecStart=(/[^ ]*)|ExecStart=$root\\1|" "$root$unit" >"$work/unit/vigild.service"
    if out=$(systemd-analyze verify --man=no "$work/unit/vigild.service" 2>&1) && [ -z "$out" ]; then
        pass "systemd-analyze verify"
    else
        echo "$out"
        fail "systemd-analyze verify"
    fi
else
    skip "systemd-analyze not installed"
fi

# 3. cpack -G DEB and what the package holds
if ! command -v dpkg-deb >/dev/null; then
    skip "dpkg-deb not installed: no .deb check"
elif (cd "$work" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/deb") >"$work/cpack.log" 2>&1; then
    deb=$(ls "$work"/deb/vigil_*.deb 2>/dev/null | head -n 1)
    devdeb=$(ls "$work"/deb/vigil-dev_*.deb 2>/dev/null | head -n 1)
    # The development package: headers, archives and the CMake package.
    if [ -n "$devdeb" ]; then
        pass "cpack -G DEB built $(basename "$devdeb")"
        dpkg-deb -c "$devdeb" | awk '{print $6}' | sed 's|^\./|/|' >"$work/devcontents"
        for pattern in '/usr/include/vigil/server\.h' '/usr/include/vigil/messagehandler\.h' \
                       '/usr/lib/.*libvigil_server\.a' '/usr/lib/.*cmake/Vigil/VigilConfig\.cmake' \
                       '/usr/lib/.*cmake/Vigil/VigilConfigVersion\.cmake' '/usr/lib/.*cmake/Vigil/VigilTargets\.cmake'; do
            grep -qx "$pattern" "$work/devcontents" && pass "dev deb contains $pattern" || fail "dev deb contains $pattern"
        done
        grep -q '^/usr/bin/' "$work/devcontents" && fail "dev deb holds no programs" || pass "dev deb holds no programs"
        [ "$(dpkg-deb -f "$devdeb" Package)" = vigil-dev ] && pass "dev deb Package: vigil-dev" || fail "dev deb Package: vigil-dev"
        case "$(dpkg-deb -f "$devdeb" Depends)" in
            *qt6-base-dev*) pass "dev deb depends on qt6-base-dev" ;;
            *) fail "dev deb depends on qt6-base-dev" ;;
        esac
    else
        fail "cpack -G DEB produced no vigil-dev .deb"
    fi
    if [ -n "$deb" ]; then
        grep -q '^/usr/include/' <(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|') \
            && fail "runtime deb holds no headers" || pass "runtime deb holds no headers"
        pass "cpack -G DEB built $(basename "$deb")"
        dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$work/contents"
        for path in "${expected[@]}"; do
            # shellcheck disable=SC2053 # glob match on purpose
            if grep -qx "$(printf '%s' "$path" | sed 's/[.]/\\./g; s/\*/.*/g')" "$work/contents"; then
                pass "deb contains $path"
            else
                fail "deb contains $path"
            fi
        done
        [ "$(dpkg-deb -f "$deb" Package)" = vigil ] && pass "deb Package: vigil" || fail "deb Package: vigil"
        arch=$(dpkg --print-architecture)
        [ "$(dpkg-deb -f "$deb" Architecture)" = "$arch" ] && pass "deb Architecture: $arch" || fail "deb Architecture"
        depends=$(dpkg-deb -f "$deb" Depends)
        for lib in libc6 libqt6core6 libqt6network6; do
            case "$depends" in
                *"$lib"*) pass "deb depends on $lib" ;;
                *) fail "deb depends on $lib (Depends: $depends)" ;;
            esac
        done
        [ -n "$(dpkg-deb -f "$deb" Maintainer)" ] && pass "deb has a Maintainer" || fail "deb has a Maintainer"
        [ -n "$(dpkg-deb -f "$deb" Description)" ] && pass "deb has a Description" || fail "deb has a Description"
        mkdir -p "$work/control"
        dpkg-deb -e "$deb" "$work/control"
        if grep -qx '/etc/vigil/vigild.conf' "$work/control/conffiles" 2>/dev/null \
            || grep -q '/vigil/vigild.conf$' "$work/control/conffiles" 2>/dev/null; then
            pass "deb marks vigild.conf a conffile"
        else
            fail "deb marks vigild.conf a conffile"
        fi
        for script in postinst prerm postrm; do
            if [ -x "$work/control/$script" ] && sh -n "$work/control/$script"; then
                pass "deb $script is an executable sh script"
            else
                fail "deb $script"
            fi
        done
    else
        cat "$work/cpack.log"
        fail "cpack -G DEB produced no .deb"
    fi
else
    cat "$work/cpack.log"
    fail "cpack -G DEB"
fi

echo "Totals: $((checks - fails)) passed, $fails failed, $skips skipped"
echo "$((checks - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
