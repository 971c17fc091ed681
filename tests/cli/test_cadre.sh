#!/bin/sh
# tests/cli/test_cadre.sh BUILD: the command line as a cadre meets it:
# --help everywhere, dates and numbers as people type them, messages that
# say what to do, in Vietnamese too; tables, exports, a corrected visit and
# the printable report.  Checks exit codes, the rows stored and the bytes
# written.  Prints "cadre-cli: N passed, M failed".
set -u
B=$(cd "${1:-build}" && pwd)
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
COSO_HOME=$T/home
export COSO_HOME
DATA=$ROOT/deploy/data/lang-son-2024.csv
PY=$(command -v python3 || true)
# visits: the number of visits in the store.
visits() {
	"$COSO" status --json | sed -n 's/.*"visits":\([0-9]*\).*/\1/p'
}
# field FILE N: the Nth line of FILE.
line() { sed -n "$2p" "$1"; }

expect 0 "init" "$COSO" init --cadre cb-017 --name "Hoàng Thị Mai"
expect 0 "units" "$COSO" units import "$DATA"

# --- --help after any subcommand: its usage, on stdout, exit 0 ------------
for c in "init" "units list" "units import" "visit add" "visit list" \
	"visit show" "visit amend" "report new" "report edit" "report print" \
	"proposal list" "handover add" "status" "log" "pin" "enroll" "sync" \
	"receipts verify" "admin assign" "admin token" "export" "key generate" \
	"inspect"; do
	# shellcheck disable=SC2086
	expect 0 "$c --help" "$COSO" $c --help
	word=${c%% *}
	contains "$T/out" "coso $word " "$c --help: its usage"
	lacks "$T/err" "unrecognized" "$c --help: no getopt complaint"
	# shellcheck disable=SC2086
	expect 0 "$c -h" "$COSO" $c -h
done
expect 0 "help visit" "$COSO" help visit
contains "$T/out" "coso visit list" "help COMMAND"
expect 0 "vi help" env LANGUAGE=vi "$COSO" visit list --help
contains "$T/out" "cách dùng:" "help in Vietnamese: usage"
contains "$T/out" "lượt đi cơ sở" "help in Vietnamese: what it does"
same "$(visits)" 0 "help recorded nothing"
"$COSO" --store "$T/none" status --help >"$T/out" 2>&1
same "$?" 0 "help needs no store"
[ ! -e "$T/none" ] && ok || bad "help created a store"

# cosod: every group and every central subcommand named in --help.
expect 0 "cosod --help" "$B/cosod" --help
for s in init run stats digest checkpoint rebuild report; do
	grep -q "central .*$s" "$T/out" && ok || bad "cosod --help lacks $s"
done
expect 0 "cosod central run --help" "$B/cosod" central run --help
contains "$T/out" "cosod central checkpoint" "central usage on stdout"
expect 0 "cosod field run --help" "$B/cosod" field run --help
contains "$T/out" "cosod field run [--store DIR]" "field usage"

# --- dates and numbers as people type them --------------------------------
expect 0 "visit d/m/yyyy, 1.500.000" "$COSO" visit add --unit 06043 \
	--date 4/12/2025 --purpose "Kiểm tra đường" --outcome "Đường bê tông" \
	--quantity 600 --quantity-unit m --amount 1.500.000 \
	--lat 21,853210 --lon 106.9
V1=$(cat "$T/out")
expect 0 "visit show json" "$COSO" visit show "$V1" --json
contains "$T/out" '"date":"2025-12-04"' "4/12/2025 is 4 December"
contains "$T/out" '"amount_vnd":1500000' "1.500.000 is 1500000"
contains "$T/out" '"quantity_milli":600000' "600 is 600"
contains "$T/out" '"lat_e6":21853210' "decimal comma"
contains "$T/out" '"lon_e6":106900000' "decimal point"
expect 0 "visit dd/mm/yyyy, 2,5" "$COSO" visit add --unit 06043 \
	--date 05/12/2025 --outcome "Giống cây" --quantity 2,5 \
	--quantity-unit tấn --amount 600000
expect 0 "visit show 2" "$COSO" visit show "$(cat "$T/out")" --json
contains "$T/out" '"quantity_milli":2500' "2,5 is 2.5"
contains "$T/out" '"date":"2025-12-05"' "05/12/2025"
expect 0 "ISO still" "$COSO" visit add --unit 06043 --date 2025-12-06
same "$(visits)" 3 "three visits"
for d in 31/02/2025 4/12/25 12/31/2025 2025/12/04 "4/12-2025"; do
	expect 2 "date $d refused" "$COSO" visit add --unit 06043 --date "$d"
	contains "$T/err" "invalid date \`$d'" "date $d: named"
done
expect 2 "1.500 as a quantity: two readings" "$COSO" visit add \
	--unit 06043 --date 4/12/2025 --outcome x --quantity 1.500
contains "$T/err" "can be read two ways" "ambiguous number explained"
expect 2 "1.50.000 refused" "$COSO" visit add --unit 06043 \
	--date 4/12/2025 --outcome x --amount 1.50.000
contains "$T/err" "invalid value \`1.50.000' for --amount" "bad grouping"
expect 2 "latitude out of range" "$COSO" visit add --unit 06043 \
	--date 4/12/2025 --lat 91 --lon 106
contains "$T/err" "out of range" "range named"
same "$(visits)" 3 "refused input stored nothing"
expect 0 "list --since d/m/yyyy" "$COSO" visit list --since 5/12/2025 --json
same "$(grep -o '"kind":"visit"' "$T/out" | wc -l)" 2 "--since 5/12/2025"

echo "cadre-cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
