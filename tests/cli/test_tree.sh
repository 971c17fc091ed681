#!/bin/sh
# tests/cli/test_tree.sh BUILD: the unit tree with history (the 2025
# merger of Lạng Sơn's communes, re-parenting), sectors, teams, the
# reporting schedule and assignments to sectors, by the real `coso'
# binary without a central: local rows, signed change-sets, re-runs that
# change nothing, and refusals (exit 2, nothing stored or signed).
# Prints "tree-cli: N passed, M failed"; exits non-zero if any failed.
set -u
B=$(cd "${1:-build}" && pwd)
. "$(dirname "$0")/lib.sh"
COSO_HOME=$T/admin
export COSO_HOME
D=$(cd "$(dirname "$0")/../../deploy/data" && pwd)
sql() { sqlite3 "$COSO_HOME/store.db" "$1"; }
head_seq() {
	"$COSO" status --json 2>/dev/null |
		sed -n 's/.*"head_seq":\([0-9]*\).*/\1/p'
}
# ops of change-set SEQ, from `coso log --json`
ops_of() {
	"$COSO" log --json 2>/dev/null |
		sed -n "s/.*\"seq\":$1,.*\"ops\":\([0-9]*\),.*/\1/p"
}

expect 0 "admin init" "$COSO" init --cadre admin --name "Ban Tổ chức"

# --- the data: 11 districts, Đào Viên and Gia Miễn, villages -----------
expect 0 "import 2024" "$COSO" admin units import "$D/lang-son-2024.csv"
same "$(sql "SELECT count(*) FROM units WHERE level = 2")" 11 \
	"11 district-level units"
same "$(sql "SELECT count(*) FROM units WHERE level = 3")" 194 \
	"194 communes before the reform"
same "$(sql "SELECT parent || ' ' || name FROM units WHERE code = '06043'")" \
	"180 Xã Đào Viên" "Đào Viên under Tràng Định"
same "$(sql "SELECT parent || ' ' || name FROM units WHERE code = '06160'")" \
	"182 Xã Gia Miễn" "Gia Miễn under Văn Lãng"
expect 0 "import villages" "$COSO" admin units import \
	"$D/lang-son-villages.csv"
same "$(sql "SELECT count(*) FROM units WHERE level = 4")" 9 "9 villages"
same "$(sql "SELECT parent FROM units WHERE name = 'Thôn Bình Lập'")" \
	06160 "Bình Lập under Gia Miễn"
same "$(sql "SELECT count(*) FROM units WHERE name = 'Thôn 1' AND \
	parent = '06043'")" 1 "Thôn 1 under Đào Viên"

# --- the merger of 1 July 2025 -----------------------------------------
expect 0 "import 2025" "$COSO" admin units import "$D/lang-son-2025.csv"
# The 65 communes that keep their code move from their district to the
# province on 01/07/2025; the move is kept and signed, the unit's first
# day is not lost, its new name taken.
same "$(sql "SELECT count(*) FROM unit_moves WHERE date = 20250701 AND \
	new_parent = '20'")" 65 "65 communes moved to the province"
same "$(sql "SELECT old_parent || ' ' || parent || ' ' || valid_from || ' ' \
	|| name FROM units u JOIN unit_moves m ON m.code = u.code WHERE \
	u.code = '06040'")" "180 20 20200101 Xã Thất Khê" \
	"Thất Khê: from Tràng Định to the province, since 2020"
same "$(sql "SELECT valid_from FROM units WHERE code = '20'")" 20200101 \
	"the province's first day kept"
same "$("$COSO" log --json | grep -o '"ops":[0-9]*' | tail -1)" \
	'"ops":131' "66 rows and 65 moves signed"
s0=$(head_seq)
expect 2 "merge bad date" "$COSO" admin units merge \
	"$D/lang-son-merge-2025.csv" --date 2025-02-30
