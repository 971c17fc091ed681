#!/usr/bin/env bash
# test_leader.sh BUILD: the office and its cadres around the 2025 reform,
# with the shipped data: the 2024 tree, the 2025 one and the merge map.
# The office signs the tree and the assignments (names and days checked
# before signing); field devices take their units from the central only,
# refuse admin commands and records on units that no longer exist; a
# commune cadre's report starts with their own visits; the leader's
# reports follow the tree of their period (Tràng Định's 2025-Q2 has the
# communes merged away and those that went on; the province's 2025-Q4 the
# communes after the reform); the office lists every proposal and
# answers one by 8 hex digits, and the answer reaches the cadre.  The
# console's views over HTTP are the CLI's, byte for byte.
NAME=e2e-leader
. "$(dirname "$0")/lib.sh"

PORT=$(free_port)
URL="tcp://127.0.0.1:$PORT"
D="$ROOT/deploy/data"
A="$T/admin"
results_of() { sqlite3 "$1/store.db" \
	"SELECT results FROM reports WHERE lower(hex(id)) = '$2'"; }
dsql() { sqlite3 "$T/$1/store.db" "$2"; }

run_ok "admin init" coso --store "$A" init --cadre admin --name "Ban Tổ chức"
cp "$T/out" "$T/admin.pub"
run_ok "central init" cosod central init --db "$T/central.db" \
	--admin-key "$T/admin.pub" --origin langson.example/coso/leader
cp "$T/out" "$T/central.pub"
run_ok "admin pin" coso --store "$A" pin --central "$URL" \
	--central-key "$T/central.pub"
run_ok "units 2024" coso --store "$A" admin units import "$D/lang-son-2024.csv"
run_ok "units 2025" coso --store "$A" admin units import "$D/lang-son-2025.csv"
run_ok "merge" coso --store "$A" admin units merge \
	"$D/lang-son-merge-2025.csv" --date 2025-07-01
# cb-1: Đào Viên (06043) until the merger, then Quốc Việt (06058), which
# it went into; cb-2: Thất Khê (06040), which went on under the province;
# cb-3: Gia Miễn (06160, district 182) until the merger; cb-l: the
# leader of Tràng Định (180) until it ended, then of the province (20).
for c in 1 2 3 l; do
	run_ok "cadre $c" coso --store "$A" admin cadre add --id "cb-$c" \
		--name "Cán bộ $c"
done
assign() { # CADRE UNIT FROM [TO]
	run_ok "assign $1 $2" coso --store "$A" admin assign --cadre "$1" \
		--unit "$2" --role in-charge --from "$3" ${4:+--to "$4"}
}
assign cb-1 06043 2025-01-01 2025-06-30
assign cb-1 06058 2025-07-01
assign cb-2 06040 2025-01-01
assign cb-3 06160 2025-01-01 2025-06-30
assign cb-l 180 2025-01-01 2025-06-30
assign cb-l 20 2025-07-01
# Units that no longer exist, names that are no cadre: refused before
# signing (items 4, 5).
run_code 2 "assign ended district" coso --store "$A" admin assign \
	--cadre cb-l --unit 180 --role in-charge --from 2025-07-01
run_code 2 "assign nobody" coso --store "$A" admin assign --cadre nobody \
	--unit 06058 --role in-charge --from 2025-07-01
for c in 1 2 3 l; do
	coso --store "$A" admin token --cadre "cb-$c" >"$T/token-$c" 2>/dev/null
done
start_central
run_ok "admin sync" coso --store "$A" sync
same "$(pending "$A")" 0 "office's change-sets accepted"

for d in 1 2 3 l; do
	run_ok "init $d" coso --store "$T/$d" init --cadre "cb-$d" \
		--name "Cán bộ $d" --central "$URL" --central-key "$T/central.pub"
	run_ok "enroll $d" coso --store "$T/$d" enroll "$(cat "$T/token-$d")"
	run_ok "sync $d" coso --store "$T/$d" sync
done
# The tree came from the central, with its history (item 7).
same "$(dsql 1 "SELECT valid_to || ' ' || merged_into FROM units WHERE
	code = '06043'")" "20250630 06058" "pulled: Đào Viên ended, into 06058"
same "$(dsql 1 "SELECT old_parent || ' ' || new_parent || ' ' || date
	FROM unit_moves WHERE code = '06040'")" "180 20 20250701" \
	"pulled: Thất Khê's move to the province"
run_code 2 "units import on an enrolled device" coso --store "$T/1" \
	units import "$D/lang-son-2024.csv"
same "$(dsql 1 "SELECT parent || ' ' || valid_to FROM units WHERE
	code = '06043'") $(dsql 1 "SELECT parent FROM units WHERE
	code = '06058'")" "180 20250630 20" "the central's tree stays"
