#!/usr/bin/env bash
# test_leader.sh BUILD: two cadres assigned to communes of district 180
# (Tràng Định) and one elsewhere record visits with proposals and a
# report; all sync; a leader assigned to 180 syncs and starts the
# district's report for 2025-Q4: its results section is the summary of
# exactly the records below 180 in that quarter.
NAME=e2e-leader
. "$(dirname "$0")/lib.sh"

PORT=$(free_port)
URL="tcp://127.0.0.1:$PORT"
DATA="$ROOT/deploy/data/lang-son-2024.csv"
A="$T/admin"
results_of() { sqlite3 "$1/store.db" \
	"SELECT results FROM reports WHERE lower(hex(id)) LIKE '%$2'"; }

run_ok "admin init" coso --store "$A" init --cadre admin --name "Ban Tổ chức"
cp "$T/out" "$T/admin.pub"
run_ok "central init" cosod central init --db "$T/central.db" \
	--admin-key "$T/admin.pub" --origin langson.example/coso/leader
cp "$T/out" "$T/central.pub"
run_ok "admin pin" coso --store "$A" pin --central "$URL" \
	--central-key "$T/central.pub"
run_ok "admin units" coso --store "$A" admin units import "$DATA"
# cb-1 at Đào Viên (06043), cb-2 at Quốc Khánh (06004), both under 180;
# cb-3 at Gia Miễn (06160, under 182); cb-l the leader of district 180.
for c in 1:06043 2:06004 3:06160 l:180; do
	d=${c%%:*} u=${c#*:}
	run_ok "cadre $d" coso --store "$A" admin cadre add --id "cb-$d" \
		--name "Cán bộ $d"
	run_ok "assign $d" coso --store "$A" admin assign --cadre "cb-$d" \
		--unit "$u" --role in-charge --from 2025-01-01
	coso --store "$A" admin token --cadre "cb-$d" >"$T/token-$d"
done
run_ok "sector" coso --store "$A" admin sector add --code KT --name "Kinh tế"
run_ok "team" coso --store "$A" admin team add --sector KT \
	--name "Tổ nông nghiệp" --leader cb-l
run_ok "schedule" coso --store "$A" admin schedule set --kind quarterly \
	--due-days 10 --grace-days 5
run_ok "schedule re-set" coso --store "$A" admin schedule set \
	--kind quarterly --due-days 15 --grace-days 5
start_central
run_ok "admin sync" coso --store "$A" sync
for d in 1 2 3 l; do
	run_ok "init $d" coso --store "$T/$d" init --cadre "cb-$d" \
		--name "Cán bộ $d" --central "$URL" --central-key "$T/central.pub"
	run_ok "units $d" coso --store "$T/$d" units import "$DATA"
	run_ok "enroll $d" coso --store "$T/$d" enroll "$(cat "$T/token-$d")"
done

visit() { # STORE UNIT DATE PURPOSE [PROPOSAL]
	if [ -n "${5:-}" ]; then
		run_ok "visit $1 $3" coso --store "$T/$1" visit add --unit "$2" \
			--date "$3" --purpose "$4" --proposal "$5"
	else
		run_ok "visit $1 $3" coso --store "$T/$1" visit add --unit "$2" \
			--date "$3" --purpose "$4"
	fi
}
visit 1 06043 2025-09-20 "Quý 3" "Kiến nghị của quý 3"
visit 1 06043 2025-10-05 "Kiểm tra đường" "Hỗ trợ 20 tấn xi măng làm đường"
visit 1 06043 2025-11-14 "Họp dân"
visit 1 06043 2025-12-10 "Kiểm tra cầu" "Sửa cầu treo qua suối"
visit 2 06004 2025-10-21 "Thăm hộ nghèo" "Cấp giống ngô vụ đông"
visit 2 06004 2025-11-12 "Kiểm tra trường"
visit 3 06160 2025-11-03 "Văn Lãng" "Kiến nghị của huyện khác"
R=$(coso --store "$T/1" report new --period 2025-Q4 --unit 06043)
for s in results situation difficulties; do
	coso --store "$T/1" report edit "$R" --section $s --text "Phần $s"
done
coso --store "$T/1" report edit "$R" --section proposals \
	--text "Bổ sung kinh phí lớp học xóa mù chữ"
run_ok "report submit" coso --store "$T/1" report submit "$R"
same "$(results_of "$T/1" "${R: -8}")" "Phần results" \
	"a commune's report is not pre-filled"

for d in 1 2 3; do
	run_ok "sync $d" coso --store "$T/$d" sync
	same "$(pending "$T/$d")" 0 "device $d: nothing pending"
done
same "$(central_count visits)" 7 "central: 7 visits"
same "$(central_count quarantined)" 0 "nothing quarantined"

run_ok "leader sync" coso --store "$T/l" sync
# What the pull brought the leader: the records under 180, not 182's.
same "$(sqlite3 "$T/l/store.db" "SELECT count(*) FROM visits")" 6 \
	"leader holds the 6 visits below 180"
same "$(sqlite3 "$T/l/store.db" "SELECT count(*) FROM reports")" 1 \
	"leader holds the commune's report"
same "$(sqlite3 "$T/l/store.db" \
	"SELECT count(*) FROM visits WHERE unit = '06160'")" 0 \
	"leader does not hold 182's visit"
same "$(sqlite3 "$T/l/store.db" "SELECT (SELECT name FROM sectors) || '|' ||
	(SELECT leader FROM teams) || '|' || (SELECT group_concat(kind || ':' ||
	due_days || ':' || grace_days) FROM schedules)")" \
	"Kinh tế|cb-l|1:15:5" "sector, team and schedule pulled, re-set in place"

run_ok "leader report new" coso --store "$T/l" report new --period 2025-Q4 \
	--unit 180
L=$(cat "$T/out")
today=$(sqlite3 "$T/1/store.db" \
	"SELECT date FROM proposals WHERE source_kind = 'report'")
td="${today:6:2}/${today:4:2}/${today:0:4}"
want="Tổng hợp quý 4/2025 của 2 đơn vị cấp dưới: 5 lượt đi cơ sở, 1 báo cáo đã nộp, 4 kiến nghị (4 chưa giải quyết).
- Xã Quốc Khánh (06004): 2 lượt đi cơ sở (gần nhất 12/11/2025), 0 báo cáo, 1 kiến nghị (1 chưa giải quyết)
- Xã Đào Viên (06043): 3 lượt đi cơ sở (gần nhất 10/12/2025), 1 báo cáo, 3 kiến nghị (3 chưa giải quyết)
Kiến nghị:
- 05/10/2025, Xã Đào Viên: Hỗ trợ 20 tấn xi măng làm đường (chưa giải quyết)
- 21/10/2025, Xã Quốc Khánh: Cấp giống ngô vụ đông (chưa giải quyết)
- 10/12/2025, Xã Đào Viên: Sửa cầu treo qua suối (chưa giải quyết)
- $td, Xã Đào Viên: Bổ sung kinh phí lớp học xóa mù chữ (chưa giải quyết)"
got=$(results_of "$T/l" "$L")
same "$got" "$want" "leader's draft pre-filled with the quarter below 180"
run_ok "leader report show" coso --store "$T/l" report show "$L"
if grep -q "5 lượt đi cơ sở" "$T/out"; then ok; else
	bad "report show lacks the summary"; fi
same "$(sqlite3 "$T/l/store.db" "SELECT proposals FROM reports WHERE
	lower(hex(id)) LIKE '%$L'")" "" "proposals section left to the leader"
# The cadre edits it as usual, fills the rest, and submits.
run_ok "leader edit" coso --store "$T/l" report edit "$L" --section results \
	--text "$got
Nhận xét của Ban Thường vụ."
for s in situation difficulties proposals; do
	coso --store "$T/l" report edit "$L" --section $s --text "Huyện $s"
done
run_ok "leader submit" coso --store "$T/l" report submit "$L"
run_ok "leader sync 2" coso --store "$T/l" sync
same "$(pending "$T/l")" 0 "leader's report accepted"
same "$(central_count quarantined)" 0 "still nothing quarantined"

# Another period: nothing below 180 then.
run_ok "leader Q3" coso --store "$T/l" report new --period 2025-Q3 --unit 180
same "$(results_of "$T/l" "$(cat "$T/out")" | head -1)" \
	"Tổng hợp quý 3/2025 của 1 đơn vị cấp dưới: 1 lượt đi cơ sở, 0 báo cáo đã nộp, 1 kiến nghị (1 chưa giải quyết)." \
	"Q3 summary"
# Not assigned to 180: no pre-fill.  A commune: no pre-fill.
run_ok "cb-3 on 180" coso --store "$T/3" report new --period 2025-Q4 \
	--unit 180
same "$(results_of "$T/3" "$(cat "$T/out")")" "" \
	"no pre-fill without an assignment on the district"
run_ok "leader on a commune" coso --store "$T/l" report new \
	--period 2025-Q4 --unit 06043
same "$(results_of "$T/l" "$(cat "$T/out")")" "" \
	"no pre-fill below the district level"
finish
