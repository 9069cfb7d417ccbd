#!/usr/bin/env bash
# `make deb-test`: checks the .deb that `make deb` built, then installs it for real into a
# throwaway root and runs it there.
#
#  1. control fields, contents, owners and modes (dpkg-deb)
#  2. maintainer scripts (shellcheck, sh -n) and the unit (systemd-analyze verify)
#  3. lintian: no error, warning, pedantic or experimental tag outside installer/deb/lintian-overrides
#  4. dpkg -i / reinstall / -r / -P inside an overlay of this system (private mount, PID and
#     network namespaces; the overlay's upper layer is a tmpfs that vanishes with them), and the
#     installed kiosk started like the service does: as user kiosk, in cage, on Wayland.
#     installer/deb-install-check.sh is that part.
#
# Needs root (mounts, dpkg) and, on Debian, installs what it lacks: lintian, shellcheck and the
# package's dependencies. systemd itself is not running here: PAM/logind and tty1 are not tested.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PY:-$ROOT/.venv/bin/python}
PKG=kiosk-suite-kiosk

fail() {
  echo "deb-test: FAIL: $*" >&2
  exit 1
}
ok() { echo "deb-test: ok: $*"; }

[ "$(id -u)" = 0 ] || fail "run as root: the test installs the package into a throwaway root"
VERSION=$("$PY" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
ARCH=$(dpkg --print-architecture)
DEB=$ROOT/dist/${PKG}_${VERSION}_${ARCH}.deb
[ -f "$DEB" ] || fail "$DEB is missing: run 'make deb'"
started=$(date +%s)

# --- tools and the package's dependencies ---------------------------------------------------------
depends=$(dpkg-deb -f "$DEB" Depends | sed 's/([^)]*)//g; s/,/ /g')
missing=()
for pkg in lintian shellcheck util-linux iproute2 $depends; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || fail "missing packages: ${missing[*]}"
  echo "deb-test: installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

WORK=$(mktemp -d /tmp/kiosk-deb-test.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# --- 1. control, contents -------------------------------------------------------------------------
field() { dpkg-deb -f "$DEB" "$1"; }
[ "$(field Package)" = "$PKG" ] || fail "Package: $(field Package)"
[ "$(field Version)" = "$VERSION" ] || fail "Version $(field Version) is not pyproject's $VERSION"
[ "$(field Architecture)" = "$ARCH" ] || fail "Architecture: $(field Architecture)"
[[ $(field Installed-Size) =~ ^[0-9]+$ ]] || fail "Installed-Size: $(field Installed-Size)"
for dep in adduser cage xwayland libwayland-cursor0 libwayland-egl1 libegl1 fonts-dejavu-core; do
  [[ " $depends " == *" $dep "* ]] || fail "Depends lacks $dep"
done
ok "control: $PKG $VERSION $ARCH, Depends on cage, xwayland, adduser and the system libraries"

dpkg-deb -c "$DEB" >"$WORK/contents"
if awk '$2 != "root/root"' "$WORK/contents" | grep -q .; then
  fail "entries not owned by root/root: $(awk '$2 != "root/root"' "$WORK/contents" | head -3)"
fi
expect_entry() { # mode path
  grep -qE "^$1 root/root +[0-9]+ [0-9-]+ [0-9:]+ \./$2( |$)" "$WORK/contents" ||
    fail "the package has no $2 with mode $1"
}
expect_entry -rwxr-xr-x opt/kiosk-suite/kiosk/kiosk
expect_entry -rwxr-xr-x opt/kiosk-suite/kiosk/_internal/PySide6/Qt/libexec/QtWebEngineProcess
expect_entry -rw-r--r-- opt/kiosk-suite/kiosk/_internal/PySide6/Qt/resources/qtwebengine_resources.pak
expect_entry -rw-r--r-- opt/kiosk-suite/kiosk/_internal/kiosk/locale/nl/LC_MESSAGES/kiosk.mo
expect_entry -rw-r--r-- etc/kiosk-suite/kiosk.toml
expect_entry -rw-r--r-- lib/systemd/system/kiosk-suite-kiosk.service
expect_entry -rw-r--r-- usr/share/doc/kiosk-suite-kiosk/copyright
expect_entry -rw-r--r-- usr/share/doc/kiosk-suite-kiosk/changelog.gz
expect_entry -rw-r--r-- usr/share/lintian/overrides/kiosk-suite-kiosk
bundle_files=$(cd dist/kiosk && find . -type f | wc -l)
packaged_files=$(grep -c '^-.* \./opt/kiosk-suite/kiosk/' "$WORK/contents")
[ "$bundle_files" = "$packaged_files" ] ||
  fail "dist/kiosk has $bundle_files files, the package $packaged_files under /opt/kiosk-suite/kiosk"
if grep -E '^-..[xsS].* \./opt/.*\.so[.0-9]*$' "$WORK/contents" | grep -q .; then
  fail "shared objects with an execute bit"
fi
ok "contents: $packaged_files bundle files under /opt/kiosk-suite/kiosk, config, unit, docs; root-owned"

# --- 2. maintainer scripts, conffiles, unit -----------------------------------------------------
dpkg-deb -e "$DEB" "$WORK/control"
[ "$(cat "$WORK/control/conffiles")" = /etc/kiosk-suite/kiosk.toml ] || fail "conffiles: $(cat "$WORK/control/conffiles")"
for script in postinst prerm postrm; do
  [ -x "$WORK/control/$script" ] || fail "$script is missing or not executable"
  sh -n "$WORK/control/$script" || fail "$script: syntax error"
  shellcheck -s sh "$WORK/control/$script" || fail "shellcheck $script"
done
ok "conffiles; postinst, prerm, postrm pass sh -n and shellcheck"

dpkg-deb -x "$DEB" "$WORK/root"
unit=$WORK/root/lib/systemd/system/$PKG.service
for line in 'User=kiosk' 'PAMName=login' 'TTYPath=/dev/tty1' 'Conflicts=getty@tty1.service' \
  'Restart=always' 'RestartSec=2' 'StartLimitIntervalSec=0' 'WantedBy=multi-user.target' \
  'TimeoutStopSec=15' \
  'ExecStart=/usr/bin/cage -d -- /opt/kiosk-suite/kiosk/kiosk --config /etc/kiosk-suite/kiosk.toml'; do
  grep -qxF "$line" "$unit" || fail "the unit lacks: $line"
done
verify=$(systemd-analyze verify "$unit" 2>&1) || fail "systemd-analyze verify: $verify"
[ -z "$verify" ] || fail "systemd-analyze verify: $verify"
ok "unit: cage on tty1 as kiosk, restarts always; systemd-analyze verify is silent"

# --- 3. lintian -----------------------------------------------------------------------------------
lintian_started=$(date +%s)
if ! lintian --no-cfg --pedantic --display-experimental --fail-on error,warning,pedantic,experimental \
  "$DEB" >"$WORK/lintian.out" 2>&1; then
  cat "$WORK/lintian.out" >&2
  fail "lintian (tags above; justified exceptions go to installer/deb/lintian-overrides)"
fi
ok "lintian: no error/warning/pedantic/experimental tag beyond installer/deb/lintian-overrides" \
  "($(($(date +%s) - lintian_started)) s)"

# --- 4. install, run, reinstall, remove, purge in a throwaway root --------------------------------
# unshare: private mounts (gone when the namespace ends), own PIDs (cage and the kiosk die with
# it) and no network but loopback. The overlay's lower layer is this system's root, read-only through
# overlayfs; everything written goes to a tmpfs.
mkdir -p "$WORK/layer"
# shellcheck disable=SC2016 # the inner script expands its own arguments
unshare --mount --propagation private --pid --fork --net bash -euo pipefail -c '
  work=$1 deb=$2
  ip link set lo up # a PC has its loopback up from early boot; paho needs it
  mount -t tmpfs -o size=2g tmpfs "$work/layer"
  mkdir -p "$work/layer/upper" "$work/layer/work" "$work/merged"
  mount -t overlay overlay -o "lowerdir=/,upperdir=$work/layer/upper,workdir=$work/layer/work" "$work/merged"
  root=$work/merged
  mount --rbind /dev "$root/dev"
  mount -t proc proc "$root/proc"
  mount --rbind /sys "$root/sys"
  mount -t tmpfs tmpfs "$root/tmp"
  mount -t tmpfs tmpfs "$root/run"
  touch "$root/run/kiosk-suite-throwaway-root"
  cp "$deb" "$root/tmp/package.deb"
  cp "$3" "$root/tmp/deb-install-check.sh"
  chroot "$root" /bin/bash /tmp/deb-install-check.sh /tmp/package.deb
' deb-test "$WORK" "$DEB" "$ROOT/installer/deb-install-check.sh" ||
  fail "the install test in the throwaway root failed (above)"

echo "deb-test: all checks passed in $(($(date +%s) - started)) s"
