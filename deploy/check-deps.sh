#!/bin/sh
# check-deps.sh: every library the build links comes from a package that
# deploy/install-deps.sh names.
#
# The link lines are the Makefile's own (`make print-libs`), so flags that
# arrive through a .pc file's Libs (xlsxwriter.pc's -lz, say) are checked
# too.  For each -lNAME the linker's libNAME.so (or .a) is found as the
# compiler would find it, and dpkg names the package that ships that
# path; the package must be in install-deps.sh's list, which is installed
# with --no-install-recommends on a bare machine.  libc6-dev (-lpthread,
# -lm) comes with build-essential, which the list names.
#
# Exit 0 when every flag is accounted for, 1 with one line per missing
# piece otherwise.
set -eu
cd "$(dirname "$0")/.."
CC=${CC:-cc}
listed=" $(sh deploy/install-deps.sh --list | tr '\n' ' ') libc6-dev "
flags=$(make -s --no-print-directory print-libs)
bad=0
checked=0

# The package that ships PATH (as dpkg registered it: merged /usr or not).
owner() {
	dpkg -S "$1" 2>/dev/null || dpkg -S "${1#/usr}" 2>/dev/null || true
}

for f in $flags; do
	case "$f" in
	-l*) name=${f#-l} ;;
	*) continue ;;
	esac
	file=""
	for ext in so a; do
		p=$($CC -print-file-name="lib$name.$ext")
		if [ "$p" != "lib$name.$ext" ]; then
			file=$(realpath -s "$p")
			break
		fi
	done
	checked=$((checked + 1))
	if [ -z "$file" ]; then
		echo "check-deps: $f: no lib$name.so on this machine;" \
			"add its -dev package to deploy/install-deps.sh" >&2
		bad=$((bad + 1))
		continue
	fi
	pkg=$(owner "$file" | head -n 1 | cut -d: -f1)
	case "$listed" in
	*" $pkg "*) ;;
	*)
		echo "check-deps: $f: $file comes from \`${pkg:-no package}'," \
			"which deploy/install-deps.sh does not install" >&2
		bad=$((bad + 1))
		;;
	esac
done
if [ "$bad" -ne 0 ]; then
	echo "check-deps: $bad of $checked library flags not covered" >&2
	exit 1
fi
echo "check-deps: $checked library flags, each from a listed package"
