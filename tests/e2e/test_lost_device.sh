#!/usr/bin/env bash
# test_lost_device.sh BUILD: a cadre's phone is lost with work not yet
# sent (docs/operations.md, "A lost or replaced device").  The office
# revokes its key, at a position of the log, and enrolls a new device for
# the same cadre: the assignment and the cadre's records come to it, and
# its visits are accepted.  The lost phone, found again and syncing, is
# refused whole: nothing of it reaches the log, and `coso status' says
# the key is revoked and why, in English and in Vietnamese.
NAME=e2e-lost
. "$(dirname "$0")/lib.sh"

PORT=$(free_port)
URL="tcp://127.0.0.1:$PORT"
HP=$(free_port)
DATA="$ROOT/deploy/data/lang-son-2024.csv"

keys() { curl -sf "http://127.0.0.1:$HP/api/v1/keys"; }
# keyid DEVICEDIR: the hex key id of a device's public key file.
keyid() {
	sed -n 2p "$1/device.pub" | base64 -d | tail -c 32 | sha256sum |
		cut -d' ' -f1
}
local_count() { sqlite3 "$1/store.db" "$2"; }

# --- the province; cadre cb-a on Đào Viên with her old phone -------------
run_ok "admin init" coso --store "$T/admin" init --cadre admin \
	--name "Ban Tổ chức Tỉnh ủy"
cp "$T/out" "$T/admin.pub"
run_ok "central init" cosod central init --db "$T/central.db" \
	--admin-key "$T/admin.pub" --origin langson.example/coso/lost
cp "$T/out" "$T/central.pub"
run_ok "admin pin" coso --store "$T/admin" pin --central "$URL" \
	--central-key "$T/central.pub"
run_ok "units" coso --store "$T/admin" admin units import "$DATA"
run_ok "cadre" coso --store "$T/admin" admin cadre add --id cb-a \
	--name "Hoàng Thị Mai"
coso --store "$T/admin" admin token --cadre cb-a >"$T/token-old" 2>/dev/null
run_ok "assign" coso --store "$T/admin" admin assign --cadre cb-a \
	--unit 06043 --role in-charge --from 2025-01-01
run_ok "init old" coso --store "$T/old" init --cadre cb-a \
	--name "Hoàng Thị Mai" --central "$URL" --central-key "$T/central.pub"
run_ok "units old" coso --store "$T/old" units import "$DATA"
run_ok "enroll old" coso --store "$T/old" enroll "$(cat "$T/token-old")"
CENTRAL_ARGS="--http 127.0.0.1:$HP"
start_central
run_ok "admin sync" coso --store "$T/admin" sync
for i in 1 2 3; do
	run_ok "old visit $i" coso --store "$T/old" visit add --unit 06043 \
		--date "2025-10-0$i" --purpose "Thăm hộ nghèo lần $i" \
		--proposal "Kiến nghị $i"
done
run_ok "old syncs" coso --store "$T/old" sync
same "$(central_count visits)" 3 "three visits at the central"
# Work recorded and never sent: the phone is lost with it.
for i in 4 5; do
	run_ok "old visit $i (unsent)" coso --store "$T/old" visit add \
		--unit 06043 --date "2025-10-0$i" --purpose "Chưa gửi $i"
done
same "$(pending "$T/old")" 2 "two change-sets pending on the lost phone"

# --- the office revokes the key at a log position ----------------------------
OLD=$(keyid "$T/old")
POS=$(central_count tree_size)
run_ok "revoke the lost phone" coso --store "$T/admin" admin revoke \
	--key "$OLD" --reason "Mất điện thoại"
run_ok "admin sync revoke" coso --store "$T/admin" sync
same "$(keys | jq -r ".keys[] | select(.key_id == \"$OLD\") | .revoked")" \
	"$POS" "the key is revoked at the revocation's log position"
same "$(central_count revocations)" 1 "one revocation"

# --- a new phone for the same cadre -------------------------------------------
coso --store "$T/admin" admin token --cadre cb-a >"$T/token-new" 2>/dev/null
run_ok "admin sync token" coso --store "$T/admin" sync
run_ok "init new" coso --store "$T/new" init --cadre cb-a \
	--name "Hoàng Thị Mai" --central "$URL" --central-key "$T/central.pub"
