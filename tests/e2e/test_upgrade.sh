#!/usr/bin/env bash
# test_upgrade.sh BUILD: databases of earlier versions are upgraded when
# opened, and a database of a later format is refused unchanged.
#
# The central's databases have all been of format 1 (user_version 1):
# what was added since is created at a read-write open (IF NOT EXISTS).
# The fixture is a province's database with what the releases of
# 04/12/2026 added removed (token_uses, author_weights, clock_checks, the
# unit_moves table, the changesets_unsigned index): the previous schema
# holding a real log.  Opened by `cosod central run', it must come back
# with every table, the same state digest and tree root, the tokens' uses
# derived again, and go on taking change-sets whose receipts and proofs
# the device verifies with the ones it held before.  A database from
# before signed checkpoints (the first central, 27/11/2026) is refused by
# `run', unchanged: its log was never signed (docs/operations.md).
#
# A device's store is at schema 7 (client/lib/schema.c, one step per
# version, unit-tested from versions 1, 2 and 3 in test_store.c): here a
# real store is taken back to schema 5 and the CLI opens it, keeping its
# outbox, receipts and chain, and syncs again.
#
# A central database of format 2 and a store of schema 8 are refused with
# a sentence naming the newer version, and their bytes are unchanged.
NAME=e2e-upgrade
. "$(dirname "$0")/lib.sh"

PORT=$(free_port)
URL="tcp://127.0.0.1:$PORT"
DATA="$ROOT/deploy/data/lang-son-2024.csv"
D="$T/d"
q() { sqlite3 -batch -noheader "$@"; }
sum() { sha256sum "$1" | cut -d' ' -f1; }
# stat_of KEY: a field of `cosod central stats --json'.
stat_of() {
	cosod central stats --db "$T/central.db" --json >"$T/stats.json"
	sed -n "s/.*\"$1\": *\"\{0,1\}\([0-9a-f]*\).*/\1/p" "$T/stats.json" |
		head -1
}
visit() {
	run_ok "visit $1" coso --store "$D" visit add --unit 06043 \
		--date "$1" --purpose "Thăm hộ $1" --proposal "Hỗ trợ $1"
}
# Every object a database holds, one "type name" a line.
objects() {
	q "$1" "SELECT type || ' ' || name FROM sqlite_master
		WHERE name NOT LIKE 'sqlite_%' ORDER BY 1"
}

# --- a province: the admin, one cadre, visits synced ----------------------
run_ok "admin init" coso --store "$T/admin" init --cadre admin \
	--name "Ban Tổ chức Tỉnh ủy"
cp "$T/out" "$T/admin.pub"
run_ok "central init" cosod central init --db "$T/central.db" \
	--admin-key "$T/admin.pub" --origin langson.example/coso/upgrade
cp "$T/out" "$T/central.pub"
run_ok "admin pin" coso --store "$T/admin" pin --central "$URL" \
	--central-key "$T/central.pub"
run_ok "units" coso --store "$T/admin" admin units import "$DATA"
run_ok "cadre" coso --store "$T/admin" admin cadre add --id cb-u \
	--name "Hoàng Văn Sơn"
coso --store "$T/admin" admin token --cadre cb-u >"$T/token" 2>/dev/null
run_ok "assign" coso --store "$T/admin" admin assign --cadre cb-u \
	--unit 06043 --role in-charge --from 2025-01-01
run_ok "init d" coso --store "$D" init --cadre cb-u --name "Hoàng Văn Sơn" \
	--central "$URL" --central-key "$T/central.pub"
run_ok "units d" coso --store "$D" units import "$DATA"
run_ok "enroll d" coso --store "$D" enroll "$(cat "$T/token")"
visit 2025-11-03
visit 2025-11-05
visit 2025-11-07
start_central
run_ok "admin sync" coso --store "$T/admin" sync
run_ok "d syncs" coso --store "$D" sync
stop_central

