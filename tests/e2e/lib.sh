# tests/e2e/lib.sh: shared helpers for the end-to-end tests, sourced.
# They run the real programs on loopback and check the end state.

B=$(cd "$1" && pwd)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d /tmp/coso-e2e.XXXXXX)
PIDS=""
pass=0
fail=0
# Messages in English whatever the caller's locale (the tests read them).
LANGUAGE=en
export LANGUAGE

cleanup() {
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	if [ "$fail" -eq 0 ]; then rm -rf "$T"; else echo "e2e: kept $T"; fi
}
trap cleanup EXIT

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
# same GOT WANT DESC
same() {
	if [ "$1" = "$2" ]; then ok; else bad "$3: \`$1' != \`$2'"; fi
}
# run_ok DESC CMD...: expects exit 0
run_ok() {
	_desc=$1
	shift
	if "$@" >"$T/out" 2>"$T/err"; then ok; else
		bad "$_desc: exit $?"; cat "$T/err"; fi
}
# run_code CODE DESC CMD...
run_code() {
	_want=$1 _desc=$2
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	_got=$?
	if [ "$_got" -eq "$_want" ]; then ok; else
		bad "$_desc: exit $_got, wanted $_want"; cat "$T/err"; fi
}

coso() { "$B/coso" "$@"; }
cosod() { "$B/cosod" "$@"; }

# free_port, wait_port, start_central (on $URL, $T/central.db).
. "$ROOT/tests/lib.sh"

# json_get FILE KEY: an integer field of a flat JSON object.
json_get() {
	sed -n "s/.*\"$2\": *\([0-9][0-9]*\).*/\1/p" "$1" | head -1
}

stop_central() {
	kill -TERM "$CENTRAL" 2>/dev/null
	wait "$CENTRAL" 2>/dev/null
}

# pending STORE: change-sets the device has not had acknowledged.
pending() {
	coso --store "$1" status --json >"$T/st.json" 2>/dev/null
	json_get "$T/st.json" pending
}

# wait_synced STORE SECONDS: until nothing is pending.
wait_synced() {
	_i=0
	while [ "$_i" -lt "$(($2 * 10))" ]; do
		[ "$(pending "$1")" = 0 ] && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# central_count TABLE: rows in a materialised table of the central.
central_count() {
	cosod central stats --db "$T/central.db" --json >"$T/stats.json"
	sed -n "s/.*\"$1\": *\([0-9][0-9]*\).*/\1/p" "$T/stats.json" | head -1
}

finish() {
	echo "$NAME: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
