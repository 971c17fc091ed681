#!/bin/sh
# tests/cli/test_admin.sh BUILD: the admin, pin, enroll, receipts and sync
# commands of the real `coso` binary, without a central: the signed
# change-sets they leave in the outbox, the local rows, the chain still
# verifying, and bad input refused with exit 2 and nothing written.
# Prints "admin-cli: N passed, M failed"; exits non-zero if any failed.
set -u
B=$(cd "${1:-build}" && pwd)
. "$(dirname "$0")/lib.sh"
COSO_HOME=$T/admin
export COSO_HOME
# json value of key from status --json
status_of() {
	"$COSO" status --json 2>/dev/null |
		sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"
}
# ops of change-set SEQ, from `coso log --json`
ops_of() {
	"$COSO" log --json 2>/dev/null |
		sed -n "s/.*\"seq\":$1,.*\"ops\":\([0-9]*\),.*/\1/p"
}
sql() { sqlite3 "$COSO_HOME/store.db" "$1"; }

cat >"$T/units.csv" <<'CSV'
code,name,level,parent_code,valid_from
20,Tỉnh Lạng Sơn,province,,2020-01-01
180,Huyện Tràng Định,district,20,2020-01-01
06043,Xã Đào Viên,commune,180,2020-01-01
182,Huyện Văn Lãng,district,20,2020-01-01
06160,Xã Gia Miễn,commune,182,2020-01-01
CSV

expect 0 "admin init" "$COSO" init --cadre admin --name "Ban Tổ chức"
cp "$T/out" "$T/admin.pub"

# --- units: imported locally and signed --------------------------------
expect 0 "units import" "$COSO" admin units import "$T/units.csv"
contains "$T/out" "5 units imported and signed in 1 change-set" \
	"units summary"
same "$(status_of units)" 5 "units stored locally"
same "$(status_of pending)" 1 "one change-set for the units"
same "$(ops_of 1)" 5 "one op per unit"
# 1200 units: two change-sets (at most 1000 ops each)
{
	echo "code,name,level,parent_code,valid_from"
	echo "20,Tỉnh Lạng Sơn,province,,2020-01-01"
	i=1
	while [ $i -lt 1200 ]; do
		echo "H$i,Hộ số $i,household,06043,2020-01-01"
		i=$((i + 1))
	done
} >"$T/many.csv"
expect 0 "many units" "$COSO" admin units import "$T/many.csv"
contains "$T/out" "1200 units imported and signed in 2 change-sets" \
	"units split"
same "$(ops_of 2)" 1000 "first split change-set"
same "$(ops_of 3)" 200 "second split change-set"
printf 'code,name,level,parent_code,valid_from\nX1,Thử,planet,,2020-01-01\n' \
	>"$T/bad.csv"
expect 2 "bad units" "$COSO" admin units import "$T/bad.csv"
contains "$T/err" "line 2: level" "bad level named"
same "$(status_of pending)" 3 "nothing signed for bad units"

# --- cadres, tokens, assignments, rotation -----------------------------
expect 0 "cadre add" "$COSO" admin cadre add --id cb-001 \
	--name "Nguyễn Văn An" --title "Phó Bí thư" --unit 06043
same "$(sql "SELECT name FROM cadres WHERE cadre_id = 'cb-001'")" \
	"Nguyễn Văn An" "cadre stored"
expect 2 "cadre bad unit" "$COSO" admin cadre add --id cb-002 \
	--name "Lê Thị Bình" --unit 99999
contains "$T/err" "unknown unit" "cadre bad unit message"
expect 2 "cadre id with space" "$COSO" admin cadre add --id "cb 3" \
	--name "X"
expect 1 "cadre no name" "$COSO" admin cadre add --id cb-004
expect 0 "cadre add 2" "$COSO" admin cadre add --id cb-002 \
	--name "Lê Thị Bình" --unit 06160

# Names that are no cadre of this device: refused before signing, with
# the name, and nothing stored or signed (issue 13, item 4).
s0=$(status_of head_seq)
expect 2 "assign nobody" "$COSO" admin assign --cadre nobody --unit 06043 \
	--role in-charge --from 2025-01-01