printf 'old_code,new_code\n06043,06058\n99999,06058\n' >"$T/badmap.csv"
expect 2 "merge unknown unit" "$COSO" admin units merge "$T/badmap.csv" \
	--date 2025-07-01
contains "$T/err" "line 3: old_code: unknown unit \`99999'" \
	"unknown old code named with its line"
printf 'old,new\n06043,06058\n' >"$T/badhdr.csv"
expect 2 "merge bad header" "$COSO" admin units merge "$T/badhdr.csv" \
	--date 2025-07-01
same "$(head_seq)" "$s0" "refused merges sign nothing"
same "$(sql "SELECT count(*) FROM units WHERE valid_to IS NOT NULL")" 0 \
	"refused merges end nothing"
expect 1 "merge without date" "$COSO" admin units merge \
	"$D/lang-son-merge-2025.csv"

expect 0 "merge" "$COSO" admin units merge "$D/lang-son-merge-2025.csv" \
	--date 2025-07-01
contains "$T/out" "129 units merged away, 65 kept their code, 11 districts ended; 1 change-set signed" \
	"merge summary"
same "$(sql "SELECT count(*) FROM units WHERE level = 3")" 194 \
	"194 communes kept, none deleted"
same "$(sql "SELECT count(*) FROM units WHERE level = 3 AND \
	valid_to IS NULL")" 65 "65 communes after the reform"
same "$(sql "SELECT count(*) FROM units WHERE level = 3 AND \
	valid_to = 20250630 AND merged_into IS NOT NULL")" 129 \
	"129 communes end on 30/06/2025 with merged_into"
same "$(sql "SELECT valid_to || ' ' || merged_into FROM units WHERE \
	code = '06043'")" "20250630 06058" "Đào Viên went into Quốc Việt"
same "$(sql "SELECT valid_to || ' ' || merged_into FROM units WHERE \
	code = '06160'")" "20250630 06151" "Gia Miễn went into 06151"
same "$(sql "SELECT merged_into FROM units WHERE code = '06622'")" 06613 \
	"a split commune names the first new code"
same "$(sql "SELECT count(*) FROM units WHERE level = 2 AND \
	valid_to = 20250630 AND merged_into IS NULL")" 11 "11 districts end"
same "$(sql "SELECT count(*) FROM units WHERE valid_to IS NULL AND \
	merged_into IS NULL AND level = 1")" 1 "the province goes on"
same "$(sql "SELECT parent FROM units WHERE code = '06043-01'")" 06043 \
	"villages stay under their old commune"
s1=$(head_seq)
same "$s1" $((s0 + 1)) "one change-set for the merger"
same "$(ops_of "$s1")" 140 "one op per ended unit (129 + 11)"
expect 0 "merge again" "$COSO" admin units merge \
	"$D/lang-son-merge-2025.csv" --date 2025-07-01
contains "$T/out" "0 change-sets signed" "a re-run signs nothing"
same "$(head_seq)" "$s1" "a re-run changes nothing"
# The 2024 list again (an old file imported by mistake): the units take
# its names and parents, but keep their ends; nothing is lost.
expect 0 "import 2024 again" "$COSO" admin units import \
	"$D/lang-son-2024.csv"
same "$(sql "SELECT valid_to || ' ' || merged_into FROM units WHERE \
	code = '06043'")" "20250630 06058" "Đào Viên keeps its end"
expect 0 "import 2025 again" "$COSO" admin units import \
	"$D/lang-son-2025.csv"
same "$(sql "SELECT parent FROM units WHERE code = '06058'")" 20 \
	"Quốc Việt under the province again"

expect 0 "units show" "$COSO" units show 06043
contains "$T/out" "Valid to:" "show has valid_to"
contains "$T/out" "30/06/2025" "valid_to as dd/mm/yyyy"
contains "$T/out" "06058" "show has merged_into"
expect 0 "units show vi" env LANGUAGE=vi "$COSO" units show 06043
contains "$T/out" "Sáp nhập vào" "merged_into label in Vietnamese"
contains "$T/out" "Hiệu lực đến" "valid_to label in Vietnamese"
expect 0 "units list" "$COSO" units list --unit 180 --json
# 20 communes were under Tràng Định; the 7 whose codes go on as new
# communes are under the province now (lang-son-2025.csv).
same "$(grep -o '"code"' "$T/out" | wc -l | tr -d ' ')" 13 \
	"Tràng Định's 13 merged-away communes listed"
