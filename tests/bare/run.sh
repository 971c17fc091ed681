#!/bin/sh
# tests/bare/run.sh: the README's commands on a bare Debian 12, as a new
# user meets them.
#
#   sh tests/bare/run.sh            (as root; `make test-bare`)
#
# Builds a minimal Debian 12 root (debootstrap --variant=minbase; the root
# is cached as a tarball under $COSO_BARE_CACHE and rebuilt after a week),
# clones this checkout's HEAD into it, installs only what the README's
# bare-machine line installs, then runs the README's two commands exactly
# as written, as root, with standard input from /dev/null and a clean
# environment.  Everything runs in its own mount and PID namespaces: the
# mounts and any process a command leaves behind end with the run.
#
# A failure prints the command that failed, the first error line of its
# output and the end of that output; the whole output of every step is
# kept under build/bare/.
#
# Environment: COSO_BARE_CACHE (default /var/cache/coso-bare),
# COSO_BARE_MIRROR (default http://deb.debian.org/debian).
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
W=$TOP/build/bare
ROOT=$W/root
SAY=bare
# say, die, first_error, ensure_tarball, unpack_root, mount_root.
. "$TOP/tests/bare/lib.sh"

# run_step NAME COMMAND: COMMAND in the root, in /root/coso, logged.
run_step() {
	log=$W/$1.log
	say "$2"
	t0=$(date +%s)
	if chroot "$ROOT" /usr/bin/env -i HOME=/root TERM=dumb \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		/bin/sh -c "cd /root/coso && $2" </dev/null >"$log" 2>&1; then
		say "ok in $(($(date +%s) - t0)) s: $2"
		return 0
	else
		rc=$?
	fi
	{
		say "FAILED (exit $rc): $2"
		say "first error: $(first_error "$log")"
		say "last lines of $log:"
		tail -n 25 "$log" | sed 's/^/    /'
	} >&2
	exit 1
}

# Inside the namespaces: mounts that die with them, then the steps.
inner() {
	mount_root

	run_step 0-prepare "$PREPARE"
	run_step 1-demo "$DEMO"
	run_step 2-test "$TEST"
}

# The README's bare-machine line (its `…` command) and its two commands.
read_readme() {
	PREPARE=$(head -n 1 "$TOP/README.md" | sed -n 's/^[^`]*`\([^`]*\)`.*$/\1/p')
	cmds=$(sed -n '2,6p' "$TOP/README.md" | grep '^    [a-z]' |
		sed 's/#.*$//; s/^ *//; s/ *$//')
	DEMO=$(printf '%s\n' "$cmds" | sed -n 1p)
	TEST=$(printf '%s\n' "$cmds" | sed -n 2p)
	[ -n "$PREPARE" ] && [ "$DEMO" = "make demo" ] &&
		[ "$TEST" = "make test" ] ||
		die "README's first lines are not the bare line and the two commands"
}

if [ "${1:-}" = "--inner" ]; then
	PREPARE=$2 DEMO=$3 TEST=$4
	inner
	exit 0
fi
[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot, mounts)"
read_readme
mkdir -p "$W"
if grep -q " $ROOT/" /proc/mounts; then
	die "something is still mounted under $ROOT; not removing it"
fi
ensure_tarball
unpack_root
git -C "$TOP" diff --quiet HEAD 2>/dev/null ||
	say "note: uncommitted changes are not tested; HEAD is"
git clone -q "$TOP" "$ROOT/root/coso" || die "cannot clone $TOP"
say "HEAD $(git -C "$ROOT/root/coso" log -1 --format='%h %s')"
t0=$(date +%s)
unshare --mount --pid --fork sh "$0" --inner "$PREPARE" "$DEMO" "$TEST"
say "passed: the README's commands on a bare Debian 12 in $(($(date +%s) - t0)) s"
