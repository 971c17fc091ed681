#!/usr/bin/env bash
# test_backup.sh BUILD: the central backed up while three devices' agents
# push visits, the machine lost, and the province restored on a fresh
# database three ways: from the backup with the auditor's entries (the
# same log, the same tree), from the auditor's entries alone (every
# backup lost), and from the backup alone (the devices push again what
# it lacks).  Each time the visits and log entries are counted and the
# state digest compared: nothing lost, nothing doubled.
NAME=e2e-backup
. "$(dirname "$0")/lib.sh"

PORT=$(free_port)
URL="tcp://127.0.0.1:$PORT"
HP=$(free_port)
DATA="$ROOT/deploy/data/lang-son-2024.csv"
PER=12 # visits each device records during the ingest

# dbstat DB KEY: a number (or the root) from `cosod central stats --json`.
dbstat() {
	cosod central stats --db "$1" --json >"$T/st-db.json" 2>/dev/null
	sed -n "s/^  \"$2\": *\"\{0,1\}\([0-9a-f]*\)\"\{0,1\},\{0,1\}$/\1/p" \
		"$T/st-db.json" | head -1
}
visits_of() {
	cosod central stats --db "$1" --json 2>/dev/null |
		sed -n 's/.*"visits": \([0-9]*\).*/\1/p' | head -1
}
digest_of() { cosod central digest --db "$1" 2>/dev/null; }
device_visits() {
	_n=0
	for _d in a b c; do
		_n=$((_n + $(sqlite3 "$T/$_d/store.db" \
			"SELECT count(*) FROM visits")))
	done
	echo "$_n"
}
# wait_visits DB N SECONDS: until the central at DB holds N visits.
wait_visits() {
	_i=0
	while [ "$_i" -lt "$(($3 * 10))" ]; do
		[ "$(visits_of "$1")" = "$2" ] && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}
agents_start() {
	for d in a b c; do
		"$B/cosod" field run --store "$T/$d" --interval 1 \
			--max-backoff 1 >>"$T/field-$d.log" 2>&1 &
		PIDS="$PIDS $!"
		eval "AGENT_$d=$!"
	done
}
agents_stop() {
	for d in a b c; do
		eval "kill -TERM \$AGENT_$d; wait \$AGENT_$d" 2>/dev/null
	done
}
audit() {
	"$B/coso-audit" --central "http://127.0.0.1:$HP" \
		--central-key "$T/central.pub" --state "$T/audit" "$@"
}

# --- the province: three cadres on three communes ------------------------
run_ok "admin init" coso --store "$T/admin" init --cadre admin \
	--name "Ban Tổ chức Tỉnh ủy"
cp "$T/out" "$T/admin.pub"
run_ok "central init" cosod central init --db "$T/central.db" \
	--admin-key "$T/admin.pub" --origin langson.example/coso/backup
cp "$T/out" "$T/central.pub"
run_ok "admin pin" coso --store "$T/admin" pin --central "$URL" \
	--central-key "$T/central.pub"
run_ok "units" coso --store "$T/admin" admin units import "$DATA"
UNIT_a=06043 UNIT_b=06160 UNIT_c=06166
for d in a b c; do
	run_ok "cadre $d" coso --store "$T/admin" admin cadre add --id "cb-$d" \
		--name "Cán bộ $d"
	coso --store "$T/admin" admin token --cadre "cb-$d" >"$T/token-$d" \
		2>/dev/null
	eval "u=\$UNIT_$d"
	run_ok "assign $d" coso --store "$T/admin" admin assign \
		--cadre "cb-$d" --unit "$u" --role in-charge --from 2025-01-01
	run_ok "init $d" coso --store "$T/$d" init --cadre "cb-$d" \
		--name "Cán bộ $d" --central "$URL" --central-key "$T/central.pub"
	run_ok "units $d" coso --store "$T/$d" units import "$DATA"
	run_ok "enroll $d" coso --store "$T/$d" enroll "$(cat "$T/token-$d")"
done
CENTRAL_ARGS="--http 127.0.0.1:$HP"
start_central
run_ok "admin sync" coso --store "$T/admin" sync
agents_start