expect 0 "units list since" "$COSO" units list --unit 20 \
	--since 2025-07-01 --json
same "$(grep -o '"code"' "$T/out" | wc -l | tr -d ' ')" 65 \
	"65 units under the province on 01/07/2025"
expect 2 "units show unknown" "$COSO" units show 99999

# --- re-parenting ------------------------------------------------------
expect 0 "move" "$COSO" admin units move 06043-02 --parent 06058 \
	--date 2025-07-01
same "$(sql "SELECT parent FROM units WHERE code = '06043-02'")" 06058 \
	"new parent"
same "$(sql "SELECT date || ' ' || old_parent || ' ' || new_parent FROM \
	unit_moves WHERE code = '06043-02'")" "20250701 06043 06058" \
	"the old parent kept in the history"
same "$(ops_of "$(head_seq)")" 2 "a move is the unit's row and its move"
s2=$(head_seq)
expect 0 "move again" "$COSO" admin units move 06043-02 --parent 06058 \
	--date 2025-07-01
same "$(head_seq)" "$s2" "moving again signs nothing"
expect 0 "show moved" "$COSO" units show 06043-02
contains "$T/out" "Old parent" "show lists the move"
expect 2 "move unknown parent" "$COSO" admin units move 06043-03 \
	--parent 99999 --date 2025-07-01
contains "$T/err" "unknown unit" "unknown parent named"
expect 2 "move under itself" "$COSO" admin units move 06058 \
	--parent 06043-02 --date 2025-07-01
expect 2 "move bad date" "$COSO" admin units move 06043-03 \
	--parent 06058 --date 2025-13-01
expect 2 "move under an ended unit" "$COSO" admin units move 06043-03 \
	--parent 06010 --date 2025-08-01
same "$(head_seq)" "$s2" "refused moves sign nothing"
same "$(sql "SELECT count(*) FROM unit_moves")" 66 \
	"refused moves store nothing (65 of the reform, 1 here)"

# --- cadres: what assignments and teams name ----------------------------
expect 0 "cadre 1" "$COSO" admin cadre add --id cb-001 --name "Nguyễn Văn An"
expect 0 "cadre 2" "$COSO" admin cadre add --id cb-002 --name "Lê Thị Bình"

# --- sectors, teams, schedule -------------------------------------------
expect 0 "sector add" "$COSO" admin sector add --code KT --name "Kinh tế"
expect 0 "sector add 2" "$COSO" admin sector add --code VHXH \
	--name "Văn hóa - Xã hội"
expect 0 "sector rename" "$COSO" admin sector add --code KT \
	--name "Kinh tế - Ngân sách"
same "$(sql "SELECT count(*) || ' ' || group_concat(name, '|') FROM \
	(SELECT name FROM sectors ORDER BY code)")" \
	"2 Kinh tế - Ngân sách|Văn hóa - Xã hội" "two sectors, one renamed"
expect 2 "sector bad code" "$COSO" admin sector add --code "K T" --name X
expect 1 "sector no name" "$COSO" admin sector add --code X1
expect 0 "team add" "$COSO" admin team add --sector KT \
	--name "Tổ nông nghiệp" --leader cb-001
t1=$(cat "$T/out")
expect 0 "team leader" "$COSO" admin team add --sector KT \
	--name "Tổ nông nghiệp" --leader cb-002
same "$(cat "$T/out")" "$t1" "the same team is the same row"
same "$(sql "SELECT count(*) || ' ' || leader FROM teams")" "1 cb-002" \
	"team re-set: one row, new leader"
