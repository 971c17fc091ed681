#!/usr/bin/env bash
# test_flows.sh BUILD: the everyday flows around a rotation, on the
# shipped Lạng Sơn units, with real programs on loopback.
#
# - A report with no proposals says so: no tracked proposal is made of
#   "Không có kiến nghị.", and the central does not count it as a report
#   with proposals.
# - After a rotation the leaving cadre hands over and files the late
#   report of a quarter they covered, within the grace; beyond it, the
#   device refuses before signing; `handover add --date` dates a note.
# - A record the central quarantined is shown to its cadre, with the
#   reason and what to do, in every listing, `status` and `receipts`.
# - A proposal answered by the office reaches its cadre and the leader.
NAME=e2e-flows
. "$(dirname "$0")/lib.sh"

PORT=$(free_port)
URL="tcp://127.0.0.1:$PORT"
DATA="$ROOT/deploy/data/lang-son-2024.csv"
A="$T/admin"
export LC_ALL=C.UTF-8
unset LANGUAGE LC_MESSAGES
# Dates as the central and the devices judge them: Vietnam's day.
day() { TZ=UTC-7 date -d "$1 days" +%Y-%m-%d; }
quarter() { echo "${1:0:4}-Q$(((10#${1:5:2} - 1) / 3 + 1))"; }
TODAY=$(day 0)
R1=$(day -10) # cb-a leaves Đào Viên (06043) to cb-b: within the grace
R2=$(day -60) # cb-c leaves Quốc Khánh (06004) to cb-b: grace over
cq() { sqlite3 "$T/central.db" "$1"; }
sq() { sqlite3 "$T/$1/store.db" "$2"; }
head_seq() { coso --store "$T/$1" status --json | jq .head_seq; }

run_ok "admin init" coso --store "$A" init --cadre admin --name "Ban Tổ chức"
cp "$T/out" "$T/admin.pub"
run_ok "central init" cosod central init --db "$T/central.db" \
	--admin-key "$T/admin.pub" --origin langson.example/coso/flows
cp "$T/out" "$T/central.pub"
run_ok "admin pin" coso --store "$A" pin --central "$URL" \
	--central-key "$T/central.pub"
run_ok "admin units" coso --store "$A" admin units import "$DATA"
for c in a:06043 b:06160 c:06004 l:180; do
	d=${c%%:*} u=${c#*:}
	run_ok "cadre $d" coso --store "$A" admin cadre add --id "cb-$d" \
		--name "Cán bộ $d"
	run_ok "assign $d" coso --store "$A" admin assign --cadre "cb-$d" \
		--unit "$u" --role in-charge --from 2025-01-01
	coso --store "$A" admin token --cadre "cb-$d" >"$T/token-$d"
done
start_central
run_ok "admin sync" coso --store "$A" sync
for d in a b c l; do
	run_ok "init $d" coso --store "$T/$d" init --cadre "cb-$d" \
		--name "Cán bộ $d" --central "$URL" --central-key "$T/central.pub"
	run_ok "enroll $d" coso --store "$T/$d" enroll "$(cat "$T/token-$d")"
	run_ok "sync $d" coso --store "$T/$d" sync
done
same "$(sq a "SELECT unit || ':' || valid_from FROM assignments
	WHERE cadre_id = 'cb-a'")" "06043:20250101" "device a holds its assignment"

# --- 1. a report with no proposals -----------------------------------------
Q=$(quarter "$TODAY")
L=$(coso --store "$T/l" report new --period "$Q" --unit 180)
for s in results situation difficulties; do
	coso --store "$T/l" report edit "$L" --section $s --text "Huyện: $s"
done
run_code 2 "submit with proposals empty" coso --store "$T/l" report submit "$L"
grep -q -- "--none" "$T/err" && ok || bad "the refusal names --none"
run_ok "proposals --none" coso --store "$T/l" report edit "$L" \
	--section proposals --none
run_code 1 "--none with --text" coso --store "$T/l" report edit "$L" \
	--section proposals --none --text "x"
run_code 1 "--none on results" coso --store "$T/l" report edit "$L" \
	--section results --none
run_ok "submit none" coso --store "$T/l" report submit "$L"
same "$(sq l "SELECT proposals FROM reports WHERE status = 'submitted'")" \
	"Không có kiến nghị." "the section says there are none"
same "$(sq l "SELECT count(*) FROM proposals")" 0 \
	"--none: no tracked proposal on the device"
# Typed by hand, in capitals, the same.
run_ok "visit a" coso --store "$T/a" visit add --unit 06043 \
	--date "$(day -20)" --purpose "Kiểm tra đường" \
	--proposal "Hỗ trợ 20 tấn xi măng làm đường"
VA=$(cat "$T/out")
C=$(coso --store "$T/a" report new --period "$Q" --unit 06043)
for s in results situation difficulties; do
	coso --store "$T/a" report edit "$C" --section $s --text "Xã: $s"
done
coso --store "$T/a" report edit "$C" --section proposals \
	--text "  KHÔNG CÓ KIẾN NGHỊ. "
run_ok "submit typed none" coso --store "$T/a" report submit "$C"
same "$(sq a "SELECT count(*) FROM proposals WHERE source_kind = 'report'")" \
	0 "typed 'Không có kiến nghị': no tracked proposal"
run_ok "sync l" coso --store "$T/l" sync
run_ok "sync a" coso --store "$T/a" sync
same "$(cq "SELECT count(*) FROM reports")" 2 "central: both reports"
same "$(cq "SELECT count(*) FROM proposals")" 1 \
	"central: only the visit's proposal"
run_ok "compliance" cosod central report compliance --db "$T/central.db" \
	--period "$Q" --format json --today "$(TZ=UTC-7 date +%d/%m/%Y)"
same "$(jq -c '[.reports[] | select(.status != "pending" and
	.status != "missing") | [.cadre, .complete, .with_proposals]] | sort' \
	"$T/out")" '[["cb-a",true,false],["cb-l",true,false]]' \
	"compliance: complete, without proposals"