# --- ingest, and a backup in the middle of it ------------------------------
for d in a b c; do
	(
		eval "u=\$UNIT_$d"
		for i in $(seq 1 $PER); do
			"$B/coso" --store "$T/$d" visit add --unit "$u" \
				--date "2025-10-$(printf %02d "$i")" \
				--purpose "Thăm lần $i ($d)" >/dev/null || exit 1
		done
	) &
	eval "WRITER_$d=$!"
done
# The backup starts once visits are arriving and before they all are.
i=0
while [ "$i" -lt 300 ] && [ "${v:-0}" -lt 6 ]; do
	v=$(central_count visits)
	sleep 0.1
	i=$((i + 1))
done
run_ok "backup during ingest" cosod central backup --db "$T/central.db" \
	--out "$T/backup.db"
BDIGEST=$(cat "$T/out")
same "$(stat -c %a "$T/backup.db")" 600 "the backup is the office's only"
[ ! -e "$T/backup.db.tmp" ] && ok || bad "backup: temporary file left"
# The backup is one committed state: rebuilt from its own log, it gives
# the digest it was written with.
run_ok "rebuild the backup" cosod central rebuild --db "$T/backup.db" \
	--out "$T/backup-rebuilt.db"
same "$(cat "$T/out")" "$BDIGEST" "backup: rebuild gives its digest"
same "$(digest_of "$T/backup.db")" "$BDIGEST" "backup: digest printed"
BVISITS=$(visits_of "$T/backup.db")
BENTRIES=$(dbstat "$T/backup.db" tree_size)
for d in a b c; do
	eval "wait \$WRITER_$d" && ok || bad "device $d: a visit not recorded"
done
for d in a b c; do
	wait_synced "$T/$d" 60 && ok || bad "device $d not synced"
done
V=$(device_visits)
same "$V" $((3 * PER)) "the devices hold every visit"
same "$(central_count visits)" "$V" "central: every visit, once"
[ "$BVISITS" -lt "$V" ] && ok ||
	bad "the backup was not taken during the ingest ($BVISITS of $V)"
run_code 2 "a backup never replaces a file" cosod central backup \
	--db "$T/central.db" --out "$T/backup.db"
grep -q "exists" "$T/err" && ok || bad "backup over a file: no reason"

# The auditor's copy of the entries, taken after the backup.
run_ok "auditor verifies" audit verify
run_ok "auditor rebuilds" audit rebuild
ENTRIES=$(find "$T/audit" -name entries.bin | head -1)
[ -s "$ENTRIES" ] && ok || bad "the auditor keeps no entries file"

# --- the machine is lost ---------------------------------------------------
agents_stop
stop_central
N=$(dbstat "$T/central.db" tree_size)
ROOT_N=$(dbstat "$T/central.db" root)
D=$(digest_of "$T/central.db")
[ "$BENTRIES" -lt "$N" ] && ok || bad "backup: $BENTRIES entries of $N"

# What restore refuses: no key beside the new database, an existing one,
# nothing to restore from.
run_code 2 "restore without the key" cosod central restore \
	--db "$T/nokey.db" --backup "$T/backup.db"
grep -q "nokey.db.key" "$T/err" && ok || bad "restore: the key not named"
[ ! -e "$T/nokey.db" ] && ok || bad "restore without a key left a database"
run_code 1 "restore from nothing" cosod central restore --db "$T/x.db"
run_code 2 "restore over a database" cosod central restore \
	--db "$T/central.db" --backup "$T/backup.db"
same "$(digest_of "$T/central.db")" "$D" "restore over a database: untouched"

# 1. The backup, rolled forward with the auditor's entries: the very log.
cp -p "$T/central.db.key" "$T/r1.db.key"
run_ok "restore: backup and entries" cosod central restore --db "$T/r1.db" \
	--backup "$T/backup.db" --entries "$ENTRIES"
same "$(cat "$T/out")" "$D" "backup + entries: the lost central's digest"
same "$(dbstat "$T/r1.db" tree_size)" "$N" "backup + entries: every entry"
same "$(dbstat "$T/r1.db" root)" "$ROOT_N" "backup + entries: the same tree"
same "$(visits_of "$T/r1.db")" "$V" "backup + entries: every visit"
same "$(sqlite3 "$T/r1.db" 'PRAGMA journal_mode')" wal "restored in WAL"

# 2. Every backup lost: the auditor's entries alone.
cp -p "$T/central.db.key" "$T/r2.db.key"
run_ok "restore: entries alone" cosod central restore --db "$T/r2.db" \
	--entries "$ENTRIES"