s3=$(head_seq)
expect 2 "team unknown sector" "$COSO" admin team add --sector NN \
	--name "Tổ X"
contains "$T/err" "unknown sector" "unknown sector named"
same "$(sql "SELECT count(*) FROM teams")" 1 "nothing stored"

expect 0 "schedule" "$COSO" admin schedule set --kind quarterly \
	--due-days 10 --grace-days 5
expect 0 "schedule yearly" "$COSO" admin schedule set --kind yearly \
	--due-days 30 --grace-days 15
expect 0 "schedule re-set" "$COSO" admin schedule set --kind quarterly \
	--due-days 15 --grace-days 7
same "$(sql "SELECT group_concat(kind || ':' || due_days || ':' || \
	grace_days, ' ') FROM (SELECT * FROM schedules ORDER BY kind)")" \
	"1:15:7 3:30:15" "one row per kind, re-set in place"
s4=$(head_seq)
expect 2 "schedule bad kind" "$COSO" admin schedule set --kind monthly \
	--due-days 10 --grace-days 5
contains "$T/err" "invalid kind" "bad kind named"
expect 2 "schedule bad days" "$COSO" admin schedule set --kind yearly \
	--due-days -1 --grace-days 5
expect 2 "schedule too many days" "$COSO" admin schedule set \
	--kind yearly --due-days 10 --grace-days 400
same "$(head_seq)" "$s4" "refused schedules sign nothing"

# --- assignments to a sector; rotation with a decision ------------------
expect 0 "assign sector" "$COSO" admin assign --cadre cb-001 --sector KT \
	--role monitor --from 2025-01-01 --decision "QĐ 12-QĐ/TU"
a1=$(cat "$T/out")
same "$(sql "SELECT cadre_id || ' ' || sector || ' ' || role || ' ' || \
	coalesce(unit, '-') || ' ' || decision FROM assignments WHERE \
	lower(hex(id)) = '$a1'")" "cb-001 KT 2 - QĐ 12-QĐ/TU" \
	"sector assignment row"
s5=$(head_seq)
expect 2 "assign unknown sector" "$COSO" admin assign --cadre cb-001 \
	--sector NN --role monitor --from 2025-01-01
contains "$T/err" "unknown sector" "unknown sector refused"
expect 2 "assign sector bad date" "$COSO" admin assign --cadre cb-001 \
	--sector KT --role monitor --from 2025-02-30
expect 1 "assign unit and sector" "$COSO" admin assign --cadre cb-001 \
	--sector KT --unit 06058 --role monitor --from 2025-01-01
same "$(head_seq)" "$s5" "refused assignments sign nothing"
expect 0 "assign unit" "$COSO" admin assign --cadre cb-001 --unit 06058 \
	--role in-charge --from 2025-07-01
# Units that no longer exist (issue 13, item 5): refused before signing,
# saying when the unit ended; an assignment within its days is taken.
s6=$(head_seq)
expect 2 "assign ended district" "$COSO" admin assign --cadre cb-002 \
	--unit 180 --role in-charge --from 2025-07-01
contains "$T/err" "Huyện Tràng Định (180) no longer existed on 01/07/2025" \
	"ended district named with its end"
expect 2 "assign merged commune open" "$COSO" admin assign --cadre cb-002 \
	--unit 06043 --role in-charge --from 2025-01-01
contains "$T/err" "--to 30/06/2025 at the latest" "merged commune: end said"
expect 2 "assign merged commune after" "$COSO" admin assign --cadre cb-002 \
	--unit 06043 --role in-charge --from 2025-08-01 --to 2025-09-01
contains "$T/err" "went into Xã Quốc Việt (06058)" "merged into named"
same "$(head_seq)" "$s6" "assignments to ended units sign nothing"
expect 0 "assign merged commune within" "$COSO" admin assign \
	--cadre cb-002 --unit 06043 --role support --from 2025-01-01 \
	--to 2025-06-30