# --- 2. rotation: quarantine shown, handover and late report in grace ------
run_ok "rotate a" coso --store "$A" admin rotate --cadre cb-a --unit 06043 \
	--to-cadre cb-b --date "$R1"
run_ok "rotate c" coso --store "$A" admin rotate --cadre cb-c --unit 06004 \
	--to-cadre cb-b --date "$R2"
run_ok "admin sync 2" coso --store "$A" sync

# cb-c has not pulled the rotation: the device still believes it covers
# 06004 and signs; the central quarantines it.
run_ok "stale visit" coso --store "$T/c" visit add --unit 06004 \
	--date "$TODAY" --purpose "Thăm hộ nghèo" --proposal "Cấp giống ngô"
VQ=$(cat "$T/out")
run_ok "sync c" coso --store "$T/c" sync
grep -q "unassigned\|not assigned" "$T/out" && ok ||
	bad "sync names the reason"; cat "$T/out" >"$T/sync-c.out"
same "$(cq "SELECT count(*) FROM visits WHERE unit = '06004'")" 0 \
	"central: the stale visit not merged"
run_ok "status c" coso --store "$T/c" status --json
same "$(jq -c '[.quarantined, (.quarantine | length),
	.quarantine[0].reason, .quarantine[0].record,
	.quarantine[0].record_id, .quarantine[0].unit]' "$T/out")" \
	"[1,1,\"unassigned\",\"visit\",\"$VQ\",\"06004\"]" \
	"status --json counts and lists the quarantined visit"
jq -e '.quarantine[0].what_to_do | length > 20' "$T/out" >/dev/null && ok ||
	bad "status --json says what to do"
same "$(jq .proposals_open "$T/out")" 0 \
	"a quarantined proposal is not counted open"
run_ok "visit list c" coso --store "$T/c" visit list --json
same "$(jq -r ".[] | select(.id == \"$VQ\") | .quarantine" "$T/out")" \
	unassigned "visit list marks the quarantined visit"
run_ok "visit list c table" coso --store "$T/c" visit list
grep -q "1 record above was not accepted" "$T/out" && ok ||
	bad "visit list table notes the quarantine"
run_ok "visit show c" coso --store "$T/c" visit show "${VQ: -8}"
grep -q "not assigned to this unit" "$T/out" && ok ||
	bad "visit show gives the reason"
grep -q "What to do:" "$T/out" && ok || bad "visit show says what to do"
run_ok "proposal list c" coso --store "$T/c" proposal list --json
same "$(jq -r '.[0].quarantine' "$T/out")" unassigned \
	"proposal list marks the quarantined proposal"
run_ok "receipts c" coso --store "$T/c" receipts list --json
same "$(jq -c '[.[] | select(.verdict == "quarantined") |
	[.reason, .record, .record_id]]' "$T/out")" \
	"[[\"unassigned\",\"visit\",\"$VQ\"]]" \
	"receipts list: the reason and the record"
LANG=vi_VN.UTF-8 LC_ALL= coso --store "$T/c" status >"$T/out" 2>&1
grep -q "Không được trung tâm chấp nhận" "$T/out" && ok ||
	bad "status in Vietnamese"
grep -q "Cần làm" "$T/out" && ok || bad "what to do, in Vietnamese"

# Now the device knows: a visit after the end is refused before signing;
# one dated within the assignment is taken.
before=$(head_seq c)
run_code 2 "visit after the rotation" coso --store "$T/c" visit add \
	--unit 06004 --date "$TODAY" --purpose "Sau luân chuyển"
grep -q "not assigned to unit 06004" "$T/err" && ok ||
	bad "refusal says why"; cat "$T/err" >"$T/refusal.err"
same "$(head_seq c)" "$before" "nothing signed for the refused visit"
run_ok "visit within the assignment" coso --store "$T/c" visit add \
	--unit 06004 --date "$(day -63)" --purpose "Trước luân chuyển"
