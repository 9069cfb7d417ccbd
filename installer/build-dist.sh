#!/usr/bin/env bash
# `make dist`: the kiosk and the admin console as PyInstaller one-folder bundles in dist/.
#   dist/kiosk/kiosk                  (+ dist/kiosk/_internal/)
#   dist/admin-console/admin-console  (+ dist/admin-console/_internal/)
# The Makefile has already made .venv and installed the pinned PyInstaller into it.
# KIOSK_DIST_NO_TRIM=1 builds without trimming (only to measure what trimming saves).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
WORK=build/pyinstaller

if ! "$PY" -c 'import PyInstaller' 2>/dev/null; then
  echo "build-dist: PyInstaller is missing from $PY; run 'make dist'" >&2
  exit 1
fi

start=$(date +%s)
for spec in kiosk admin-console; do
  echo "build-dist: building dist/$spec (log: $WORK/$spec.log)"
  mkdir -p "$WORK"
  if ! "$PY" -m PyInstaller --noconfirm --log-level WARN \
      --distpath dist --workpath "$WORK" "installer/$spec.spec" >"$WORK/$spec.log" 2>&1; then
    tail -n 40 "$WORK/$spec.log" >&2
    echo "build-dist: PyInstaller failed for $spec (full log: $WORK/$spec.log)" >&2
    exit 1
  fi
  grep '^trim:' "$WORK/$spec.log" || true
done
end=$(date +%s)

echo "build-dist: built in $((end - start)) s"
du -sh dist/kiosk dist/admin-console
