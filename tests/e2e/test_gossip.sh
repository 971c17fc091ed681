#!/usr/bin/env bash
# test_gossip.sh BUILD: devices as gossip against a forked central.
# Central A runs; its database and key are copied to B, and from then on
# each takes change-sets of its own: one key, two histories.  Device X
# syncs with A, then is pointed at B: it refuses B's checkpoint and keeps
# both signed notes.  Device Y syncs only with B: its exported file,
# checked by `coso-audit gossip' against A, shows the split view with both
# notes.  The honest cases (X's file before B, against A; Y's against B)
# hold with exit 0.
NAME=e2e-gossip
. "$(dirname "$0")/lib.sh"

DATA="$ROOT/deploy/data/lang-son-2024.csv"
PA=$(free_port)
URL="tcp://127.0.0.1:$PA"
URLA=$URL

audit() { "$B/coso-audit" "$@"; }
q() { sqlite3 "$1/store.db" "$2"; }

# serve DB SYNCPORT HTTPPORT: a central with its HTTP API; SERVED its pid.
serve() {
	"$B/cosod" central run --db "$1" --listen "tcp://127.0.0.1:$2" \
		--http "127.0.0.1:$3" >>"$T/serve.log" 2>&1 &
	SERVED=$!
	PIDS="$PIDS $SERVED"
	wait_port "$2" 10 && wait_port "$3" 10 || bad "cannot serve $1"
}
# gossip_json CODE DESC HTTPPORT STATE FILE...: coso-audit gossip --json.
gossip_json() {
	_want=$1 _desc=$2 _hp=$3 _st=$4
	shift 4
	audit --central "http://127.0.0.1:$_hp" --central-key "$T/central.pub" \
		--state "$_st" --json gossip "$@" >"$T/g.json" 2>"$T/g.err"
	_got=$?
	if [ "$_got" -eq "$_want" ]; then ok; else
		bad "$_desc: exit $_got, wanted $_want"
		cat "$T/g.json" "$T/g.err"
	fi
}

# --- one central, two devices enrolled ------------------------------------
run_ok "admin init" coso --store "$T/admin" init --cadre admin \
	--name "Ban Tổ chức Tỉnh ủy"
cp "$T/out" "$T/admin.pub"
run_ok "central init" cosod central init --db "$T/a.db" \
	--admin-key "$T/admin.pub" --origin "lang-son.coso/gossip-test"
cp "$T/out" "$T/central.pub"
run_ok "admin pin" coso --store "$T/admin" pin --central "$URLA" \
	--central-key "$T/central.pub"
run_ok "units" coso --store "$T/admin" admin units import "$DATA"
for d in x y; do
	run_ok "cadre $d" coso --store "$T/admin" admin cadre add --id "cb-$d" \
		--name "Cán bộ $d"
	coso --store "$T/admin" admin token --cadre "cb-$d" >"$T/token-$d"
	run_ok "init $d" coso --store "$T/$d" init --cadre "cb-$d" \
		--name "Cán bộ $d" --central "$URLA" \
		--central-key "$T/central.pub"
	run_ok "units $d" coso --store "$T/$d" units import "$DATA"
	run_ok "assign $d" coso --store "$T/admin" admin assign \
		--cadre "cb-$d" --unit 06043 --role in-charge --from 2025-01-01
done
CDB="$T/a.db" start_central
run_ok "admin sync" coso --store "$T/admin" sync
for d in x y; do
	run_ok "enroll $d" coso --store "$T/$d" enroll "$(cat "$T/token-$d")"
done
coso --store "$T/x" visit add --unit 06043 --date 2025-11-01 \
	--purpose "Thăm thôn Đào Viên" >/dev/null
run_ok "x syncs with A" coso --store "$T/x" sync
stop_central

# --- the fork: the same database and key, two centrals ---------------------
cp "$T/a.db" "$T/b.db"
cp "$T/a.db.key" "$T/b.db.key"
FORK=$(cosod central checkpoint --db "$T/a.db" | sed -n 2p)
PB=$(free_port)
HA=$(free_port)
HB=$(free_port)
URLB="tcp://127.0.0.1:$PB"
serve "$T/a.db" "$PA" "$HA"
SA=$SERVED
serve "$T/b.db" "$PB" "$HB"
SB=$SERVED

