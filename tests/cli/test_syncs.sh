#!/bin/sh
# tests/cli/test_syncs.sh BUILD: how many times one `coso visit add'
# syncs the disk, counted by build/synccount.so (LD_PRELOAD) in each real
# process: every visit at least once (its commit, durable before the exit)
# and at most twice, through checkpoints of the WAL; every visit stored
# once, the chain verified, the WAL bounded.  A WAL removed by another
# program is made again with its directory synced.
# Prints "syncs: N passed, M failed"; exits non-zero if any failed.
set -u
B=$(cd "${1:-build}" && pwd)
. "$(dirname "$0")/lib.sh"
COSO_HOME=$T/st
export COSO_HOME
N=100
COUNTS=$T/counts

# visit I: one `coso visit add', its sync counts appended to $COUNTS
visit() {
	COSO_SYNCCOUNT=$COUNTS LD_PRELOAD=$B/synccount.so "$COSO" visit add \
		--unit 06043 --date 2025-11-20 \
		--purpose "Kiểm tra tiến độ làm đường bê tông lần $1" \
		--situation "Thôn 1 đã đổ xong 600 m mặt đường, còn 200 m." \
		--difficulties "Thiếu xi măng, mùa mưa đến sớm." \
		--proposal "Đề nghị hỗ trợ 20 tấn xi măng." >/dev/null
}
# the syncs of line $1 of $COUNTS: all four counts added
syncs() { sed -n "$1p" "$COUNTS" | awk '{ print $1 + $2 + $3 + $4 }'; }

expect 0 "init" "$COSO" init --cadre b --name "Cán bộ đo"
printf '%s\n' "code,name,level,parent_code,valid_from" \
	"20,Tỉnh Lạng Sơn,province,,2020-01-01" \
	"06043,Xã Đào Viên,commune,20,2020-01-01" >"$T/units.csv"
expect 0 "units" "$COSO" units import "$T/units.csv"

i=1
while [ "$i" -le "$N" ]; do
	visit "$i" || bad "visit $i: exit $?"
	i=$((i + 1))
done
same "$(wc -l <"$COUNTS" | tr -d ' ')" "$N" "one count line per process"
same "$(awk '$1 + $2 + $3 + $4 > 2' "$COUNTS" | wc -l | tr -d ' ')" 0 \
	"no visit syncs more than twice"
same "$(awk '$1 + $2 + $3 + $4 < 1' "$COUNTS" | wc -l | tr -d ' ')" 0 \
	"every visit syncs its commit"
# About 8 pages of WAL a visit, a checkpoint past 256: 100 visits pass
# three, each a visit syncing WAL and database and the next one
# syncing the new WAL's header with its commit.
twice=$(awk '$1 + $2 + $3 + $4 == 2' "$COUNTS" | wc -l | tr -d ' ')
if [ "$twice" -ge 4 ] && [ "$twice" -le 12 ]; then ok; else
	bad "visits syncing twice: $twice, wanted 4 to 12"; fi
total=$(awk '{ n += $1 + $2 + $3 + $4 } END { print n }' "$COUNTS")
if [ "$total" -le $((N + 12)) ]; then ok; else
	bad "$total syncs for $N visits"; fi
wal=$(wc -c <"$COSO_HOME/store.db-wal" | tr -d ' ')
# 256 pages and the visit that passed them, 4 096 bytes + 24 each
if [ "$wal" -le $(((256 + 16) * 4120 + 32)) ]; then ok; else
	bad "the WAL is $wal bytes"; fi

expect 0 "log verifies" "$COSO" log
contains "$T/out" "$N change-sets, all signatures and links verify" \
	"log: the whole chain verifies"
# sqlite3 closes last: it checkpoints and removes the WAL
same "$(sqlite3 "$COSO_HOME/store.db" "SELECT count(*) FROM visits;
	SELECT count(DISTINCT purpose) FROM visits;
	SELECT count(*) FROM outbox; PRAGMA integrity_check")" \
	"$N
$N
$N
ok" "every visit stored once, one change-set each"
if [ -e "$COSO_HOME/store.db-wal" ]; then
	bad "sqlite3 left the WAL"
else ok; fi

# A new WAL: its header, the directory (the new name), the commit; then
# one sync again.
: >"$COUNTS"
visit 101 || bad "visit 101"
visit 102 || bad "visit 102"
same "$(syncs 1) $(syncs 2)" "3 1" "a new WAL's directory synced once"
same "$(sqlite3 "$COSO_HOME/store.db" "SELECT count(*) FROM visits")" \
	$((N + 2)) "visits after a new WAL"

echo "syncs: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
