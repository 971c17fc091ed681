#!/bin/sh
# deploy/deb.sh BUILD: the Debian packages (`make deb'), in BUILD/deb/.
#
# The tree as it is (committed or not, without BUILD and .git) is copied
# to BUILD/deb/coso-VERSION and built there with dpkg-buildpackage, so
# that nothing is written beside the checkout; then lintian checks the
# result, its report kept in BUILD/deb/lintian.txt.  Needs the packages
# of `deploy/install-deps.sh --deb'.  DEB_BUILD_OPTIONS is passed on
# (default "nocheck": the unit tests are `make unit''s job; give
# DEB_BUILD_OPTIONS= to run them in the build too).
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "$1" && pwd)
W=$B/deb

for t in dpkg-buildpackage dh lintian; do
	command -v "$t" >/dev/null 2>&1 || {
		echo "deb: $t not found: run deploy/install-deps.sh --deb" >&2
		exit 1
	}
done
V=$(cd "$TOP" && dpkg-parsechangelog -S Version)
S=$W/coso-$V
rm -rf "$W"
mkdir -p "$S"
tar -C "$TOP" --exclude=./build --exclude=./.git -cf - . | tar -C "$S" -xf -
echo "deb: building coso $V in $S"
(cd "$S" && DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS-nocheck} \
	dpkg-buildpackage -us -uc -b -j2) >"$W/build.log" 2>&1 || {
	echo "deb: dpkg-buildpackage failed; the end of $W/build.log:" >&2
	tail -n 30 "$W/build.log" >&2
	exit 1
}
rm -rf "$S"
ls "$W"/*.deb
# Every tag, informational ones too; docs/operations.md, "Install",
# explains each that remains.
lintian --info --display-info --pedantic "$W"/coso_"$V"_*.changes \
	>"$W/lintian.txt" 2>&1 || true
echo "deb: lintian: $(grep -c '^[EWIP]: ' "$W/lintian.txt") tags" \
	"($(grep -c '^E: ' "$W/lintian.txt") errors," \
	"$(grep -c '^W: ' "$W/lintian.txt") warnings); $W/lintian.txt"