# History A: X goes on.  History B: Y's visits, which A never sees.
coso --store "$T/x" visit add --unit 06043 --date 2025-11-02 \
	--purpose "Họp dân thôn Nà Pàn" >/dev/null
run_ok "x syncs with A again" coso --store "$T/x" sync
coso --store "$T/x" receipts checkpoints --json >"$T/xcp.json"
same "$(jq '[.[] | select(.consistency == "proved")] | length' \
	"$T/xcp.json")" 1 "x's second checkpoint joined by a proof"
XSIZE=$(q "$T/x" "SELECT max(size) FROM checkpoints")
XNOTE=$(q "$T/x" "SELECT note FROM checkpoints WHERE size = $XSIZE")
run_ok "x exports before B" coso --store "$T/x" receipts export \
	--out "$T/x-before.gossip" --json
same "$(jq .checkpoints "$T/out")" 2 "x's file: its two checkpoints"
same "$(jq .receipts "$T/out")" 2 "x's file: its two receipts"

run_ok "y pinned to B" coso --store "$T/y" pin --central "$URLB" \
	--central-key "$T/central.pub"
for i in 1 2 3; do
	coso --store "$T/y" visit add --unit 06043 --date 2025-11-1$i \
		--purpose "Làm việc với xã Gia Miễn lần $i" >/dev/null
	run_ok "y syncs with B ($i)" coso --store "$T/y" sync
done
same "$(coso --store "$T/y" status --json | jq .evidence)" 0 \
	"y (B only) sees nothing wrong"

# --- X meets B: refused, both notes kept ------------------------------------
run_ok "x pinned to B" coso --store "$T/x" pin --central "$URLB" \
	--central-key "$T/central.pub"
coso --store "$T/x" visit add --unit 06043 --date 2025-11-03 \
	--purpose "Kiểm tra đường bê tông" >/dev/null
run_code 2 "x refuses B's checkpoint" coso --store "$T/x" sync
grep -q "split view" "$T/err" && ok || bad "the sync names the split view"
same "$(q "$T/x" "SELECT count(*) FROM evidence")" 1 "one pair kept"
same "$(q "$T/x" "SELECT held_note FROM evidence")" "$XNOTE" \
	"the held note is A's, as x received it"
BSIZE=$(q "$T/x" "SELECT new_size FROM evidence")
same "$(q "$T/x" "SELECT new_note FROM evidence")" \
	"$(curl -s "http://127.0.0.1:$HB/checkpoint")" \
	"the refused note is B's, as B serves it"
same "$(q "$T/x" "SELECT max(size) FROM checkpoints")" "$XSIZE" \
	"x still holds A's tree as its latest"
same "$(pending "$T/x")" 1 "the visit stays in the outbox"
same "$(coso --store "$T/x" status --json | jq .split_view)" true \
	"status: split view"
LANGUAGE=vi coso --store "$T/x" status >"$T/st.txt"
grep -q "^LỊCH SỬ BỊ TÁCH ĐÔI" "$T/st.txt" && ok ||
	{ bad "status in Vietnamese names it"; cat "$T/st.txt"; }
run_code 2 "receipts verify fails on the evidence" \
	coso --store "$T/x" receipts verify
grep -qF "$(printf '%s' "$XNOTE" | tail -1)" "$T/out" && ok ||
	bad "verify prints the held note"
grep -q "size $XSIZE held, size $BSIZE refused" "$T/out" && ok ||
	{ bad "verify names both sizes"; cat "$T/out"; }
coso --store "$T/x" receipts verify --json >"$T/v.json"
same "$(jq '[.[] | select(.status == "split view")] | length' "$T/v.json")" \
	1 "verify --json: one split view"
same "$(jq -r '.[] | select(.status == "split view") | .held_note' \
	"$T/v.json")" "$XNOTE" "verify --json: the held note"
run_code 2 "x refuses B again" coso --store "$T/x" sync
same "$(q "$T/x" "SELECT count(*) || ' ' || max(seen) FROM evidence")" \
	"1 2" "the same pair again is counted, not doubled"