# A field device knows its key is a field key (item 8).
same "$(dsql 1 "SELECT role FROM keys WHERE cadre_id = 'cb-1'")" 1 \
	"the device's own key pulled with its role"
run_code 2 "admin command on a field device" coso --store "$T/1" admin \
	assign --cadre cb-2 --unit 06058 --role monitor --from 2025-07-01
grep -q "field key" "$T/err" && ok || bad "field device refusal: no reason"
# A unit that no longer existed on the day; a cadre that does not exist.
run_code 2 "visit to a merged commune" coso --store "$T/1" visit add \
	--unit 06043 --date 2025-10-05 --purpose "Sau sáp nhập"
grep -q "went into Xã Quốc Việt (06058)" "$T/err" && ok ||
	bad "merged commune: the new one not named"
run_code 2 "handover to nobody" coso --store "$T/1" handover add \
	--unit 06058 --text "Bàn giao" --to cb-999
same "$(pending "$T/1")" 0 "refusals signed nothing"

visit() { # STORE UNIT DATE PURPOSE [PROPOSAL]
	run_ok "visit $1 $3" coso --store "$T/$1" visit add --unit "$2" \
		--date "$3" --purpose "$4" ${5:+--proposal "$5"}
}
visit 1 06043 2025-05-20 "Kiểm tra đường" "Hỗ trợ 20 tấn xi măng làm đường"
visit 1 06058 2025-10-05 "Họp dân" "Sửa cầu treo qua suối"
visit 1 06058 2025-11-14 "Kiểm tra trường"
visit 2 06040 2025-04-21 "Thăm hộ nghèo" "Cấp giống ngô vụ đông"
visit 2 06040 2025-11-12 "Kiểm tra chợ"
visit 3 06160 2025-05-03 "Văn Lãng" "Kiến nghị của huyện khác"

# A commune cadre's report starts with their own visits and proposals.
run_ok "cb-1 report" coso --store "$T/1" report new --period 2025-Q4 \
	--unit 06058
R=$(cat "$T/out")
same "$(results_of "$T/1" "$R")" "Kết quả đi cơ sở quý 4/2025 tại Xã Quốc Việt (06058): 2 lượt đi cơ sở, 1 kiến nghị (1 chưa giải quyết).
Các lượt đi cơ sở:
- 05/10/2025, Xã Quốc Việt: Họp dân
- 14/11/2025, Xã Quốc Việt: Kiểm tra trường
Kiến nghị:
- 05/10/2025, Xã Quốc Việt: Sửa cầu treo qua suối (chưa giải quyết)" \
	"commune report pre-filled with the cadre's own work"
for s in situation difficulties; do
	coso --store "$T/1" report edit "$R" --section $s --text "Phần $s"
done
coso --store "$T/1" report edit "$R" --section proposals \
	--text "Bổ sung kinh phí lớp học xóa mù chữ"
run_ok "report submit" coso --store "$T/1" report submit "$R"
run_code 2 "report on a merged commune after" coso --store "$T/1" report \
	new --period 2025-Q3 --unit 06043

for d in 1 2 3; do
	run_ok "sync $d" coso --store "$T/$d" sync
	same "$(pending "$T/$d")" 0 "device $d: nothing pending"
done
same "$(central_count visits)" 6 "central: 6 visits"
same "$(central_count quarantined)" 0 "nothing quarantined"

# The leader's reports follow the tree of their period.
run_ok "leader sync" coso --store "$T/l" sync
run_ok "leader Q2 on 180" coso --store "$T/l" report new --period 2025-Q2 \
	--unit 180
same "$(results_of "$T/l" "$(cat "$T/out")")" "Tổng hợp quý 2/2025 của Huyện Tràng Định (20 đơn vị trực thuộc): 2 đơn vị có hoạt động, 2 lượt đi cơ sở, 0 báo cáo đã nộp, 2 kiến nghị (2 chưa giải quyết).
- Xã Thất Khê (06040): 1 lượt đi cơ sở (gần nhất 21/04/2025), 0 báo cáo, 1 kiến nghị (1 chưa giải quyết)
- Xã Đào Viên (06043): 1 lượt đi cơ sở (gần nhất 20/05/2025), 0 báo cáo, 1 kiến nghị (1 chưa giải quyết)
Kiến nghị:
- 21/04/2025, Xã Thất Khê: Cấp giống ngô vụ đông (chưa giải quyết)
- 20/05/2025, Xã Đào Viên: Hỗ trợ 20 tấn xi măng làm đường (chưa giải quyết)" \
	"Tràng Định's 2025-Q2: the commune merged away and the one moved"
run_code 2 "leader Q4 on the ended district" coso --store "$T/l" report \
	new --period 2025-Q4 --unit 180
grep -q "ended on 30/06/2025" "$T/err" && ok || bad "ended district: no end"
run_ok "leader Q4 on the province" coso --store "$T/l" report new \
	--period 2025-Q4 --unit 20