expect 2 "rotate on a merged commune" "$COSO" admin rotate --cadre cb-002 \
	--unit 06043 --to-cadre cb-001 --date 2025-06-01
expect 0 "rotate" "$COSO" admin rotate --cadre cb-001 --unit 06058 \
	--to-cadre cb-002 --date 2025-10-01 --note "Bàn giao sổ theo dõi" \
	--decision "QĐ 88-QĐ/TU"
a2=$(cat "$T/out")
same "$(sql "SELECT cadre_id || ' ' || decision || ' ' || handover_note \
	FROM assignments WHERE lower(hex(id)) = '$a2'")" \
	"cb-002 QĐ 88-QĐ/TU Bàn giao sổ theo dõi" "rotation: decision and note"
same "$(ops_of "$(head_seq)")" 2 "rotation is one change-set"

expect 0 "log verifies" "$COSO" log
contains "$T/out" "all signatures and links verify" "chain verifies"

# --- the leader's pre-fill, bounded -----------------------------------
# A district leader's store (the assignment a pull would bring, written
# here directly) holding 300 long proposals below district 180: the
# summary stays within one text field (16 KiB) and counts what it left.
COSO_HOME=$T/leader
expect 0 "leader init" "$COSO" init --cadre cb-l --name "Lãnh đạo"
expect 0 "leader units" "$COSO" units import "$D/lang-son-2024.csv"
# Once the central knows the device, units come from it only (item 7):
# a local import is refused and changes nothing.
sql "INSERT INTO meta VALUES ('enrolled', '1')"
sql "UPDATE units SET valid_to = 20250630 WHERE code = '06043'"
expect 2 "units import when enrolled" "$COSO" units import \
	"$D/lang-son-2025.csv"
contains "$T/err" "this device is enrolled" "enrolled refusal says why"
same "$(sql "SELECT parent || ' ' || valid_to FROM units WHERE \
	code = '06043'")" "180 20250630" "the pulled tree untouched"
same "$(sql "SELECT count(*) FROM unit_moves")" 0 "no move stored"
sql "DELETE FROM meta WHERE key = 'enrolled'"
sql "UPDATE units SET valid_to = NULL WHERE code = '06043'"
sql "INSERT INTO assignments (id, cadre_id, unit, role, valid_from)
	VALUES (randomblob(16), 'cb-l', '180', 1, 20250101)"
long="Đề nghị hỗ trợ kinh phí sửa chữa đường giao thông nông thôn liên thôn"
i=0
while [ $i -lt 30 ]; do
	set --
	k=0
	while [ $k -lt 10 ]; do
		set -- "$@" --proposal "$long số $i-$k"
		k=$((k + 1))
	done
	"$COSO" visit add --unit 06043 --date 2025-11-20 --purpose "Lần $i" \
		"$@" >/dev/null || bad "visit $i"
	i=$((i + 1))
done
expect 0 "leader report" "$COSO" report new --period 2025-Q4 --unit 180
r=$(cat "$T/out")
sql "SELECT results FROM reports WHERE lower(hex(id)) = '$r'" >"$T/sum"
same "$(head -1 "$T/sum")" "Tổng hợp quý 4/2025 của Huyện Tràng Định (20 đơn vị trực thuộc): 1 đơn vị có hoạt động, 30 lượt đi cơ sở, 0 báo cáo đã nộp, 300 kiến nghị (300 chưa giải quyết)." \
	"totals of 300 proposals"
n=$(grep -c "^- 20/11/2025" "$T/sum")
left=$(sed -n 's/^- … và \([0-9]*\) kiến nghị khác$/\1/p' "$T/sum")
same "$((n + ${left:-0}))" 300 "listed and left-out proposals add up"
if [ "$(wc -c <"$T/sum")" -le 16384 ] && [ "${left:-0}" -gt 0 ]; then ok
else bad "summary not bounded: $(wc -c <"$T/sum") bytes, left ${left:-}"; fi

echo "tree-cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
