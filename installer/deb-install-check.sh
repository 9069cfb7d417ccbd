#!/usr/bin/env bash
# Runs as root INSIDE the throwaway root that deb-test.sh makes (an overlay of this system that
# disappears afterwards): install, run, reinstall, remove and purge the package for real, and
# check what each step leaves behind. Never run it on a real system.
set -euo pipefail

DEB=$1
PKG=kiosk-suite-kiosk
UNIT=kiosk-suite-kiosk.service
CONFIG=/etc/kiosk-suite/kiosk.toml
DATA=/var/lib/kiosk-suite
WANTS=/etc/systemd/system/multi-user.target.wants/$UNIT

[ -e /run/kiosk-suite-throwaway-root ] || {
  echo "deb-install-check: refusing to run outside deb-test.sh's throwaway root" >&2
  exit 1
}

fail() {
  echo "deb-test: FAIL (installed): $*" >&2
  exit 1
}
ok() { echo "deb-test: ok (installed): $*"; }
expect_stat() { # path "owner:group mode"
  local got
  got=$(stat -c '%U:%G %a' "$1")
  [ "$got" = "$2" ] || fail "$1 is $got, expected $2"
}

if getent passwd kiosk >/dev/null; then
  fail "this system already has a 'kiosk' user; the test needs a system without one"
fi
[ ! -e /opt/kiosk-suite ] || fail "/opt/kiosk-suite exists already on this system"

# --- install --------------------------------------------------------------------------------------
dpkg -i "$DEB" >/tmp/dpkg-install.log 2>&1 || {
  cat /tmp/dpkg-install.log >&2
  fail "dpkg -i failed (missing dependencies? run 'make system-deps' and see installer/README.md)"
}
[ "$(dpkg-query -W -f='${Status}' "$PKG")" = "install ok installed" ] || fail "package not installed"
ok "dpkg -i: installed and configured"

IFS=: read -r _ _ uid _ _ home shell < <(getent passwd kiosk)
[ "$uid" -lt 1000 ] || fail "kiosk is not a system user (uid $uid)"
[ "$home" = "$DATA" ] || fail "kiosk's home is $home, expected $DATA"
[ "$shell" = /usr/sbin/nologin ] || fail "kiosk's shell is $shell, expected /usr/sbin/nologin"
getent group kiosk >/dev/null || fail "no kiosk group"
passwd_status=$(passwd -S kiosk | awk '{print $2}')
[ "$passwd_status" != P ] || fail "the kiosk user has a usable password"
ok "system user kiosk (uid $uid, home $home, no login shell, no password)"

expect_stat "$DATA" "kiosk:kiosk 750"
expect_stat "$CONFIG" "root:kiosk 640"
dpkg-statoverride --list "$CONFIG" | grep -Eq '^root kiosk 0?640 ' || fail "no statoverride for $CONFIG"
grep -qx "$CONFIG" "/var/lib/dpkg/info/$PKG.conffiles" || fail "$CONFIG is not a conffile"
[ -L "$WANTS" ] || fail "$UNIT is not enabled ($WANTS missing)"
expect_stat /opt/kiosk-suite/kiosk/kiosk "root:root 755"
ok "data folder kiosk:kiosk 0750, config root:kiosk 0640 (statoverride, conffile), unit enabled"

verify=$(systemd-analyze verify "/lib/systemd/system/$UNIT" 2>&1) || fail "systemd-analyze verify: $verify"
[ -z "$verify" ] || fail "systemd-analyze verify: $verify"
ok "systemd-analyze verify $UNIT (with the kiosk user present)"

# --- run it the way the service does ---------------------------------------------------------------
# Same user, config, environment and cage command line as kiosk-suite-kiosk.service; cage uses
# wlroots' headless backend because there is no screen here. Non-root, so no sandbox switch.
exec_start=$(sed -n 's/^ExecStart=//p' "/lib/systemd/system/$UNIT")
[ "$exec_start" = "/usr/bin/cage -d -- /opt/kiosk-suite/kiosk/kiosk --config $CONFIG" ] ||
  fail "unexpected ExecStart: $exec_start"
read -r -a command <<<"$exec_start"
unit_env=()
while read -r line; do
  read -r -a words <<<"$line"
  unit_env+=("${words[@]}")
