#!/bin/sh
# install-deps.sh: the Debian 12 packages coso builds and tests with.
#
#   deploy/install-deps.sh                  install them (as root)
#   deploy/install-deps.sh --check-or-install
#       do nothing if all are present; else install as root, or print the
#       exact apt-get line and fail when not root.
#   deploy/install-deps.sh --list           print the package names
#   deploy/install-deps.sh --deb            also what `make deb' needs
#       (debhelper, devscripts, lintian) and `make test-debs' (debootstrap):
#       only for building the Debian packages, never for `make test'.
#
# Packages are installed with --no-install-recommends: whatever the build
# links, directly or through a .pc file's Libs, must be named here.
# deploy/check-deps.sh proves it for every -l of the link lines.
set -eu

# libunistring: Unicode NFC normalisation of every text field.
# gettext: the CLI's Vietnamese messages.  sqlite3: tests inspect stores.
# libzstd: compression of wire frames (a batch of Vietnamese visits is
# about half its size compressed, which a 2G link feels).
# clang + libclang-rt-14-dev: libFuzzer targets (the runtime is only a
# recommendation of clang, so it is named here).  openssl + xxd: an independent
# Ed25519 implementation that the golden vectors are checked against.
# libjansson: JSON of the central's HTTP API and of coso-audit's reading of
# it (a strict, bounded parser we need not write).  curl, jq: HTTP API
# tests.  faketime: devices whose clocks are far off (tests/fault/clock.sh).
# libxlsxwriter: the central's XLSX reports; unzip: their tests check the
# workbook.  zlib1g-dev: Debian's xlsxwriter.pc links -lz, but
# libxlsxwriter-dev does not depend on it.
# zbar-tools: `coso enroll --token-qr' runs its zbarimg to read the QR code
# of an enrollment token (linking libzbar would pull ImageMagick's
# development packages into the build, about 90 of them; the browser test
# reads the app's QR code from a screenshot with it too); qrencode: the
# tests make such a QR image.  libqrencode-dev: `coso admin token --qr'
# and `--png' draw the token's QR code (the PNG is deflated with zlib,
# zlib1g-dev above).
# chromium, chromium-driver, python3-selenium: `make browser-test' drives
# the cadre's app (cosod field run --ui) in headless Chromium at phone and
# laptop sizes (tests/browser/run.py); poppler-utils: its pdftotext reads
# back what the app prints.
# systemd: its systemd-analyze checks the units of deploy/systemd/
# (tests/e2e/test_systemd.sh; a minimal root has no systemd).
# iproute2: `make demo-net' builds its hosts with ip netns, veth and a
# bridge, shapes the 2G link with tc and watches it with ss (a minimal
# Debian root has none of them).
# python3-cryptography: tests/e2e/test_witness.sh checks the central's
# signature on a witness's evidence with an Ed25519 implementation that is
# not coso's (libsodium), as the golden vectors are.
PACKAGES="build-essential pkg-config libsqlite3-dev sqlite3 libsodium-dev \
libnng-dev libcurl4-openssl-dev libcmocka-dev libunistring-dev gettext \
clang libclang-rt-14-dev clang-format openssl xxd libzstd-dev \
libjansson-dev curl jq faketime libxlsxwriter-dev zlib1g-dev unzip \
zbar-tools qrencode libqrencode-dev chromium chromium-driver \
python3-selenium poppler-utils systemd iproute2 python3-cryptography"
# --deb: dpkg-buildpackage's helpers (debhelper), dpkg-parsechangelog and
# friends (devscripts), the package checker (lintian), and debootstrap for
# the bare root the built packages are installed in (tests/debs/run.sh).
DEB_PACKAGES="debhelper devscripts lintian debootstrap"
if [ "${1:-}" = "--deb" ]; then
	PACKAGES="$PACKAGES $DEB_PACKAGES"
	shift
fi

missing() {
	for p in $PACKAGES; do
		s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		case "$s" in
		*"install ok installed"*) ;;
		*) printf '%s ' "$p" ;;
		esac
	done
}

if [ "${1:-}" = "--list" ]; then
	printf '%s\n' $PACKAGES
	exit 0
fi

need=$(missing)
if [ "${1:-}" = "--check-or-install" ] && [ -z "$need" ]; then
	exit 0
fi
if [ -z "$need" ]; then
	echo "install-deps: all packages present"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages; run as root:" >&2
	echo "  apt-get update && apt-get install -y --no-install-recommends $need" >&2
	exit 1
fi
echo "install-deps: installing $need"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $need