contains "$T/err" "no cadre \`nobody'" "assign nobody named"
expect 2 "token ghost" "$COSO" admin token --cadre ghost
contains "$T/err" "no cadre \`ghost'" "token ghost named"
same "$(status_of head_seq)" "$s0" "nothing signed for unknown cadres"
same "$(sql "SELECT count(*) FROM assignments")" 0 "no assignment stored"
same "$(sql "SELECT count(*) FROM tokens")" 0 "no token stored"

expect 0 "token" "$COSO" admin token --cadre cb-001 --days 7
tok=$(cat "$T/out")
contains "$T/err" "valid until $(date -u -d '+7 days 7 hours' +%d/%m/%Y)" \
	"token's expiry date printed, dd/mm/yyyy"
same "$(sql "SELECT cadre_id || ' ' || lower(hex(token_hash)) FROM tokens")" \
	"cb-001 $(printf '%s' "$tok" | xxd -r -p | sha256sum | cut -c1-64)" \
	"token kept as its hash"
if printf '%s' "$tok" | grep -q '^[0-9a-f]\{64\}$'; then ok; else
	bad "token is not 64 hex: $tok"; fi
expect 2 "token days" "$COSO" admin token --cadre cb-001 --days 0
expect 1 "token no cadre" "$COSO" admin token

expect 0 "assign" "$COSO" admin assign --cadre cb-001 --unit 06043 \
	--role in-charge --from 2025-01-01 --decision "QĐ 125-QĐ/TU"
a1=$(cat "$T/out")
same "$(sql "SELECT cadre_id || unit || role || valid_from FROM assignments \
	WHERE lower(hex(id)) = '$a1'")" "cb-00106043120250101" "assignment row"
expect 2 "assign bad role" "$COSO" admin assign --cadre cb-001 \
	--unit 06043 --role boss --from 2025-01-01
expect 2 "assign ends before" "$COSO" admin assign --cadre cb-001 \
	--unit 06043 --role monitor --from 2025-05-01 --to 2025-04-01
expect 2 "assign bad date" "$COSO" admin assign --cadre cb-001 \
	--unit 06043 --role monitor --from 2025-02-30

expect 0 "rotate" "$COSO" admin rotate --cadre cb-001 --unit 06043 \
	--to-cadre cb-002 --date 2025-07-01 --note "Bàn giao hồ sơ"
a2=$(cat "$T/out")
same "$(sql "SELECT valid_to FROM assignments WHERE lower(hex(id)) = '$a1'")" \
	20250630 "old assignment ends the day before"
same "$(sql "SELECT cadre_id || valid_from || lower(hex(replaces)) \
	FROM assignments WHERE lower(hex(id)) = '$a2'")" \
	"cb-00220250701$a1" "new assignment replaces the old"
seq=$(status_of head_seq)
same "$(ops_of "$seq")" 2 "rotation is one change-set of two ops"
expect 2 "rotate nobody" "$COSO" admin rotate --cadre cb-009 --unit 06043 \
	--to-cadre cb-002 --date 2025-08-01
contains "$T/err" "no assignment" "rotate nobody message"
expect 2 "rotate to nobody" "$COSO" admin rotate --cadre cb-002 \
	--unit 06043 --to-cadre cb-999 --date 2025-09-01
contains "$T/err" "no cadre \`cb-999'" "rotate to an unknown cadre named"