done < <(sed -n 's/^Environment=//p' "/lib/systemd/system/$UNIT")
install -d -o kiosk -g kiosk -m 0700 /tmp/xdg-kiosk
set +e
out=$(cd "$DATA" && env -i PATH=/usr/bin:/bin HOME="$DATA" USER=kiosk XDG_RUNTIME_DIR=/tmp/xdg-kiosk \
  WLR_BACKENDS=headless WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1 "${unit_env[@]}" \
  timeout 120 setpriv --reuid=kiosk --regid=kiosk --init-groups --no-new-privs \
  "${command[@]}" --self-test 2>/tmp/cage.err)
code=$?
set -e
if [[ $code != 0 || $out != *'"screen": "QtStartScreen"'* ]]; then
  cat /tmp/cage.err >&2
  fail "the installed kiosk under cage (Wayland) as user kiosk: exit $code, output: $out"
fi
if grep -q Traceback /tmp/cage.err; then
  cat /tmp/cage.err >&2
  fail "the installed kiosk logged a traceback"
fi
[ "$(stat -c %U "$DATA/outbox.db")" = kiosk ] || fail "the outbox in $DATA is not the kiosk user's"
ok "the installed kiosk, as user kiosk, in cage on Wayland: $(tail -n 1 <<<"$out")"

# The check that installer/README.md gives the technician after editing the config.
out=$(runuser -u kiosk -- env QT_QPA_PLATFORM=offscreen /opt/kiosk-suite/kiosk/kiosk \
  --config "$CONFIG" --data-dir /tmp/kiosk-check --self-test 2>/tmp/check.err) || {
  cat /tmp/check.err >&2
  fail "the README's config check failed"
}
[[ $out == *'"screen": "QtStartScreen"'* ]] || fail "the README's config check printed: $out"
ok "the README's config check (runuser -u kiosk … --self-test) works"

# --- again: reinstall (as an upgrade would) -------------------------------------------------------
dpkg -i "$DEB" >/tmp/dpkg-reinstall.log 2>&1 || {
  cat /tmp/dpkg-reinstall.log >&2
  fail "a second dpkg -i failed"
}
[ "$(id -u kiosk)" = "$uid" ] || fail "reinstalling changed the kiosk user's uid"
expect_stat "$DATA" "kiosk:kiosk 750"
expect_stat "$CONFIG" "root:kiosk 640"
[ -f "$DATA/outbox.db" ] || fail "reinstalling lost the outbox"
ok "reinstall is idempotent (same user, permissions, data)"

# --- remove: program gone, site settings and data kept -------------------------------------------
echo '# a site setting' >>"$CONFIG"
dpkg -r "$PKG" >/tmp/dpkg-remove.log 2>&1 || {
  cat /tmp/dpkg-remove.log >&2
  fail "dpkg -r failed"
}
[ ! -e /opt/kiosk-suite/kiosk/kiosk ] || fail "dpkg -r left the program"
[ ! -e "$WANTS" ] || fail "dpkg -r left the unit enabled"
grep -q '^# a site setting' "$CONFIG" || fail "dpkg -r lost the edited config"
getent passwd kiosk >/dev/null || fail "dpkg -r removed the kiosk user (only purge may)"
[ -f "$DATA/outbox.db" ] || fail "dpkg -r removed the data"
ok "dpkg -r: program and unit gone; config, user and data kept"

dpkg -i "$DEB" >/tmp/dpkg-install2.log 2>&1 || {
  cat /tmp/dpkg-install2.log >&2
  fail "installing again after remove failed"
}
grep -q '^# a site setting' "$CONFIG" || fail "installing again replaced the edited config"
[ -L "$WANTS" ] || fail "installing again did not enable the unit"
ok "install after remove keeps the edited config and enables the unit again"

# --- purge: nothing left --------------------------------------------------------------------------
dpkg -P "$PKG" >/tmp/dpkg-purge.log 2>&1 || {
  cat /tmp/dpkg-purge.log >&2
  fail "dpkg -P failed"
}
if getent passwd kiosk >/dev/null; then fail "purge left the kiosk user"; fi
if getent group kiosk >/dev/null; then fail "purge left the kiosk group"; fi
for path in "$DATA" /etc/kiosk-suite /opt/kiosk-suite "$WANTS" "/etc/systemd/system/$UNIT"; do
  if [ -e "$path" ] || [ -L "$path" ]; then fail "purge left $path"; fi
done
if dpkg-statoverride --list "$CONFIG" >/dev/null; then fail "purge left the statoverride"; fi
ok "dpkg -P: user, group, data, config, statoverride and unit links are gone"
