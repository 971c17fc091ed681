#!/usr/bin/env bash
# tests/debs/run.sh BUILD: the packages `make deb' built, installed on a
# bare Debian 12 and run from there (`make test-debs'; root).
#
# The minimal root is the bare-machine test's (tests/bare/lib.sh: the
# cached debootstrap --variant=minbase tarball).  In it, apt installs
# BUILD/deb/coso_*.deb, coso-central_*.deb and coso-audit_*.deb with
# their dependencies from Debian's archive, then tests/debs/inside.sh
# checks what the packages made (the coso user, /var/lib/coso, /etc/coso,
# man pages, units), runs the central as the coso user with the unit's
# own command line and settings, syncs a device's visits to it with the
# field agent, verifies the log with coso-audit as its unit runs it, and
# purges coso-central to see the log stay.  Everything runs in its own
# mount and PID namespaces; the central's ports are free loopback ports
# of this host (the root shares its network).
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
W=$TOP/build/debs
ROOT=$W/root
SAY=debs
. "$TOP/tests/bare/lib.sh"

if [ "${1:-}" = "--inner" ]; then
	mount_root
	chroot "$ROOT" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		/bin/bash /root/inside.sh "$2" "$3" </dev/null
	exit $?
fi

B=$(cd "${1:-$TOP/build}" && pwd)
[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot, mounts)"
debs=$(ls "$B"/deb/coso_*.deb "$B"/deb/coso-central_*.deb \
	"$B"/deb/coso-audit_*.deb 2>/dev/null | grep -v dbgsym || true)
[ "$(printf '%s\n' "$debs" | grep -c .)" -eq 3 ] ||
	die "the three packages are not in $B/deb: run make deb first"
mkdir -p "$W"
ensure_tarball
unpack_root
mkdir -p "$ROOT/root/debs"
cp $debs "$ROOT/root/debs/"
cp "$TOP/tests/debs/inside.sh" "$TOP/deploy/data/lang-son-2024.csv" \
	"$ROOT/root/"
# Two free loopback ports of this host, for the central.
. "$TOP/tests/lib.sh"
PORT=$(free_port)
HPORT=$(free_port)
while [ "$HPORT" = "$PORT" ]; do HPORT=$(free_port); done
say "installing $(printf '%s ' $debs | sed "s|$B/deb/||g")in $ROOT"
t0=$(date +%s)
rc=0
unshare --mount --pid --fork bash "$0" --inner "$PORT" "$HPORT" \
	>"$W/inside.log" 2>&1 || rc=$?
grep -E '^(FAIL|debs-inside)' "$W/inside.log" || true
if [ $rc -ne 0 ]; then
	say "FAILED (exit $rc); the end of $W/inside.log:" >&2
	tail -n 25 "$W/inside.log" | sed 's/^/    /' >&2
	exit 1
fi
say "passed in $(($(date +%s) - t0)) s; the whole output: $W/inside.log"