# --- Y's file at the auditor of A: the split view, both notes ---------------
run_ok "y exports" coso --store "$T/y" receipts export --out "$T/y.gossip"
YN=$(q "$T/y" "SELECT count(*) FROM checkpoints")
gossip_json 1 "gossip of y against A" "$HA" "$T/audit-a" "$T/y.gossip"
same "$(jq .checkpoints "$T/g.json")" "$YN" "every note of y checked"
same "$(jq '[.anomalies[] | select(.what == "split_view")] | length >= 1' \
	"$T/g.json")" true "split_view reported"
same "$(jq -r '.evidence[0].central' "$T/g.json")" \
	"$(curl -s "http://127.0.0.1:$HA/checkpoint")" \
	"evidence: A's note as A serves it"
YDEV=$(jq -r '.evidence[0].device' "$T/g.json")
same "$(q "$T/y" "SELECT count(*) FROM checkpoints WHERE note = '$YDEV' || char(10)")" \
	1 "evidence: a note y holds"
grep -q "smaller log than it signed" "$T/g.json" && ok ||
	bad "A, smaller than y's notes, is named for it"
ls -d "$T"/audit-a/evidence/split_view-* >/dev/null 2>&1 && ok ||
	bad "evidence kept in the state directory"
D=$(ls -d "$T"/audit-a/evidence/split_view-* | head -1)
same "$(cat "$D/device.note")" "$YDEV" "the device's note kept as a file"
audit --central "http://127.0.0.1:$HA" --central-key "$T/central.pub" \
	--state "$T/audit-a" gossip "$T/y.gossip" >"$T/g.txt" 2>&1
same "$?" 1 "human output: exit 1"
grep -q -- "--- device.note" "$T/g.txt" && grep -q -- "--- central.note" \
	"$T/g.txt" && ok || { bad "both notes printed"; cat "$T/g.txt"; }

# A grows past B: y's notes are now smaller than A's tree, and no
# consistency proof A gives joins them to it.
for i in 1 2 3 4 5; do
	coso --store "$T/admin" admin cadre add --id "cb-a$i" \
		--name "Cán bộ A$i" >/dev/null
done
run_ok "admin syncs with A" coso --store "$T/admin" sync
ASIZE=$(curl -s "http://127.0.0.1:$HA/checkpoint" | sed -n 2p)
[ "$ASIZE" -gt "$(q "$T/y" "SELECT max(size) FROM checkpoints")" ] && ok ||
	bad "A is now larger than what y holds"
gossip_json 1 "gossip of y against a larger A" "$HA" "$T/audit-a2" \
	"$T/y.gossip"
same "$(jq '[.anomalies[] | select(.what == "split_view" and
	(.message | test("no consistency proof")))] | length' "$T/g.json")" \
	"$(q "$T/y" "SELECT count(*) FROM checkpoints WHERE size > $FORK")" \
	"every note of y past the fork: no proof joins it to A"
same "$(jq .consistent "$T/g.json")" \
	"$(q "$T/y" "SELECT count(*) FROM checkpoints WHERE size <= $FORK")" \
	"y's notes before the fork hold"

# --- honest: what each device saw holds against the central it saw ---------
gossip_json 0 "x before B, against A" "$HA" "$T/audit-h" \
	"$T/x-before.gossip"
same "$(jq -c '[.ok, .checkpoints, .consistent, .receipts]' "$T/g.json")" \
	"[true,2,2,2]" "x's file holds against A, with counts"
gossip_json 0 "y against B" "$HB" "$T/audit-b" "$T/y.gossip"
same "$(jq -c '[.ok, .consistent, .receipts]' "$T/g.json")" \
	"[true,$YN,3]" "y's file holds against B"
# X's file now carries B's note as evidence: A's auditor sees it too.
run_ok "x exports after B" coso --store "$T/x" receipts export \
	--out "$T/x-after.gossip"
gossip_json 1 "x after B, against A" "$HA" "$T/audit-h" \
	"$T/x-after.gossip"
same "$(jq .device_evidence "$T/g.json")" 1 "the device's pair read"

# --- a file that is not one is refused, nothing kept -------------------------
head -c 100 "$T/y.gossip" >"$T/cut.gossip"
gossip_json 2 "a cut file" "$HA" "$T/audit-c" "$T/cut.gossip"
grep -q "not a gossip file" "$T/g.err" && ok || bad "the cut file is named"

kill -TERM "$SA" "$SB" 2>/dev/null
echo "$NAME: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
