#!/usr/bin/env bash
# Installs the system packages that the tests and the demo need, when running as root on Debian.
# Elsewhere it only says what is missing.
set -euo pipefail

packages=(
  mosquitto mosquitto-clients          # the real broker the tests start
  xvfb xauth                           # screenshots and a display for `make demo` on a headless box
  openbox xdotool x11-utils x11-xserver-utils  # tests/desktop: a window manager, X input, xprop, xrandr
  libegl1 libgl1 libopengl0 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
  libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxcb-xfixes0
  libnss3 libxcomposite1 libxdamage1 libxrandr2 libxtst6 libasound2 libxkbfile1
  postgresql                           # the tests run ingest and queries on PostgreSQL too
  libpulse0                            # QtTextToSpeech loads it (read aloud)
  libwayland-cursor0 libwayland-egl1   # Qt's Wayland plugin (the kiosk under cage; make dist-test)
  libpython3.11 binutils              # make dist: PyInstaller bundles libpython, strips binaries
  fonts-dejavu-core
  cups printer-driver-cups-pdf poppler-utils  # printing: a real scheduler and a virtual PDF printer
)

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts a mosquitto service on port 1883; the suite starts its own brokers.
  if command -v systemctl >/dev/null && systemctl is-active --quiet mosquitto 2>/dev/null; then
    systemctl stop mosquitto || true
  fi
else
  echo "missing system packages (install them as root): ${missing[*]}" >&2
fi
