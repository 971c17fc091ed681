#!/usr/bin/env bash
# test_restore.sh BUILD: a device restored from an old copy of its store.
# The copy is made, more work is synced (visits, a report whose draft the
# copy holds, an answer to a proposal), an untouched twin of the store is
# kept, and the old copy put back.  Its next sync pulls back its own
# change-sets from the central: it must end with the twin's rows, chain
# and outbox, and its next visit must continue the chain (accepted, not
# a fork).  tests/fault/fork.sh covers a restored device that writes
# before it can sync.
NAME=e2e-restore
. "$(dirname "$0")/lib.sh"

PORT=$(free_port)
URL="tcp://127.0.0.1:$PORT"
DATA="$ROOT/deploy/data/lang-son-2024.csv"
R="$T/r"

# rows STORE: every row a cadre sees, and the device's own chain
rows() {
	sqlite3 "$1/store.db" "
	SELECT 'visit', hex(id), seq, unit, date, purpose, situation,
	  difficulties, directions, participants, lat, lon, hex(amends),
	  author FROM visits ORDER BY id;
	SELECT 'outcome', * FROM outcomes ORDER BY id;
	SELECT 'proposal', hex(id), hex(source), source_kind, unit, text, date,
	  status, response, author FROM proposals ORDER BY id;
	SELECT 'report', hex(id), unit, period, results, situation,
	  difficulties, proposals, hex(amends), status, submitted, seq,
	  created_ms, author FROM reports ORDER BY id;
	SELECT 'handover', * FROM handovers ORDER BY id;
	SELECT 'assignment', hex(id), cadre_id, unit, role, valid_from
	  FROM assignments ORDER BY id;
	SELECT 'unit', count(*) FROM units;
	SELECT 'outbox', seq, hex(id), length(bytes), acked, verdict, reason
	  FROM outbox ORDER BY seq;
	SELECT 'chain', seq, hex(prev) FROM chain;"
}
visit() {
	run_ok "visit $2" coso --store "$1" visit add --unit 06043 \
		--date "$2" --purpose "Thăm hộ $2" ${3:+--proposal "$3"}
}

# --- the province, one cadre on Đào Viên --------------------------------
run_ok "admin init" coso --store "$T/admin" init --cadre admin \
	--name "Ban Tổ chức Tỉnh ủy"
cp "$T/out" "$T/admin.pub"
run_ok "central init" cosod central init --db "$T/central.db" \
	--admin-key "$T/admin.pub" --origin langson.example/coso/restore
cp "$T/out" "$T/central.pub"
run_ok "admin pin" coso --store "$T/admin" pin --central "$URL" \
	--central-key "$T/central.pub"
run_ok "units" coso --store "$T/admin" admin units import "$DATA"
run_ok "cadre" coso --store "$T/admin" admin cadre add --id cb-r \
	--name "Hoàng Văn Sơn"
coso --store "$T/admin" admin token --cadre cb-r >"$T/token"
run_ok "assign" coso --store "$T/admin" admin assign --cadre cb-r \
	--unit 06043 --role in-charge --from 2025-01-01
run_ok "init r" coso --store "$R" init --cadre cb-r --name "Hoàng Văn Sơn" \
	--central "$URL" --central-key "$T/central.pub"
run_ok "units r" coso --store "$R" units import "$DATA"
run_ok "enroll r" coso --store "$R" enroll "$(cat "$T/token")"
start_central
run_ok "admin sync" coso --store "$T/admin" sync

# --- work synced, then the copy -----------------------------------------
visit "$R" 2025-11-03 "Sửa đường vào thôn"
visit "$R" 2025-11-05
run_ok "r syncs" coso --store "$R" sync
REP=$(coso --store "$R" report new --period 2025-Q4 --unit 06043)
cp -a "$R" "$T/r.backup"

# --- more work synced after the copy ------------------------------------
visit "$R" 2025-11-10 "Hỗ trợ giống cam"
visit "$R" 2025-11-12
for s in results situation difficulties proposals; do
	run_ok "report $s" coso --store "$R" report edit "$REP" --section $s \
		--text "Phần $s"
done
run_ok "report submit" coso --store "$R" report submit "$REP"
run_ok "r syncs again" coso --store "$R" sync
P=$(sqlite3 "$R/store.db" "SELECT lower(hex(id)) FROM proposals
	WHERE text = 'Sửa đường vào thôn'")
run_ok "admin answers" coso --store "$T/admin" admin respond "$P" \
	--status answered --text "Đã bố trí vốn"
run_ok "admin syncs" coso --store "$T/admin" sync
run_ok "r pulls the answer" coso --store "$R" sync
same "$(sqlite3 "$R/store.db" "SELECT status FROM proposals
	WHERE text = 'Sửa đường vào thôn'")" answered "r holds the answer"
N=$(sqlite3 "$R/store.db" "SELECT max(seq) FROM outbox")
same "$N" 5 "r signed 5 change-sets"
cp -a "$R" "$T/r.twin"
rows "$T/r.twin" >"$T/twin.rows"

# --- the old copy put back: the next sync brings it all back ------------
rm -rf "$R"
cp -a "$T/r.backup" "$R"
run_ok "restored r syncs" coso --store "$R" sync --json
same "$(sed -n 's/.*"restored":\([0-9]*\).*/\1/p' "$T/out")" 3 \
	"sync: 3 change-sets of its own pulled back"
rows "$R" >"$T/restored.rows"
if cmp -s "$T/twin.rows" "$T/restored.rows"; then ok; else
	bad "restored rows differ from the twin's"
	diff "$T/twin.rows" "$T/restored.rows" | head -20
fi
same "$(grep -c '^visit|' "$T/restored.rows")" 4 "restored: 4 visits"
same "$(grep -c '^report|.*|submitted|' "$T/restored.rows")" 1 \
	"restored: the report submitted, not a draft"
run_ok "restored chain verifies" coso --store "$R" log
# Its next visit continues the chain: accepted, no fork.
visit "$R" 2025-11-20
run_ok "restored r syncs its new visit" coso --store "$R" sync
KEY=$(sqlite3 "$T/central.db" "SELECT hex(key_id) FROM authors
	WHERE cadre_id = 'cb-r'")
same "$(sqlite3 "$T/central.db" "SELECT count(*) || '/' || sum(verdict = 1)
	FROM changesets WHERE hex(author) = '$KEY'")" 6/6 \
	"central: 6 change-sets of r, all accepted, no fork"
same "$(sqlite3 "$R/store.db" "SELECT seq || ' ' || verdict FROM outbox
	ORDER BY seq DESC LIMIT 1")" "6 1" "r: seq 6 accepted"
stop_central
finish
