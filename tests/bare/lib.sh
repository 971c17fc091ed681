# tests/bare/lib.sh: the minimal Debian 12 root that tests/bare/run.sh
# (the README on a bare machine) and tests/debs/run.sh (the built
# packages) run in; sourced after TOP, W (logs), ROOT and SAY (the
# messages' prefix) are set.
#
# Environment: COSO_BARE_CACHE (default /var/cache/coso-bare),
# COSO_BARE_MIRROR (default http://deb.debian.org/debian).
CACHE=${COSO_BARE_CACHE:-/var/cache/coso-bare}
MIRROR=${COSO_BARE_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
TARBALL=$CACHE/$SUITE-minbase.tar.gz

say() { printf '%s: %s\n' "$SAY" "$*"; }
die() {
	say "$*" >&2
	exit 1
}

# The first line of a command's output that reads like an error (the
# build's own "  CC      proto/error.c" lines are not).
first_error() {
	grep -v -E '^  [A-Z-]+ +[^ ]+$' "$1" |
		grep -m 1 -E '(error:|Error [0-9]|^E: |cannot |not found|No such file|FAILED|[Ff]atal|Unable to|denied)' ||
		tail -n 1 "$1"
}

# The cached minimal root, made anew when missing or a week old.
ensure_tarball() {
	if [ -f "$TARBALL" ] && [ -n "$(find "$TARBALL" -mtime -7)" ]; then
		return 0
	fi
	command -v debootstrap >/dev/null 2>&1 || {
		say "installing debootstrap"
		export DEBIAN_FRONTEND=noninteractive
		{ apt-get update -qq && apt-get install -y -qq debootstrap; } \
			>"$W/debootstrap-install.log" 2>&1 ||
			die "cannot install debootstrap: $(first_error "$W/debootstrap-install.log")"
	}
	mkdir -p "$CACHE"
	tmp=$W/debootstrap
	rm -rf "$tmp"
	say "debootstrap --variant=minbase $SUITE (cached in $TARBALL)"
	debootstrap --variant=minbase "$SUITE" "$tmp" "$MIRROR" \
		>"$W/debootstrap.log" 2>&1 || {
		say "FAILED: debootstrap; first error: $(first_error "$W/debootstrap.log")" >&2
		exit 1
	}
	tar -C "$tmp" -czf "$TARBALL.tmp" . && mv "$TARBALL.tmp" "$TARBALL"
	rm -rf "$tmp"
}

# A fresh root from the tarball, pointed at Debian 12's archive and the
# host's resolver.
unpack_root() {
	if grep -q " $ROOT/" /proc/mounts; then
		die "something is still mounted under $ROOT; not removing it"
	fi
	rm -rf "$ROOT"
	mkdir -p "$ROOT"
	tar -C "$ROOT" -xzf "$TARBALL"
	# What a Debian 12 installation points apt at.
	cat >"$ROOT/etc/apt/sources.list" <<-E
		deb $MIRROR $SUITE main
		deb $MIRROR $SUITE-updates main
		deb ${MIRROR%/debian}/debian-security $SUITE-security main
	E
	cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
}

# Inside `unshare --mount --pid --fork': /proc, /sys, a small /dev and
# apt's cache in the root, mounts that end with the namespace.
mount_root() {
	mount --make-rprivate /
	mount -t proc proc "$ROOT/proc"
	mount -t sysfs -o ro sysfs "$ROOT/sys"
	mount -t tmpfs -o mode=0755,nosuid dev "$ROOT/dev"
	for n in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
		name=${n%%:*}
		mm=${n#*:}
		mknod -m 0666 "$ROOT/dev/$name" c "${mm%:*}" "${mm#*:}"
	done
	mkdir -p "$ROOT/dev/pts" "$ROOT/dev/shm"
	mount -t devpts -o newinstance,ptmxmode=0666 devpts "$ROOT/dev/pts"
	ln -s pts/ptmx "$ROOT/dev/ptmx"
	mount -t tmpfs -o mode=1777 shm "$ROOT/dev/shm"
	ln -s /proc/self/fd "$ROOT/dev/fd"
	ln -s /proc/self/fd/0 "$ROOT/dev/stdin"
	ln -s /proc/self/fd/1 "$ROOT/dev/stdout"
	ln -s /proc/self/fd/2 "$ROOT/dev/stderr"
	mkdir -p "$CACHE/apt-archives/partial"
	mount --bind "$CACHE/apt-archives" "$ROOT/var/cache/apt/archives"

}
