#!/usr/bin/env bash
# The numbers in installer/MEASUREMENTS.md: bundle sizes with and without trimming, and the
# kiosk's start (--self-test ready_ms, median of 5) from the bundle and from the venv.
# Needs `make dist` first; builds the untrimmed bundles in build/measure (a few minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PY:-$ROOT/.venv/bin/python}
RUNS=${RUNS:-5}
OUT=$ROOT/build/measure

if [ ! -x dist/kiosk/kiosk ] || [ ! -x dist/admin-console/admin-console ]; then
  echo "measure: run 'make dist' first" >&2
  exit 1
fi
mkdir -p "$OUT"
for spec in kiosk admin-console; do
  start=$(date +%s)
  KIOSK_DIST_NO_TRIM=1 "$PY" -m PyInstaller --noconfirm --log-level WARN --distpath "$OUT/dist" \
    --workpath "$OUT/work" "installer/$spec.spec" >"$OUT/$spec.log" 2>&1
  echo "untrimmed $spec built in $(($(date +%s) - start)) s"
done

size() { du -sm "$1" | cut -f1; }
files() { find "$1" -type f | wc -l; }
echo
echo "| bundle | untrimmed | trimmed | files untrimmed / trimmed |"
echo "|---|---|---|---|"
for name in kiosk admin-console; do
  echo "| $name | $(size "$OUT/dist/$name") MB | $(size "dist/$name") MB |" \
    "$(files "$OUT/dist/$name") / $(files "dist/$name") |"
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
run() { # label command...
  local label=$1
  shift
  env -i PATH=/usr/bin:/bin HOME="$work/home-$label" LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen \
    QTWEBENGINE_DISABLE_SANDBOX=1 "$@" --self-test --data-dir "$work/data-$label" \
    --broker mqtt://127.0.0.1:9 2>/dev/null | tail -n 1
}
: >"$work/bundle" && : >"$work/venv"
run bundle "$ROOT/dist/kiosk/kiosk" >/dev/null # warm the page cache for both, once
run venv "$ROOT/.venv/bin/kiosk" >/dev/null
for _ in $(seq 1 "$RUNS"); do # alternate, so that load from elsewhere hits both alike
  run bundle "$ROOT/dist/kiosk/kiosk" >>"$work/bundle"
  run venv "$ROOT/.venv/bin/kiosk" >>"$work/venv"
done
echo
"$PY" - "$work/bundle" "$work/venv" <<'PY'
import json, statistics, sys
print("| kiosk --self-test (offscreen) | ready_ms, median | runs (ms) | rss_mb, median |")
print("|---|---|---|---|")
for label, path in zip(("bundle (dist/kiosk)", "venv (.venv/bin/kiosk)"), sys.argv[1:]):
    reports = [json.loads(line) for line in open(path) if line.strip()]
    ready = [r["ready_ms"] for r in reports]
    rss = [r["rss_mb"] for r in reports]
    print(f"| {label} | {statistics.median(ready):.0f} | {', '.join(f'{v:.0f}' for v in ready)} "
          f"| {statistics.median(rss):.0f} |")
PY
echo
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