# --- the office's lists, bulk imports, tokens as QR codes ----------------
# A spreadsheet saved as CSV (with the blank line it ends in): cadres,
# then their assignments; every bad row named with its line, and then
# nothing stored or signed.
printf 'cadre_id,name,title,unit\r\ncb-101,Hoàng Thị Mai,Chủ tịch,06160\r
cb-102,"Lương Văn Tùng, Jr",,06043\r\n\r\n' >"$T/cadres.csv"
printf 'cadre_id,name,title,unit\ncb-201,A,,06043\ncb 2,B,,06043
cb-203,,,06043\ncb-204,D,,99999\ncb-201,E,,06043\n' >"$T/badcadres.csv"
s2=$(status_of head_seq)
expect 2 "cadre import bad" "$COSO" admin cadre import "$T/badcadres.csv"
contains "$T/err" "badcadres.csv: line 3: id:" "bad id row named"
contains "$T/err" "line 4: name: a name is required" "no name row named"
contains "$T/err" "line 5: unit: unknown unit" "unknown unit row named"
contains "$T/err" "line 6: the same cadre_id as line 2" "duplicate named"
contains "$T/err" "4 bad rows: nothing was imported" "bad rows counted"
same "$(sql "SELECT count(*) FROM cadres WHERE cadre_id = 'cb-201'")" 0 \
	"a bad file stores no row, not even its good ones"
same "$(status_of head_seq)" "$s2" "a bad file signs nothing"
expect 0 "cadre import" "$COSO" admin cadre import "$T/cadres.csv"
contains "$T/out" "2 cadres imported and signed in 1 change-sets" \
	"cadre import summary"
same "$(ops_of "$(status_of head_seq)")" 2 "one op per cadre"
same "$(sql "SELECT name FROM cadres WHERE cadre_id = 'cb-102'")" \
	"Lương Văn Tùng, Jr" "quoted name imported"
printf 'cadre_id,unit,sector,role,valid_from,valid_to,decision
cb-101,06160,,in-charge,01/01/2025,,QĐ 7-QĐ/TU
cb-102,06043,,support,2025-01-01,2025-06-30,\n' >"$T/assign.csv"
printf 'cadre_id,unit,sector,role,valid_from,valid_to,decision
cb-999,06160,,in-charge,2025-01-01,,\ncb-101,06160,,boss,2025-01-01,,
cb-101,06160,,monitor,2025-13-01,,\ncb-101,06160,,monitor,2025-05-01,2025-04-01,
' >"$T/badassign.csv"
expect 2 "assignment import bad" "$COSO" admin assignment import \
	"$T/badassign.csv"
contains "$T/err" "line 2: cadre: no cadre \`cb-999'" "unknown cadre row"
contains "$T/err" "line 3: role" "bad role row"
contains "$T/err" "line 4: valid_from" "bad date row"
contains "$T/err" "line 5: dates: the assignment ends before it begins" \
	"reversed dates row"