same "$(cat "$T/out")" "$D" "entries alone: the lost central's digest"
same "$(dbstat "$T/r2.db" tree_size)" "$N" "entries alone: every entry"
same "$(dbstat "$T/r2.db" root)" "$ROOT_N" "entries alone: the same tree"
cp -p "$T/central.db.key" "$T/r3.db.key"
printf 'x' >"$T/junk.bin"
run_code 2 "restore: a broken entries file" cosod central restore \
	--db "$T/r3.db" --backup "$T/backup.db" --entries "$T/junk.bin"
[ ! -e "$T/r3.db" ] && ok || bad "a failed restore left a database"
# tamper OFFSET OUT: the entries file with the byte at OFFSET (from the
# first entry's head when OFFSET is "entry+N") flipped.
tamper() {
	python3 - "$ENTRIES" "$1" "$2" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
off = sys.argv[2]
if off.startswith("entry+"):
    off = 16 + 32 + 2 + int.from_bytes(b[48:50], "big") + int(off[6:])
b[int(off)] ^= 1
open(sys.argv[3], "wb").write(b)
PY
}
# Entry 0's received time changed: not the entry the backup holds there.
tamper entry+15 "$T/other-time.bin"
grep -q "r3.db.tmp' kept for inspection" "$T/err" && ok ||
	bad "a failed restore does not say what it kept"
rm -f "$T/r3.db.tmp"
run_code 2 "restore: entries that differ from the backup's" \
	cosod central restore --db "$T/r3.db" --backup "$T/backup.db" \
	--entries "$T/other-time.bin"
grep -q "entry 0 is not the one the database holds" "$T/err" && ok ||
	bad "differing entry not named: $(cat "$T/err")"
rm -f "$T/r3.db.tmp"
# Another central's key in the header.
tamper 20 "$T/other-key.bin"
run_code 2 "restore: another central's entries" cosod central restore \
	--db "$T/r3.db" --backup "$T/backup.db" --entries "$T/other-key.bin"
grep -q "another central" "$T/err" && ok ||
	bad "another central's entries: $(cat "$T/err")"
rm -f "$T/r3.db.tmp"
[ ! -e "$T/r3.db" ] && ok || bad "a refused restore left a database"

# --- the new machine serves; the devices come back -------------------------
CDB="$T/r1.db"
start_central
agents_start
for d in a b c; do
	eval "u=\$UNIT_$d"
	run_ok "visit after restore $d" coso --store "$T/$d" visit add \
		--unit "$u" --date 2025-11-20 --purpose "Sau khi khôi phục ($d)"
done
for d in a b c; do
	wait_synced "$T/$d" 60 && ok || bad "device $d not synced after restore"
done
V=$((V + 3))
same "$(visits_of "$T/r1.db")" "$V" "restored central: every visit, once"
same "$(dbstat "$T/r1.db" quarantined)" 0 "nothing quarantined"
for d in a b c; do
	run_ok "receipts verify $d" coso --store "$T/$d" receipts verify
done
agents_stop
stop_central
N1=$(dbstat "$T/r1.db" tree_size)
same "$N1" $((N + 3)) "restored central: three more entries"
D1=$(digest_of "$T/r1.db")

# 3. The backup alone: what came after it is pushed again by the devices
# (docs/operations.md, "Restore").  Their receipts past the backup were
# signed in another order, so this is the last resort, and a new tree.
cp -p "$T/central.db.key" "$T/r4.db.key"
run_ok "restore: backup alone" cosod central restore --db "$T/r4.db" \
	--backup "$T/backup.db"
same "$(cat "$T/out")" "$BDIGEST" "backup alone: the backup's digest"
CDB="$T/r4.db"
start_central
run_ok "admin sync to the backup" coso --store "$T/admin" sync
agents_start
wait_visits "$T/r4.db" "$V" 60 && ok ||
	bad "backup alone: $(visits_of "$T/r4.db") visits of $V"
agents_stop
stop_central
same "$(visits_of "$T/r4.db")" "$V" "backup alone: every visit, once"
same "$(dbstat "$T/r4.db" tree_size)" "$N1" "backup alone: as many entries"
same "$(dbstat "$T/r4.db" quarantined)" 0 "backup alone: nothing quarantined"
same "$(digest_of "$T/r4.db")" "$D1" "backup alone: the same state"

finish