# The grace is over for 06004 today; a note dated within it is taken.
run_code 2 "handover beyond the grace" coso --store "$T/c" handover add \
	--unit 06004 --text "Bàn giao muộn" --to cb-b
same "$(head_seq c)" "$((before + 1))" "nothing signed for the refused note"
run_ok "handover --date in the grace" coso --store "$T/c" handover add \
	--unit 06004 --text "Bàn giao Quốc Khánh" --to cb-b --date "$(day -55)"
run_code 2 "handover dated ahead" coso --store "$T/c" handover add \
	--unit 06004 --text "x" --date "$(day 5)"
run_ok "sync c 2" coso --store "$T/c" sync
same "$(cq "SELECT count(*) FROM visits WHERE unit = '06004'")" 1 \
	"central: the visit within the assignment"
same "$(cq "SELECT text || '|' || date FROM handovers WHERE unit = '06004'")" \
	"Bàn giao Quốc Khánh|$(day -55 | tr -d -)" "central: the dated note"

# cb-a's device has not pulled its rotation either: the field agent
# delivers a visit it signed after the end, and logs why it was refused.
run_ok "stale visit a" coso --store "$T/a" visit add --unit 06043 \
	--date "$TODAY" --purpose "Họp dân Thôn 2"
VQA=$(cat "$T/out")
SQA=$(head_seq a)
"$B/cosod" field run --store "$T/a" --interval 1 >"$T/agent-a.log" 2>&1 &
AGENT=$!
PIDS="$PIDS $AGENT"
wait_synced "$T/a" 20 && ok || bad "agent a: not synced"
for _i in $(seq 50); do
	grep -q "quarantined change-set" "$T/agent-a.log" && break
	sleep 0.1
done
kill -TERM "$AGENT" 2>/dev/null
wait "$AGENT" 2>/dev/null
grep -q "quarantined change-set $SQA: visit ${VQA: -8}, unit 06043, .*: unassigned" \
	"$T/agent-a.log" && ok || { bad "agent log names the record and reason"
	cat "$T/agent-a.log"; }
same "$(jq -r .quarantine[0].record_id <(coso --store "$T/a" status --json))" \
	"$VQA" "device a: the agent's verdict kept"
# cb-a pulls its rotation, hands over and files the late report.
run_ok "sync a 2" coso --store "$T/a" sync
same "$(sq a "SELECT valid_to FROM assignments WHERE cadre_id = 'cb-a'")" \
	"$(day -11 | tr -d -)" "device a: the assignment ended"
run_ok "handover a" coso --store "$T/a" handover add --unit 06043 \
	--text "Bàn giao xã Đào Viên: đường Thôn 1 còn 200 m" --to cb-b
# The quarter of its last day, which it covered, now after its end.
R=$(coso --store "$T/a" report new --period "$(quarter "$(day -11)")" \
	--unit 06043)
for s in results situation difficulties; do
	coso --store "$T/a" report edit "$R" --section $s --text "Muộn: $s"
done
coso --store "$T/a" report edit "$R" --section proposals \
	--text "Kéo điện về Thôn 1"
run_ok "late report" coso --store "$T/a" report submit "$R"
run_ok "sync a 3" coso --store "$T/a" sync
same "$(cq "SELECT count(*) FROM handovers WHERE unit = '06043'")" 1 \
	"central: the leaving cadre's handover accepted"
same "$(cq "SELECT count(*) FROM reports WHERE by_cadre = 'cb-a'")" 2 \
	"central: the late report accepted"
same "$(cq "SELECT count(*) FROM changesets WHERE verdict = 3")" 2 \
	"central: only the two stale visits quarantined"
run_ok "status a" coso --store "$T/a" status --json
same "$(jq .quarantined "$T/out")" 1 "device a: only the stale visit"
run_ok "sync b" coso --store "$T/b" sync
same "$(sq b "SELECT group_concat(unit, ',') FROM (SELECT unit FROM
	handovers ORDER BY unit)")" "06004,06043" "cb-b holds both notes"

# --- 3. a proposal answered reaches its cadre and the leader ---------------
PID=$(sq a "SELECT lower(hex(id)) FROM proposals WHERE source_kind = 'visit'")
run_ok "leader sync" coso --store "$T/l" sync
same "$(sq l "SELECT status FROM proposals WHERE lower(hex(id)) = '$PID'")" \
	open "the leader holds the open proposal"
run_ok "respond" coso --store "$A" admin respond "$PID" --status answered \
	--text "Tỉnh cấp 20 tấn xi măng trong quý"
run_ok "admin sync 3" coso --store "$A" sync
run_ok "sync a 4" coso --store "$T/a" sync
run_ok "leader sync 2" coso --store "$T/l" sync
for d in a l; do
	same "$(sq $d "SELECT status || '|' || response FROM proposals
		WHERE lower(hex(id)) = '$PID'")" \
		"answered|Tỉnh cấp 20 tấn xi măng trong quý" \
		"device $d: the answer arrived"
done
finish