expect 0 "assignment import" "$COSO" admin assignment import "$T/assign.csv"
contains "$T/out" "2 assignments imported" "assignment import summary"
expect 0 "cadre list" "$COSO" admin cadre list --json
same "$(grep -o '"cadre_id":"[^"]*"' "$T/out" | tr '\n' ' ')" \
	'"cadre_id":"cb-001" "cadre_id":"cb-002" "cadre_id":"cb-101" "cadre_id":"cb-102" ' \
	"every cadre listed"
expect 0 "cadre list table" "$COSO" admin cadre list
contains "$T/out" "Hoàng Thị Mai" "cadre list shows names"
expect 0 "assignment list" "$COSO" admin assignment list --unit cb-101 --json
contains "$T/out" '"role":"in-charge","valid_from":"2025-01-01"' \
	"assignment listed with its role and dates"
contains "$T/out" '"decision":"QĐ 7-QĐ/TU"' "assignment's decision listed"
# The same lists as .xlsx workbooks (written by libxlsxwriter, as the
# central writes its reports), told by their content whatever their
# name: shared strings, a blank row, a name typed decomposed (NFD) stored
# composed, a date cell and a typed date; a bad row named by its sheet
# row, and then nothing stored or signed.
printf 'cadre_id\tname\ttitle\tunit\n\ncb-301\tNo\314\202ng Thi\314\243 Ho\314\202\314\200ng\tBí thư & "Phó"\t06043
cb-302\tLò Văn Páo\t\t06160\n' | "$B/mkxlsx" "$T/cadres.dat"
printf 'cadre_id\tname\ttitle\tunit\ncb-401\tA\t\t06043\n\ncb 4\tB\t\t06043
cb-401\tE\t\t06043\n' | "$B/mkxlsx" "$T/badcadres.xlsx"
s3=$(status_of head_seq)
expect 2 "xlsx cadre import bad" "$COSO" admin cadre import \
	"$T/badcadres.xlsx"
contains "$T/err" "badcadres.xlsx: row 4: id:" "xlsx bad row named by its row"
contains "$T/err" "row 5: the same cadre_id as row 2" \
	"xlsx duplicate named by its rows"
contains "$T/err" "2 bad rows: nothing was imported" "xlsx bad rows counted"
same "$(sql "SELECT count(*) FROM cadres WHERE cadre_id = 'cb-401'")" 0 \
	"a bad workbook stores no row, not even its good ones"
same "$(status_of head_seq)" "$s3" "a bad workbook signs nothing"
head -c 1500 "$T/cadres.dat" >"$T/cut.xlsx"
expect 2 "xlsx truncated" "$COSO" admin cadre import "$T/cut.xlsx"
contains "$T/err" "truncated" "a truncated workbook refused"
same "$(status_of head_seq)" "$s3" "a truncated workbook signs nothing"
expect 0 "xlsx cadre import" "$COSO" admin cadre import "$T/cadres.dat"
contains "$T/out" "2 cadres imported and signed in 1 change-sets" \
	"xlsx cadre import summary"
same "$(sql "SELECT name || '|' || title FROM cadres WHERE cadre_id = 'cb-301'")" \
	'Nông Thị Hồng|Bí thư & "Phó"' "xlsx text stored in NFC"
printf 'cadre_id\tunit\tsector\trole\tvalid_from\tvalid_to\tdecision
cb-301\t06043\t\tin-charge\t#d:2025-02-01\t\tQĐ 9 <b>
cb-302\t06160\t\tmonitor\t01/03/2025\t#d:2025-12-31\t\n' |
	"$B/mkxlsx" -i "$T/assign.xlsx"
printf 'cadre_id\tunit\tsector\trole\tvalid_from\tvalid_to\tdecision\n\n
cb-301\t06160\t\tboss\t#d:2025-02-01\t\t\n' | "$B/mkxlsx" "$T/badassign.xlsx"
expect 2 "xlsx assignment import bad" "$COSO" admin assignment import \
	"$T/badassign.xlsx"
contains "$T/err" "badassign.xlsx: row 4: role" "xlsx bad role row named"
expect 0 "xlsx assignment import" "$COSO" admin assignment import \
	"$T/assign.xlsx"
contains "$T/out" "2 assignments imported" "xlsx assignment import summary"
expect 0 "xlsx assignment list" "$COSO" admin assignment list --unit cb-301 \
	--json
contains "$T/out" '"role":"in-charge","valid_from":"2025-02-01"' \
	"xlsx date cell imported as a date"
contains "$T/out" '"decision":"QĐ 9 <b>"' "xlsx inline string imported"
expect 0 "xlsx assignment list 2" "$COSO" admin assignment list --unit \
	cb-302 --json
contains "$T/out" '"valid_from":"2025-03-01","valid_to":"2025-12-31"' \
	"xlsx typed date and date cell imported"
# A token as a QR code: in the terminal after the token's line, and as
# a PNG that a phone (here zbarimg, as `coso enroll --token-qr') reads
# back to the same token.
expect 0 "token qr" "$COSO" admin token --cadre cb-101 --qr --png "$T/t.png"
tq=$(head -1 "$T/out")
if printf '%s' "$tq" | grep -q '^[0-9a-f]\{64\}$'; then ok; else
	bad "token --qr: first line is not the token"; fi
same "$(sed -n 2p "$T/out" | grep -c '█')" 1 "QR code drawn in the terminal"
same "$(zbarimg -q --raw "$T/t.png" 2>/dev/null)" "$tq" "PNG reads back"
same "$(stat -c %a "$T/t.png")" 600 "the PNG of a secret is private"
expect 0 "token list" "$COSO" admin token list --json
same "$(grep -o '"state":"open"' "$T/out" | wc -l | tr -d ' ')" 2 \
	"two open tokens listed"
lacks "$T/out" "$tq" "a token is never listed"
expect 0 "device list" "$COSO" admin device list --json
same "$(cat "$T/out")" "[]" "no device known before a sync"

# --- revocation and responses ------------------------------------------
kid=$(printf '%064d' 7)
expect 0 "revoke full id" "$COSO" admin revoke --key "$kid" --reason "mất máy"
expect 2 "revoke unknown short" "$COSO" admin revoke --key 0123456789abcdef
contains "$T/err" "full key id" "short id needs a known key"
expect 2 "revoke malformed" "$COSO" admin revoke --key xyz
# Keys a pull brought: revoked by the first 8 digits when unique, an
# ambiguous start refused naming both.
sql "INSERT INTO keys (key_id, cadre_id, role) VALUES
	(x'$(printf 'ab12cd34%056d' 1)', 'cb-001', 1),
	(x'$(printf 'ee55ee55%056d' 2)', 'cb-002', 1),
	(x'$(printf 'ee55ee55%056d' 3)', 'cb-002', 1)"
expect 0 "revoke by 8 digits" "$COSO" admin revoke --key ab12cd34 \
	--reason "mất máy"
same "$(sql "SELECT revoked FROM keys WHERE lower(hex(key_id)) LIKE
	'ab12cd34%'")" 1 "the key revoked by its first 8 digits"
expect 2 "revoke ambiguous" "$COSO" admin revoke --key ee55ee55
contains "$T/err" "$(printf 'ee55ee55%056d' 2), $(printf 'ee55ee55%056d' 3)" \
	"ambiguous key: candidates named in full"
expect 0 "respond" "$COSO" admin respond 0123456789abcdef0123456789abcdef \
	--status resolved --text "Đã bố trí kinh phí"
# Proposals as a pull brings them to the office's device: answered by 8
# hex digits (README), a prefix shared by two refused naming both.
sql "INSERT INTO proposals (id, source, source_kind, unit, text, date,
	author) VALUES
	(x'80836ffa00000000000000000000000a', x'01', 'visit', '06043',
	 'Sửa cầu treo', 20251010, 'cb-001'),
	(x'5a5a5a5a00000000000000000000000b', x'02', 'visit', '06043',
	 'Cấp giống ngô', 20251011, 'cb-001'),
	(x'5a5a5a5a00000000000000000000000c', x'03', 'visit', '06043',
	 'Xi măng', 20251012, 'cb-001')"