run_ok "units new" coso --store "$T/new" units import "$DATA"
run_ok "enroll new" coso --store "$T/new" enroll "$(cat "$T/token-new")"
run_ok "new syncs" coso --store "$T/new" sync
NEW=$(keyid "$T/new")
same "$(keys | jq -r ".keys[] | select(.key_id == \"$NEW\") | .cadre_id")" \
	cb-a "the new key is the same cadre's"
same "$(keys | jq -r ".keys[] | select(.key_id == \"$NEW\") | .revoked")" \
	null "the new key is not revoked"
# What follows the cadre: the assignment, and the records of her area.
same "$(local_count "$T/new" "SELECT count(*) FROM assignments
	WHERE cadre_id = 'cb-a' AND unit = '06043'")" 1 \
	"the assignment follows to the new phone"
same "$(local_count "$T/new" "SELECT count(*) FROM visits")" 3 \
	"the cadre's three synced visits follow"
same "$(local_count "$T/new" "SELECT count(*) FROM proposals")" 3 \
	"and their proposals"
run_ok "new visit" coso --store "$T/new" visit add --unit 06043 \
	--date 2025-10-10 --purpose "Từ điện thoại mới"
run_ok "new phone's visit synced" coso --store "$T/new" sync
same "$(pending "$T/new")" 0 "nothing pending on the new phone"
same "$(central_count visits)" 4 "the new phone's visit accepted"

# --- the lost phone is found and syncs: refused, and it says so ---------------
TREE=$(central_count tree_size)
run_code 2 "the lost phone's push is refused" coso --store "$T/old" sync
grep -q "revoked" "$T/err" && ok || bad "refusal without its reason"
same "$(central_count tree_size)" "$TREE" "nothing of it reaches the log"
same "$(central_count visits)" 4 "its pending visits are not merged"
same "$(pending "$T/old")" 2 "its pending work stays on the phone"
run_ok "status --json" coso --store "$T/old" status --json
same "$(jq -r .revoked "$T/out")" true "status: revoked"
same "$(jq -r .pending "$T/out")" 2 "status: two refused change-sets"
jq -r .refusal "$T/out" | grep -q "revoked.*refuses everything.*2 change" &&
	ok || bad "status: the refusal not in words: $(jq -r .refusal "$T/out")"
[ "$(jq -r .revoked_ms "$T/out")" -gt 0 ] && ok || bad "status: no time"
run_ok "status" coso --store "$T/old" status
grep -q "^REVOKED: This device's key was revoked" "$T/out" && ok ||
	bad "status: no REVOKED line"
LANGUAGE=vi run_ok "status vi" coso --store "$T/old" status
grep -q "^ĐÃ THU HỒI: Khoá của thiết bị này đã bị thu hồi" "$T/out" && ok ||
	bad "status vi: $(grep -i thu "$T/out")"
# The unsent records are still readable there, to be entered again.
same "$(local_count "$T/old" "SELECT count(*) FROM visits
	WHERE purpose LIKE 'Chưa gửi%'")" 2 "the unsent visits are kept"
run_ok "status new" coso --store "$T/new" status --json
same "$(jq -r .revoked "$T/out")" false "the new phone is not revoked"
# The field agent on the lost phone keeps being refused; nothing stored.
# As a user service its stderr is the journal's stream: each line
# carries its syslog priority.
: >"$T/field-old.log"
JOURNAL_STREAM=$(stat -c %d:%i "$T/field-old.log") \
	"$B/cosod" field run --store "$T/old" --interval 1 --max-backoff 1 \
	>>"$T/field-old.log" 2>&1 &
AGENT=$!
PIDS="$PIDS $AGENT"
i=0
while [ $i -lt 100 ] && ! grep -q "revoked" "$T/field-old.log"; do
	sleep 0.1
	i=$((i + 1))
done
kill -TERM "$AGENT"
wait "$AGENT" 2>/dev/null
grep -q "^<3>sync: .*revoked" "$T/field-old.log" && ok ||
	bad "the agent does not say, as an error, that the key is revoked"
grep -q "^<6>cosod field: running" "$T/field-old.log" && ok ||
	bad "the agent's start is not an info line: $(head -1 "$T/field-old.log")"
same "$(central_count tree_size)" "$TREE" "the agent adds nothing to the log"
stop_central

finish
