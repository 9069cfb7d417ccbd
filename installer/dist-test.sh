#!/usr/bin/env bash
# `make dist-test`: the bundles in dist/ work on their own, as on a PC without Python.
#
# Every bundle command runs through `env -i` (only PATH, HOME, LANG and Qt variables; no .venv,
# no PYTHONPATH) from a folder outside the repository. The harness itself uses the venv's Python
# only to read JSON. It fails on the first problem and says which.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PY:-$ROOT/.venv/bin/python}
KIOSK_DIR=$ROOT/dist/kiosk
ADMIN_DIR=$ROOT/dist/admin-console
KIOSK=$KIOSK_DIR/kiosk
ADMIN=$ADMIN_DIR/admin-console

fail() {
  echo "dist-test: FAIL: $*" >&2
  exit 1
}
ok() { echo "dist-test: ok: $*"; }

[ -x "$KIOSK" ] || fail "$KIOSK is missing: run 'make dist'"
[ -x "$ADMIN" ] || fail "$ADMIN is missing: run 'make dist'"
command -v mosquitto_pub >/dev/null || fail "mosquitto_pub is missing (make system-deps)"
command -v ss >/dev/null || fail "ss (iproute2) is missing"

WORK=$(mktemp -d /tmp/kiosk-dist-test.XXXXXX)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK/home" "$WORK/cwd"
cd "$WORK/cwd" # outside the repository: nothing may be found through the working directory