same "$(results_of "$T/l" "$(cat "$T/out")" | head -1)" \
	"Tổng hợp quý 4/2025 của Tỉnh Lạng Sơn (65 đơn vị trực thuộc): 2 đơn vị có hoạt động, 3 lượt đi cơ sở, 1 báo cáo đã nộp, 2 kiến nghị (2 chưa giải quyết)." \
	"the province's 2025-Q4: its 65 communes"
run_ok "cb-3 not on 180" coso --store "$T/3" report new --period 2025-Q2 \
	--unit 182
same "$(results_of "$T/3" "$(cat "$T/out")")" "" \
	"no pre-fill without an assignment on the unit"

# The office: every proposal on its device, answered by the 8 hex digits
# its lists show (the last 8: the first ones of a UUIDv7 are its time,
# shared by the records of one minute); an ambiguous prefix is refused
# naming the candidates (item 6).  Its lists.
run_ok "admin sync 2" coso --store "$A" sync
run_ok "admin proposals" coso --store "$A" proposal list --json
same "$(grep -o '"text":' "$T/out" | wc -l | tr -d ' ')" 5 \
	"the office's device lists every proposal"
P=$(sqlite3 "$A/store.db" "SELECT lower(hex(id)) FROM proposals WHERE
	text = 'Sửa cầu treo qua suối'")
run_code 2 "respond by an ambiguous prefix" coso --store "$A" admin respond \
	"${P:0:8}" --status answered --text x
grep -q "matches more than one proposal (${P:0:8}[0-9a-f]\{24\}, " "$T/err" &&
	ok || bad "ambiguous prefix: candidates not named"
run_ok "respond by 8 digits" coso --store "$A" admin respond "${P: -8}" \
	--status answered --text "Đã giao Sở Giao thông khảo sát"
run_ok "admin sync 3" coso --store "$A" sync
same "$(pending "$A")" 0 "response accepted"
run_ok "proposals report json" cosod central report proposals \
	--db "$T/central.db" --format json
same "$(jq -r ".proposals[] | select(.id == \"$P\") | .status" "$T/out")" \
	answered "proposals report: the id, answered"
run_ok "proposals report csv" cosod central report proposals \
	--db "$T/central.db" --format csv
grep -q "^$P,.*Sửa cầu treo qua suối" "$T/out" && ok ||
	bad "proposals report CSV: no id column"
run_ok "cb-1 sync 2" coso --store "$T/1" sync
same "$(dsql 1 "SELECT status || ' ' || response FROM proposals WHERE
	lower(hex(id)) = '$P'")" "answered Đã giao Sở Giao thông khảo sát" \
	"the answer reached the cadre"
run_ok "device list" coso --store "$A" admin device list --json
same "$(grep -o '"role":"field"' "$T/out" | wc -l | tr -d ' ')" 4 \
	"the office lists the four field devices"
run_ok "token list" coso --store "$A" admin token list --json
same "$(grep -o '"state":"used"' "$T/out" | wc -l | tr -d ' ')" 4 \
	"the four tokens used"
# The console's views (docs/central.md, "Views"): a rotation that cb-2's
# device has not pulled (its next visit is quarantined), cb-3's key
# revoked; each view's JSON over HTTP is the CLI's, byte for byte; CSV
# and XLSX downloads open.
run_ok "rotate cb-2" coso --store "$A" admin rotate --cadre cb-2 \
	--unit 06040 --to-cadre cb-3 --date 2025-11-20 --note "Bàn giao chợ"
KEY3=$(sed -n 2p "$T/3/device.pub" | base64 -d | tail -c 32 | sha256sum |
	cut -d' ' -f1)
run_ok "revoke cb-3" coso --store "$A" admin revoke --key "$KEY3"
# The views are the console's: cb-l reads them as the office would.
run_ok "console grant" coso --store "$A" admin console grant cb-l \
	--role office
run_ok "admin sync 4" coso --store "$A" sync
visit 2 06040 2025-11-25 "Sau luân chuyển"
run_ok "stale visit synced" coso --store "$T/2" sync
HPORT=$(free_port)
H="http://127.0.0.1:$HPORT"
stop_central
printf 'mật khẩu bảng điều hành\n' | cosod central console passwd \
	--db "$T/central.db" cb-l >/dev/null 2>&1 || bad "console passwd"
CENTRAL_ARGS="--http 127.0.0.1:$HPORT" start_central
wait_port "$HPORT" 10 || bad "no HTTP port"
same "$(curl -s -o /dev/null -w '%{http_code}' \
	"$H/api/v1/views/overview?period=2025-Q4")" 401 "a view without a session"
same "$(curl -s -c "$T/jar" -o /dev/null -w '%{http_code}' -H "Origin: $H" \
	-H 'Content-Type: application/json' --data-binary \
	'{"cadre":"cb-l","passphrase":"mật khẩu bảng điều hành"}' \
	"$H/console/api/login")" 200 "the office signs in to the console"
curl() { command curl -b "$T/jar" "$@"; }
# Quarantine and devices of today's quarter (the refusal was received
# today): without a period on both sides.
for v in overview coverage proposals quarantine devices trend audit; do
	P="2025-Q4"
	case $v in quarantine | devices) P= ;; esac
	cosod central report "$v" --db "$T/central.db" ${P:+--period "$P"} \
		--format json >"$T/cli-$v.json" 2>"$T/err" ||
		bad "cli $v: $(cat "$T/err")"
	same "$(curl -s -o "$T/http-$v.json" -w '%{http_code}' \
		"$H/api/v1/views/$v${P:+?period=$P}")" 200 "GET view $v"
	cmp -s "$T/cli-$v.json" "$T/http-$v.json" && ok ||
		bad "view $v: HTTP JSON differs from the CLI's"
