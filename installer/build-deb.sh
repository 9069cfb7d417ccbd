#!/usr/bin/env bash
# `make deb`: dist/kiosk-suite-kiosk_<version>_<arch>.deb from the bundle in dist/kiosk.
#
# Plain dpkg-deb, no debhelper: the package is a staging tree (build/deb/kiosk-suite-kiosk)
# made of the bundle, installer/deb/* and generated control, md5sums and changelog.
# DEB_MAINTAINER and DEB_HOMEPAGE override the defaults below.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
PKG=kiosk-suite-kiosk
SRC=installer/deb
STAGE=build/deb/$PKG
MAINTAINER=${DEB_MAINTAINER:-Kiosk suite maintainers <kiosk-suite@lists.example.org>}
HOMEPAGE=${DEB_HOMEPAGE:-https://example.org/kiosk-suite}

[ -x dist/kiosk/kiosk ] || {
  echo "build-deb: dist/kiosk/kiosk is missing: run 'make dist'" >&2
  exit 1
}
VERSION=$("$PY" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
ARCH=$(dpkg --print-architecture)
OUT=dist/${PKG}_${VERSION}_${ARCH}.deb
# Reproducible timestamps: the last commit's date (or now, outside git).
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
export SOURCE_DATE_EPOCH

rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt/kiosk-suite" "$STAGE/usr/share/doc/$PKG" \
  "$STAGE/usr/share/lintian/overrides"

# The bundle. Shared objects need no execute bit; programs do (kiosk, QtWebEngineProcess).
cp -a dist/kiosk "$STAGE/opt/kiosk-suite/kiosk"
find "$STAGE/opt" -type d -exec chmod 0755 {} +
find "$STAGE/opt" -type f -exec chmod 0644 {} +
chmod 0755 "$STAGE/opt/kiosk-suite/kiosk/kiosk" \
  "$STAGE/opt/kiosk-suite/kiosk/_internal/PySide6/Qt/libexec/QtWebEngineProcess"

install -D -m 0644 "$SRC/kiosk.toml" "$STAGE/etc/kiosk-suite/kiosk.toml"
install -D -m 0644 "$SRC/kiosk-suite-kiosk.service" "$STAGE/lib/systemd/system/kiosk-suite-kiosk.service"
install -m 0644 "$SRC/copyright" "$STAGE/usr/share/doc/$PKG/copyright"
install -m 0644 installer/README.md "$STAGE/usr/share/doc/$PKG/README.md"
install -m 0644 "$SRC/lintian-overrides" "$STAGE/usr/share/lintian/overrides/$PKG"
{
  echo "$PKG ($VERSION) unstable; urgency=medium"
  echo
  echo "  * Release $VERSION of the kiosk suite, bundled with PyInstaller."
  echo
  echo " -- $MAINTAINER  $(date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n >"$STAGE/usr/share/doc/$PKG/changelog.gz"
chmod 0644 "$STAGE/usr/share/doc/$PKG/changelog.gz"

install -m 0755 "$SRC/postinst" "$SRC/prerm" "$SRC/postrm" "$STAGE/DEBIAN/"
install -m 0644 "$SRC/conffiles" "$STAGE/DEBIAN/conffiles"
installed_size=$(du -sk --apparent-size --exclude=DEBIAN "$STAGE" | cut -f1)
sed -e "s|@VERSION@|$VERSION|" -e "s|@ARCH@|$ARCH|" -e "s|@MAINTAINER@|$MAINTAINER|" \
  -e "s|@HOMEPAGE@|$HOMEPAGE|" -e "s|@INSTALLED_SIZE@|$installed_size|" \
  "$SRC/control.in" >"$STAGE/DEBIAN/control"
(cd "$STAGE" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z |
  xargs -0 md5sum) >"$STAGE/DEBIAN/md5sums"
chmod 0644 "$STAGE/DEBIAN/control" "$STAGE/DEBIAN/md5sums"
find "$STAGE" -newermt "@$SOURCE_DATE_EPOCH" -exec touch --no-dereference -d "@$SOURCE_DATE_EPOCH" {} +

# xz at level 1: ~1 min for ~400 MB of Qt and Chromium on 2 cores (level 6: ~5 min, 12 % smaller).
# zstd would take seconds, but lintian 2.116 (Debian 12) rejects data.tar.zst as malformed.
start=$(date +%s)
dpkg-deb --root-owner-group -Zxz -z1 --build "$STAGE" "$OUT" >/dev/null
echo "build-deb: $OUT ($(du -h "$OUT" | cut -f1), $((installed_size / 1024)) MB installed)" \
  "in $(($(date +%s) - start)) s"
