#!/usr/bin/env bash
# disk.sh BUILD [VISITS] [DB]: the disk a visit takes, measured.
#
# One cadre's device records VISITS standard visits (default 5,000; unit,
# date, a 40-character purpose, 150 of situation, 80 of difficulties, a
# 60-character proposal: bench_sync.c's standard visit, one change-set
# each, as `coso visit add' makes them) and syncs them to a central
# through the real programs on loopback.  Then, with the central stopped
# and its WAL checkpointed, prints the central database's size per visit
# and its parts (SQLite's dbstat: the log's rows and indexes, the Merkle
# tree, the materialised tables, the merge's stamps), and the device
# store's size per visit.
#
# With DB (e.g. build/bench-report-1000000/central.db, which bench_report
# builds through the merge code: 10^6 short visits, 100 per change-set),
# prints the same breakdown of that database instead (the whole file over
# its visits: its reports and setup are counted in).
#
# Output: lines `disk: NAME BYTES` and `disk: per visit ...`.
set -eu
B=$(cd "$1" && pwd)
N=${2:-5000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
q() { sqlite3 -batch -noheader "$@"; }

# parts DB: each table with its indexes, bytes, one "NAME BYTES" a line.
parts() {
	q "$1" "SELECT coalesce(m.tbl_name, d.name), sum(d.pgsize)
		FROM dbstat d LEFT JOIN sqlite_master m ON m.name = d.name
		GROUP BY 1 ORDER BY 1" | tr '|' ' '
}

# breakdown DB VISITS BEFORE: the file, then what the visits added to it,
# each part per visit; BEFORE holds the size before on its first line,
# then `parts' before (only "0": nothing before).
breakdown() {
	_db=$1 _n=$2 _before=$3
	_size=$(stat -c %s "$_db")
	_add=$((_size - $(head -1 "$_before")))
	echo "disk: $_db: $_size bytes, $(q "$_db" "SELECT count(*) FROM
		visits") visits, $(q "$_db" "SELECT count(*) FROM
		changesets") log entries"
	echo "disk: per visit: $((_add / _n)) bytes of database;" \
		"$((_add * 1000000 / _n / 1048576)) MiB per 10^6 visits"
	q "$_db" "SELECT sum(length(bytes)), sum(length(receipt))
		FROM changesets" | {
		IFS='|' read -r _b _r
		echo "disk: per visit: log entries' bytes $((_b / _n))," \
			"receipts $((_r / _n)) (all entries, over the visits)"
	}
	# Each table with its indexes, per visit, largest first.
	parts "$_db" | awk -v n="$_n" 'NR == FNR { if (FNR > 1) b[$1] = $2; next }
		{ printf "disk:   %-16s %6d bytes per visit\n", $1, ($2 - b[$1]) / n }' \
		"$_before" - | sort -k3 -rn | head -10
}

if [ $# -ge 3 ]; then
	none=$(mktemp)
	echo 0 >"$none"
	breakdown "$3" "$(q "$3" "SELECT count(*) FROM visits")" "$none"
	rm -f "$none"
	exit 0
fi

T=$(mktemp -d /tmp/coso-disk.XXXXXX)
PIDS=""
bad() { echo "disk: $*" >&2; }
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$T"' EXIT
. "$ROOT/tests/lib.sh"
PORT=$(free_port)
URL="tcp://127.0.0.1:$PORT"
DATA="$ROOT/deploy/data/lang-son-2024.csv"
coso() { "$B/coso" "$@"; }

coso --store "$T/admin" init --cadre admin --name "Ban Tổ chức" >"$T/admin.pub"
"$B/cosod" central init --db "$T/central.db" --admin-key "$T/admin.pub" \
	--origin langson.example/coso/disk >"$T/central.pub" 2>/dev/null
coso --store "$T/admin" pin --central "$URL" --central-key "$T/central.pub" \
	>/dev/null
coso --store "$T/admin" admin units import "$DATA" >/dev/null
coso --store "$T/admin" admin cadre add --id cb-1 --name "Hoàng Thị Mai" >/dev/null
coso --store "$T/admin" admin assign --cadre cb-1 --unit 06043 \
	--role in-charge --from 2025-01-01 >/dev/null
coso --store "$T/admin" admin token --cadre cb-1 >"$T/token" 2>/dev/null
coso --store "$T/d" init --cadre cb-1 --name "Hoàng Thị Mai" --central "$URL" \
	--central-key "$T/central.pub" >/dev/null
coso --store "$T/d" units import "$DATA" >/dev/null
coso --store "$T/d" enroll --token-file "$T/token" >/dev/null
q "$T/d/store.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
ds0=$(stat -c %s "$T/d/store.db")

# text CHARS SEED: CHARS characters of varied Vietnamese.
W=(Thôn Bản hộ đường bê tông kênh mương nhà văn hoá vườn cam trường
	mầm non cầu treo trạm y tế rừng keo thiếu xi măng mưa lũ vốn đối ứng
	nhân công giá vật tư tăng)
text() {
	_s="" _k=$2
	while [ "${#_s}" -lt "$1" ]; do
		_s="$_s ${W[$((_k % ${#W[@]}))]} $((_k % 97 + 3))"
		_k=$((_k * 7 + 13))
	done
	printf '%s' "${_s:1:$1}"
}
i=0
while [ "$i" -lt "$N" ]; do
	coso --store "$T/d" visit add --unit 06043 --date 2025-11-20 \
		--purpose "$(text 40 "$i")" --situation "$(text 150 $((i + 1)))" \
		--difficulties "$(text 80 $((i + 2)))" \
		--proposal "$(text 60 $((i + 3)))" >/dev/null
	i=$((i + 1))
done
# stop: the central stopped, its WAL in the file.
stop() {
	kill "$CENTRAL"
	wait "$CENTRAL" 2>/dev/null || true
	PIDS=""
	q "$T/central.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
}
start_central
coso --store "$T/admin" sync >/dev/null
stop
{ stat -c %s "$T/central.db"; parts "$T/central.db"; } >"$T/before"
start_central
t0=$(date +%s.%N)
coso --store "$T/d" sync --timeout 600 >/dev/null
t1=$(date +%s.%N)
stop
q "$T/d/store.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
echo "disk: $N visits synced in $(echo "$t1 - $t0" | bc) s (one coso sync)"
breakdown "$T/central.db" "$N" "$T/before"
ds=$(stat -c %s "$T/d/store.db")
echo "disk: device store: $ds bytes, $(((ds - ds0) / N)) per visit (outbox," \
	"visit, proposal, receipt with its proof; $ds0 before the visits)"
