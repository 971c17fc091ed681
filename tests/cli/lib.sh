# tests/cli/lib.sh: what the command-line tests share; sourced after B is
# set.  Assertions count into pass/fail; results of the last command run
# by `expect' are in $T/out and $T/err.
COSO=$B/coso
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0

# English unless a test says otherwise, whatever the caller's locale.
unset LANGUAGE LC_MESSAGES COSO_PASSPHRASE_FILE COSO_LOCALEDIR
LC_ALL=C.UTF-8
export LC_ALL

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
# expect CODE DESC CMD...: runs CMD, checks its exit code.
expect() {
	want=$1 desc=$2
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" -eq "$want" ]; then ok; else
		bad "$desc: exit $got, wanted $want"; cat "$T/err"; fi
}
# contains FILE TEXT DESC / lacks FILE TEXT DESC
contains() {
	if grep -qF -- "$2" "$1"; then ok; else
		bad "$3: \`$2' not in output"; cat "$1"; fi
}
lacks() {
	if grep -qF -- "$2" "$1"; then bad "$3: \`$2' in output"; else ok; fi
}
# same A B DESC: two strings are equal.
same() {
	if [ "$1" = "$2" ]; then ok; else bad "$3: \`$1' != \`$2'"; fi
}