DIGEST=$(cosod central digest --db "$T/central.db")
SIZE=$(stat_of tree_size)
ROOT=$(stat_of root)
USES=$(q "$T/central.db" "SELECT hex(token_hash), hex(key_id), position
	FROM token_uses ORDER BY 1")
ENTRIES=$(q "$T/central.db" "SELECT count(*) FROM changesets")
same "$(q "$T/central.db" "PRAGMA user_version")" 1 "central format"
same "$SIZE" "$ENTRIES" "tree size = log entries before the upgrade"
same "$(printf '%s\n' "$USES" | grep -c .)" 1 "one token used"

# --- before the checkpoints: refused by run, unchanged ---------------------
q "$T/central.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
cp "$T/central.db" "$T/current.db"
objects "$T/current.db" >"$T/objects.current"
cp "$T/central.db" "$T/first.db"
cp "$T/central.db.key" "$T/first.db.key"
q "$T/first.db" "DROP TABLE tree_hashes; DROP TABLE checkpoints; VACUUM;"
before=$(sum "$T/first.db")
run_code 2 "run on a log never signed" cosod central run \
	--db "$T/first.db" --listen "$URL"
grep -q "checkpoints" "$T/err" && ok || bad "run says: $(cat "$T/err")"
same "$(sum "$T/first.db")" "$before" "a log never signed is unchanged"

# --- the previous schema, holding this log --------------------------------
q "$T/central.db" "DROP TABLE token_uses; DROP TABLE author_weights;
	DROP TABLE clock_checks; DROP TABLE unit_moves;
	DROP INDEX changesets_unsigned; VACUUM;"
for o in "table token_uses" "table author_weights" "table clock_checks" \
	"table unit_moves" "index changesets_unsigned"; do
	grep -qx "$o" "$T/objects.current" || bad "current schema has no $o"
	if objects "$T/central.db" | grep -qx "$o"; then
		bad "the fixture still has $o"
	else ok; fi
done
same "$(q "$T/central.db" "PRAGMA user_version")" 1 "fixture's format"

# --- opened by this cosod: upgraded in place -------------------------------
start_central
same "$(objects "$T/central.db")" "$(cat "$T/objects.current")" \
	"every table and index is back"
same "$(cosod central digest --db "$T/central.db")" "$DIGEST" \
	"state digest after the upgrade"
same "$(stat_of tree_size)" "$SIZE" "tree size after the upgrade"
same "$(stat_of root)" "$ROOT" "tree root computed again from the log"
same "$(q "$T/central.db" "SELECT hex(token_hash), hex(key_id), position
	FROM token_uses ORDER BY 1")" "$USES" "token uses derived again"
same "$(q "$T/central.db" "PRAGMA user_version")" 1 "format after upgrade"
# The upgraded central takes more work; the device checks the receipts
# and proofs it held from before with the new ones.
visit 2025-11-10
visit 2025-11-12
run_ok "d syncs with the upgraded central" coso --store "$D" sync
same "$(pending "$D")" 0 "nothing pending"
same "$(stat_of tree_size)" "$((SIZE + 2))" "two entries more"
run_ok "receipts verify across the upgrade" coso --store "$D" receipts verify
stop_central
run_ok "rebuild of the upgraded database" cosod central rebuild \
	--db "$T/central.db" --out "$T/rebuilt.db"
same "$(cat "$T/out")" "$(cosod central digest --db "$T/central.db")" \
	"rebuild's digest"
same "$(q "$T/central.db" "SELECT count(*) FROM visits")" 5 "visits"

# --- a central database of a later format: refused, unchanged --------------
cp "$T/current.db" "$T/newer.db"
cp "$T/central.db.key" "$T/newer.db.key"
q "$T/newer.db" "PRAGMA user_version = 2"
before=$(sum "$T/newer.db")
"$B/cosod" central run --db "$T/newer.db" --listen "$URL" \
	>"$T/out" 2>"$T/err" &
P=$!
PIDS="$PIDS $P"
i=0
while kill -0 "$P" 2>/dev/null && [ "$i" -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
if kill -0 "$P" 2>/dev/null; then
	bad "run serves a format 2 database"
	kill -9 "$P"
fi
wait "$P"
code=$?
if [ "$code" -ne 0 ]; then ok; else bad "run on format 2: exit 0"; fi
grep -q "newer cosod (format 2, this cosod knows 1)" "$T/err" && ok ||
	bad "run on format 2 says: $(cat "$T/err")"
run_code 2 "stats on format 2" cosod central stats --db "$T/newer.db"
grep -q "newer cosod" "$T/err" && ok || bad "stats says: $(cat "$T/err")"
run_code 2 "digest on format 2" cosod central digest --db "$T/newer.db"
same "$(sum "$T/newer.db")" "$before" "format 2 database unchanged"
same "$(q "$T/newer.db" "PRAGMA user_version")" 2 "still format 2"

# --- a device store of the previous schema (5) ------------------------------
cp -a "$D" "$T/d5"
q "$T/d5/store.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
OUTBOX=$(q "$T/d5/store.db" "SELECT seq, hex(id), acked FROM outbox ORDER BY seq")
RECEIPTS=$(q "$T/d5/store.db" "SELECT count(*) FROM receipts")
# Schema 6 added the tokens table and two columns of keys; schema 7 the
# evidence table and two columns of checkpoints.
q "$T/d5/store.db" "DROP TABLE tokens; ALTER TABLE keys DROP COLUMN added;
	ALTER TABLE keys DROP COLUMN token_hash; DROP TABLE evidence;
	ALTER TABLE checkpoints DROP COLUMN consistency;
	ALTER TABLE checkpoints DROP COLUMN received_ms;
	PRAGMA user_version = 5;"
CPS=$(q "$T/d5/store.db" "SELECT count(*) FROM checkpoints")
same "$(q "$T/d5/store.db" "PRAGMA user_version")" 5 "store fixture at 5"
run_ok "status opens schema 5" coso --store "$T/d5" status --json
same "$(q "$T/d5/store.db" "PRAGMA user_version")" 7 "store upgraded to 7"
same "$(q "$T/d5/store.db" "SELECT count(*) FROM tokens")" 0 "tokens table"
same "$(q "$T/d5/store.db" "SELECT count(added) + count(token_hash)
	FROM keys")" 0 "keys' new columns"
same "$(q "$T/d5/store.db" "SELECT count(*) || ' ' || count(consistency)
	FROM checkpoints")" "$CPS 0" "checkpoints kept, not said to be proved"
same "$(q "$T/d5/store.db" "SELECT count(*) FROM evidence")" 0 \
	"evidence table"
same "$(q "$T/d5/store.db" "SELECT seq, hex(id), acked FROM outbox
	ORDER BY seq")" "$OUTBOX" "outbox kept"
same "$(q "$T/d5/store.db" "SELECT count(*) FROM receipts")" "$RECEIPTS" \
	"receipts kept"
run_ok "receipts verify after the store upgrade" coso --store "$T/d5" \
	receipts verify
start_central
run_ok "the upgraded store syncs" coso --store "$T/d5" sync
stop_central

# --- a store of a later schema (8): refused, unchanged ----------------------
cp -a "$T/d5" "$T/d7"
q "$T/d7/store.db" "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA user_version = 8" \
	>/dev/null
before=$(sum "$T/d7/store.db")
run_code 2 "status on schema 8" coso --store "$T/d7" status
grep -q "newer coso (schema 8, this coso knows 7)" "$T/err" && ok ||
	bad "status on schema 8 says: $(cat "$T/err")"
run_code 2 "visit add on schema 8" coso --store "$T/d7" visit add \
	--unit 06043 --date 2025-11-20 --purpose "Không được ghi"
same "$(sum "$T/d7/store.db")" "$before" "schema 8 store unchanged"

finish