expect 0 "respond by 8 digits" "$COSO" admin respond 80836ffa \
	--status answered --text "Đã chuyển Sở Giao thông"
same "$(sql "SELECT status || ' ' || response FROM proposals WHERE
	lower(hex(id)) LIKE '80836ffa%'")" "answered Đã chuyển Sở Giao thông" \
	"the proposal answered by its short id"
sr=$(status_of head_seq)
same "$(ops_of "$sr")" 1 "the response is one op"
expect 2 "respond ambiguous" "$COSO" admin respond 5a5a5a5a \
	--status answered --text x
contains "$T/err" "5a5a5a5a00000000000000000000000b" "first candidate named"
contains "$T/err" "5a5a5a5a00000000000000000000000c" "second candidate named"
expect 2 "respond unknown short" "$COSO" admin respond deadbeef \
	--status answered --text x
contains "$T/err" "coso sync" "unknown short id: sync named"
same "$(status_of head_seq)" "$sr" "refused responses sign nothing"
expect 2 "respond bad status" "$COSO" admin respond \
	0123456789abcdef0123456789abcdef --status maybe --text x
expect 2 "respond bad id" "$COSO" admin respond 0123 --status answered \
	--text x
expect 1 "admin usage" "$COSO" admin frobnicate

# every write above is one signed change-set; the chain verifies
same "$(status_of pending)" "$(status_of head_seq)" "all pending"
same "$(status_of head_seq)" 17 "seventeen change-sets signed"
expect 0 "log verifies" "$COSO" log
contains "$T/out" "all signatures and links verify" "chain verifies"