done
same "$(jq -c '[.total, .by_reason[0].name, .entries[0].cadre]' \
	"$T/cli-quarantine.json")" '[1,"unassigned","cb-2"]' \
	"quarantine: cb-2's stale visit, unassigned"
same "$(jq -c '[.total, .revoked, ([.devices[] | select(.revoked)][0].cadre)]' \
	"$T/cli-devices.json")" '[5,1,"cb-3"]' "devices: 5 keys, cb-3 revoked"
same "$(jq -c '[.handovers[] | [.unit, .from_cadre, .to_cadre, .ended,
	.started, .handover.date, .handover.note]]' "$T/cli-coverage.json")" \
	'[["06040","cb-2","cb-3",20251119,20251120,20251120,"Bàn giao chợ"]]' \
	"coverage: the rotation of 06040 and its handover"
same "$(jq -c '[.total.expected, .total.received, .total.on_time] +
	[.reports[] | select(.status != "missing") | .signature]' \
	"$T/cli-overview.json")" '[4,1,0,"verified"]' \
	"overview 2025-Q4: cb-1, cb-2, cb-3 (rotation), cb-l; cb-1's verified"
same "$(jq -c '[(.quarters | length), .quarters[-1].period]' \
	"$T/cli-trend.json")" '[8,"2025-Q4"]' "trend: eight quarters"
same "$(jq -r .vkey "$T/cli-audit.json")" "$(curl -s "$H/api/v1/vkey")" \
	"audit: the verifier key the API serves"
same "$(curl -s -o /dev/null -w '%{http_code}' \
	"$H/api/v1/views/nothing?period=2025-Q4")" 404 "unknown view: 404"
same "$(curl -s -o /dev/null -w '%{http_code}' \
	"$H/api/v1/views/overview?period=2025-Q9")" 400 "bad period: 400"
same "$(curl -s -o /dev/null -w '%{http_code}' \
	"$H/api/v1/views/overview?period=2025-Q4&format=pdf")" 400 \
	"unknown format: 400"
same "$(curl -s -o /dev/null -w '%{http_code}' \
	"$H/api/v1/views/overview?period=2025-Q4&scope=181")" 400 \
	"a scope asked in the query: refused (the session decides it)"
same "$(curl -s -o /dev/null -w '%{http_code}' -X POST \
	"$H/api/v1/views/overview?period=2025-Q4")" 405 "POST: 405"
same "$(curl -s -D "$T/hdr" -o "$T/ov.csv" -w '%{http_code}' \
	"$H/api/v1/views/overview?period=2025-Q4&format=csv")" 200 "CSV download"
grep -qi '^content-disposition: attachment; filename="overview-2025-Q4.csv"' \
	"$T/hdr" && ok || bad "CSV: not an attachment"
same "$(head -c 3 "$T/ov.csv" | od -An -tx1 | tr -d ' ')" efbbbf "CSV: BOM"
cosod central report overview --db "$T/central.db" --period 2025-Q4 \
	--format csv >"$T/cli-ov.csv"
cmp -s "$T/cli-ov.csv" "$T/ov.csv" && ok || bad "CSV: differs from the CLI's"
same "$(curl -s -o "$T/ov.xlsx" -w '%{http_code}' \
	"$H/api/v1/views/overview?period=2025-Q4&format=xlsx")" 200 \
	"XLSX download"
unzip -l "$T/ov.xlsx" >"$T/zip" 2>&1 && ok || bad "XLSX: not a zip"
grep -q "xl/worksheets/sheet6.xml" "$T/zip" && ok ||
	bad "XLSX: no sixth sheet (the reports)"
unzip -p "$T/ov.xlsx" xl/sharedStrings.xml | grep -q "Phải nộp" && ok ||
	bad "XLSX: no Vietnamese header"
finish