CLEAN_ENV=(env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$WORK/home" LANG=C.UTF-8)
QT_ENV=(QT_QPA_PLATFORM=offscreen)
# Chromium refuses to run its sandbox as root; a kiosk runs as its own user (see the .deb).
[ "$(id -u)" = 0 ] && QT_ENV+=(QTWEBENGINE_DISABLE_SANDBOX=1)
started=$(date +%s)

# --- 1. files the code reads from disk ----------------------------------------------------------
# Every data file of the source packages must be in the bundle at the same place (the code finds
# them through Path(__file__)); the migrations travel as .py sources for Alembic.
check_copied() { # source-folder bundle-internal-folder find-expression...
  local src=$1 dest=$2 file missing=0 count=0
  shift 2
  while IFS= read -r file; do
    count=$((count + 1))
    if [ ! -f "$dest/$file" ]; then
      echo "dist-test: missing from the bundle: $dest/$file" >&2
      missing=1
    fi
  done < <(cd "$ROOT/$src" && find . -type f -not -path '*/__pycache__/*' "$@" | sed 's#^\./##')
  [ "$missing" = 0 ] || fail "data files of $src are missing from $dest"
  [ "$count" -gt 0 ] || fail "found no files to check under $src"
  ok "$count files of $src are in the bundle"
}
check_copied kiosk "$KIOSK_DIR/_internal/kiosk" -not -name '*.py' -not -name '*.pyc'
check_copied admin_console/store/migrations "$ADMIN_DIR/_internal/admin_console/store/migrations"
check_copied admin_console/ui/sounds "$ADMIN_DIR/_internal/admin_console/ui/sounds" -name '*.wav'
check_copied admin_console/read/locale "$ADMIN_DIR/_internal/admin_console/read/locale" -name '*.mo'
check_copied admin_console/ui/locale "$ADMIN_DIR/_internal/admin_console/ui/locale" -name '*.mo'

# QtWebEngine: the kiosk starts it lazily (first page of a visit), so --self-test does not load
# it. Its helper process, resources and locales must be there, and executable where needed.
QT=$KIOSK_DIR/_internal/PySide6/Qt
for file in libexec/QtWebEngineProcess resources/icudtl.dat resources/qtwebengine_resources.pak \
  resources/qtwebengine_resources_100p.pak resources/qtwebengine_resources_200p.pak \
  resources/v8_context_snapshot.bin translations/qtwebengine_locales/en-US.pak \
  translations/qtwebengine_locales/nl.pak translations/qtwebengine_locales/fr.pak \
  translations/qtwebengine_locales/de.pak translations/qtbase_nl.qm translations/qtbase_fr.qm \
  lib/libQt6WebEngineCore.so.6 lib/libQt6Pdf.so.6 lib/libQt6PdfWidgets.so.6 \
  plugins/platforms/libqwayland.so plugins/platforms/libqxcb.so plugins/platforms/libqoffscreen.so \
  plugins/wayland-shell-integration/libxdg-shell.so plugins/tls/libqopensslbackend.so \
  plugins/imageformats/libqsvg.so plugins/texttospeech/libqtexttospeech_speechd.so; do
  [ -s "$QT/$file" ] || fail "the kiosk bundle lacks PySide6/Qt/$file"
done
[ -x "$QT/libexec/QtWebEngineProcess" ] || fail "QtWebEngineProcess is not executable"
ok "QtWebEngine helper, resources, locales and the Wayland/X11/offscreen plugins are present"

# Trimming happened (and keeps happening when PySide6 changes): none of these may come back.
for gone in qml resources/qtwebengine_devtools_resources.pak plugins/multimedia \
  plugins/printsupport translations/qtwebengine_locales/ja.pak translations/qt_ja.qm; do
  [ ! -e "$QT/$gone" ] || fail "trimming failed: $QT/$gone is in the bundle"
done
ok "trimmed parts (QML, devtools, FFmpeg, printing, other languages) are absent"

# Every ELF file finds its libraries in the bundle or in the base system. Only the optional
# speech-dispatcher client may be absent (read aloud; the .deb recommends speech-dispatcher).
unresolved=$(
  for bundle in "$KIOSK_DIR" "$ADMIN_DIR"; do
    find "$bundle" -type f \( -name '*.so*' -o -perm -u+x \) -print0 |
      while IFS= read -r -d '' file; do
        head -c 4 "$file" | grep -q 'ELF' || continue
        LD_LIBRARY_PATH="$bundle/_internal" ldd "$file" 2>/dev/null |
          awk -v f="${file#"$ROOT"/}" '/not found/ {print f ": " $1}'
      done
  done | grep -v ': libspeechd\.so\.2$' || true
)
[ -z "$unresolved" ] || fail "libraries not found (install them, or bundle them):
$unresolved"
ok "every bundled ELF file resolves its libraries"

# --- 2. the kiosk ---------------------------------------------------------------------------------
set +e
out=$("${CLEAN_ENV[@]}" "${QT_ENV[@]}" "$KIOSK" --self-test --site smoke --machine pc-01 \
  --data-dir "$WORK/kiosk-data" --broker mqtt://127.0.0.1:9 2>"$WORK/kiosk.err")
code=$?
set -e
if [ "$code" != 0 ] || grep -E -q 'Traceback|task left out' "$WORK/kiosk.err"; then
  cat "$WORK/kiosk.err" >&2
  fail "kiosk --self-test exited with $code or logged an error (above)"
fi
builtin_tasks=$(find "$ROOT/kiosk/tasks/builtin" -name '*.toml' | wc -l)
echo "$out" | tail -n 1 | BUILTIN_TASKS=$builtin_tasks "$PY" -c '
import json, os, sys
report = json.loads(sys.stdin.read())
# "tasks" (the guided tasks loaded) is in the report from the guided-tasks work on
if "tasks" in report:
    assert report["tasks"] == int(os.environ["BUILTIN_TASKS"]), report
assert report["screen"] == "QtStartScreen", report
assert {"nl", "fr", "en"} <= set(report["languages"]), report
assert (report["site"], report["machine"]) == ("smoke", "pc-01"), report
assert report["ready_ms"] > 0 and report["rss_mb"] > 0, report
print("dist-test: ok: kiosk --self-test:", json.dumps(report))
' || fail "kiosk --self-test printed an unexpected report: $out"
[ -f "$WORK/kiosk-data/outbox.db" ] || fail "the kiosk made no outbox in --data-dir"

out=$(echo 2468 | "${CLEAN_ENV[@]}" "$KIOSK" --hash-pin) || fail "kiosk --hash-pin failed"
[[ $out == staff_pin_hash\ =\ \"*\$*\$*\$*\" ]] || fail "kiosk --hash-pin printed: $out"
ok "kiosk --hash-pin"

set +e
err=$("${CLEAN_ENV[@]}" "${QT_ENV[@]}" "$KIOSK" --self-test --site "Not Valid" 2>&1 >/dev/null)
code=$?
set -e
[[ $code == 2 && $err == *"is not valid"* ]] || fail "a bad --site gave exit $code: $err"
ok "kiosk refuses a bad site name with a readable message (exit 2)"

# --- 3. the admin console ------------------------------------------------------------------------
"${CLEAN_ENV[@]}" "$ADMIN" --help >/dev/null || fail "admin-console --help"
"${CLEAN_ENV[@]}" "$ADMIN" stats --help >/dev/null || fail "admin-console stats --help"
ok "admin-console --help, stats --help"

port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
db="sqlite:///$WORK/aggregator.db"
"${CLEAN_ENV[@]}" "$ADMIN" serve --embedded-broker --broker "mqtt://127.0.0.1:$port" --db "$db" \
  >"$WORK/serve.log" 2>&1 &
serve_pid=$!
pids+=("$serve_pid")
for _ in $(seq 1 60); do
  grep -q 'subscribed to' "$WORK/serve.log" && break
  kill -0 "$serve_pid" 2>/dev/null || break
  sleep 0.5
done
grep -q 'subscribed to' "$WORK/serve.log" || {
  cat "$WORK/serve.log" >&2
  fail "admin-console serve --embedded-broker did not start"
}
ok "serve --embedded-broker: broker listening, migrations applied, aggregator subscribed"

# One valid event and one malformed message through the bundled broker into the bundled database.
sleep 1
now=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
event_id=$(cat /proc/sys/kernel/random/uuid)
session_id=$(cat /proc/sys/kernel/random/uuid)
mosquitto_pub -h 127.0.0.1 -p "$port" -q 1 -t kiosk/v1/smoke/pc-01/events -m \
  "{\"v\":1,\"site\":\"smoke\",\"machine\":\"pc-01\",\"sent\":\"$now\",\"events\":[{\"id\":\"$event_id\",\"type\":\"session_started\",\"ts\":\"$now\",\"session\":\"$session_id\",\"lang\":\"nl\"}]}"
mosquitto_pub -h 127.0.0.1 -p "$port" -q 1 -t kiosk/v1/smoke/pc-01/events -m "not json"

# The buddy desk (Qt widgets) against the same broker: it must come up and stay up.
"${CLEAN_ENV[@]}" "${QT_ENV[@]}" "$ADMIN" buddy --site smoke --name Sara \
  --broker "mqtt://127.0.0.1:$port" >"$WORK/buddy.log" 2>&1 &
buddy_pid=$!
pids+=("$buddy_pid")

stats=""
for _ in $(seq 1 40); do
  stats=$("${CLEAN_ENV[@]}" "$ADMIN" stats --db "$db" --json 2>/dev/null) || stats=""
  [[ $stats == *'"bad_json": 1'* && $stats == *'"sessions": 1'* ]] && break
  sleep 0.5
done
echo "$stats" | "$PY" -c '
import json, sys
stats = json.loads(sys.stdin.read())
assert stats["rejected"] == {"bad_json": 1}, stats
assert stats["sites"]["smoke"]["sessions"] == 1, stats
print("dist-test: ok: a published event and a bad message reached the bundled database:",
      json.dumps(stats, sort_keys=True))
' || {
  cat "$WORK/serve.log" >&2
  fail "stats --json did not show the published messages: $stats"
}

# Ready = connected to the broker (its signal handlers are installed before it connects).
buddy_connected() { ss -Htnp state established "( dport = :$port )" | grep -q "pid=$buddy_pid,"; }
for _ in $(seq 1 60); do
  buddy_connected && break
  kill -0 "$buddy_pid" 2>/dev/null || break
  sleep 0.5
done
buddy_connected || {
  cat "$WORK/buddy.log" >&2
  fail "the buddy desk did not connect to the broker (or exited)"
}
kill -TERM "$buddy_pid"
wait "$buddy_pid" || {
  cat "$WORK/buddy.log" >&2
  fail "the buddy desk did not stop cleanly on SIGTERM"
}
if grep -q Traceback "$WORK/buddy.log"; then
  cat "$WORK/buddy.log" >&2
  fail "the buddy desk logged a traceback"
fi
ok "buddy desk ran offscreen against the embedded broker and stopped cleanly"

# The admin console window (Qt Charts) against the same broker and a database of its own.
"${CLEAN_ENV[@]}" "${QT_ENV[@]}" "$ADMIN" gui --broker "mqtt://127.0.0.1:$port" \
  --db "sqlite:///$WORK/gui.db" --name smoke --lang fr >"$WORK/gui.log" 2>&1 &
gui_pid=$!
pids+=("$gui_pid")
for _ in $(seq 1 40); do
  [ -s "$WORK/gui.db" ] && break
  kill -0 "$gui_pid" 2>/dev/null || break
  sleep 0.5
done
kill -0 "$gui_pid" 2>/dev/null || { cat "$WORK/gui.log" >&2; fail "admin-console gui exited"; }
kill -TERM "$gui_pid"
wait "$gui_pid" || true
if grep -q "no translation file" "$WORK/gui.log"; then
  cat "$WORK/gui.log" >&2
  fail "admin-console gui --lang fr found no translation in the bundle"
fi
if grep -q Traceback "$WORK/gui.log"; then
  cat "$WORK/gui.log" >&2
  fail "admin-console gui logged a traceback"
fi
ok "admin console window came up offscreen with its charts"

kill -TERM "$serve_pid"
wait "$serve_pid" || {
  cat "$WORK/serve.log" >&2
  fail "serve did not stop cleanly on SIGTERM"
}
grep -q 'aggregator stopped' "$WORK/serve.log" || fail "serve did not report its stop"
if grep -q Traceback "$WORK/serve.log"; then
  cat "$WORK/serve.log" >&2
  fail "serve logged a traceback"
fi
ok "serve stopped cleanly on SIGTERM"

# PostgreSQL: the driver (psycopg + psycopg_binary with its own libpq) must be in the bundle. A
# refused connection proves it was loaded; a missing module would say "No module named".
set +e
err=$("${CLEAN_ENV[@]}" "$ADMIN" stats --db "postgresql+psycopg://nobody@127.0.0.1:9/none" 2>&1)
set -e
[[ $err == *"cannot open"* && $err != *"No module named"* ]] ||
  fail "the PostgreSQL driver is not usable in the bundle: $err"
ok "PostgreSQL driver loads (connection refused, as expected)"

# Provisioning uses cryptography (CA, certificates) and writes broker files.
"${CLEAN_ENV[@]}" "$ADMIN" provision init --dir "$WORK/broker" --host broker.example.be >/dev/null ||
  fail "admin-console provision init"
"${CLEAN_ENV[@]}" "$ADMIN" provision kiosk --dir "$WORK/broker" --site smoke --machine pc-01 \
  >/dev/null || fail "admin-console provision kiosk"
[[ -s $WORK/broker/ca.crt && -s $WORK/broker/kiosks/smoke/pc-01.toml ]] ||
  fail "provisioning wrote no CA or kiosk config"
ok "provision init + kiosk (cryptography works in the bundle)"

echo "dist-test: all checks passed in $(($(date +%s) - started)) s"