# --- pin, enroll, receipts, sync without a central ---------------------
expect 2 "receipts verify unpinned" "$COSO" receipts verify
expect 2 "sync unpinned" "$COSO" sync
contains "$T/err" "no central key pinned" "sync needs a pin"
expect 0 "central key" "$COSO" key generate --out "$T/central.key"
expect 0 "other key" "$COSO" key generate --out "$T/other.key"
expect 0 "pin" "$COSO" pin --central tcp://127.0.0.1:9 \
	--central-key "$T/central.key.pub"
expect 0 "pin same again" "$COSO" pin --central-key "$T/central.key.pub"
expect 2 "pin other" "$COSO" pin --central-key "$T/other.key.pub"
contains "$T/err" "--force" "pin other needs force"
expect 0 "pin other forced" "$COSO" pin --central-key "$(cat "$T/other.key.pub")" \
	--force
expect 2 "pin garbage" "$COSO" pin --central-key "not a key"
expect 2 "enroll short" "$COSO" enroll abcd
# queued: the token queued now, then forgotten for the next case.
queued() {
	sql "SELECT value FROM meta WHERE key = 'enroll_token'"
	sql "DELETE FROM meta WHERE key = 'enroll_token'"
}
# The token as an argument works, with a warning: `ps' shows it.
expect 0 "enroll" "$COSO" enroll "$tok"
contains "$T/err" "shows in \`ps'" "enroll argument warned"
same "$(queued)" "$tok" "token queued"
# From a file, standard input or a QR image: no warning.
printf '%s\n' "$tok" >"$T/token"
expect 0 "enroll file" "$COSO" enroll --token-file "$T/token"
same "$(queued)" "$tok" "token from a file"
lacks "$T/err" "warning" "enroll file not warned"
expect 0 "enroll -" sh -c '"$0" enroll - <"$1"' "$COSO" "$T/token"
same "$(queued)" "$tok" "token from stdin (-)"
expect 0 "enroll stdin" sh -c 'printf "  %s\r\n" "$1" | "$0" enroll' \
	"$COSO" "$tok"
same "$(queued)" "$tok" "token from a pipe, white space dropped"
qrencode -o "$T/token.png" "$tok"
expect 0 "enroll qr" "$COSO" enroll --token-qr "$T/token.png"
same "$(queued)" "$tok" "token from a QR image"
# Refused, nothing queued: no code in the image, not an image, a
# missing file, a file that is not a token, two sources.
qrencode -o "$T/other.png" "not a token"
printf 'x' >"$T/bad.png"
expect 2 "enroll qr other" "$COSO" enroll --token-qr "$T/other.png"
expect 2 "enroll qr bad" "$COSO" enroll --token-qr "$T/bad.png"
contains "$T/err" "cannot read QR image" "enroll qr bad message"
expect 2 "enroll qr missing" "$COSO" enroll --token-qr "$T/nope.png"
expect 2 "enroll file missing" "$COSO" enroll --token-file "$T/nope"
head -c 5000 /dev/zero >"$T/big"
expect 2 "enroll file big" "$COSO" enroll --token-file "$T/big"
expect 1 "enroll two sources" "$COSO" enroll --token-file "$T/token" "$tok"
same "$(queued)" "" "nothing queued by a refusal"
expect 0 "enroll again" "$COSO" enroll --token-file "$T/token"
# A device with a token waiting is a field device (a token enrolls a
# field key): admin commands are refused before signing (item 8).
s1=$(status_of head_seq)
expect 2 "admin with a field token" "$COSO" admin sector add --code X2 \
	--name "Thử"
contains "$T/err" "field key" "field device refusal says why"
same "$(status_of head_seq)" "$s1" "field device signed nothing"
expect 0 "receipts list" "$COSO" receipts list --json
same "$(cat "$T/out")" "[]" "no receipts yet"
expect 0 "receipts verify" "$COSO" receipts verify
expect 2 "sync unreachable" "$COSO" sync
contains "$T/err" "central unreachable" "unreachable message"
expect 2 "sync json" "$COSO" sync --json
contains "$T/out" '"ok":false' "sync json not ok"
contains "$T/out" '"pending":17' "sync json pending"
same "$(status_of pending)" 17 "nothing acknowledged"

echo "admin-cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
