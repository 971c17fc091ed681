#!/bin/sh
# tests/cli/test_cadre.sh BUILD: the command line as a cadre meets it:
# --help everywhere, dates and numbers as people type them, messages that
# say what to do, in Vietnamese too; tables, exports, a corrected visit and
# the printable report.  Checks exit codes, the rows stored and the bytes
# written.  Prints "cadre-cli: N passed, M failed".
set -u
B=$(cd "${1:-build}" && pwd)
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
COSO_HOME=$T/home
export COSO_HOME
DATA=$ROOT/deploy/data/lang-son-2024.csv
PY=$(command -v python3 || true)
# visits: the number of visits in the store.
visits() {
	"$COSO" status --json | sed -n 's/.*"visits":\([0-9]*\).*/\1/p'
}
# field FILE N: the Nth line of FILE.
line() { sed -n "$2p" "$1"; }

expect 0 "init" "$COSO" init --cadre cb-017 --name "Hoàng Thị Mai"
expect 0 "units" "$COSO" units import "$DATA"

# --- --help after any subcommand: its usage, on stdout, exit 0 ------------
for c in "init" "units list" "units import" "visit add" "visit list" \
	"visit show" "visit amend" "report new" "report edit" "report print" \
	"proposal list" "handover add" "status" "log" "pin" "enroll" "sync" \
	"receipts verify" "admin assign" "admin token" "export" "key generate" \
	"inspect"; do
	# shellcheck disable=SC2086
	expect 0 "$c --help" "$COSO" $c --help
	word=${c%% *}
	contains "$T/out" "coso $word " "$c --help: its usage"
	lacks "$T/err" "unrecognized" "$c --help: no getopt complaint"
	# shellcheck disable=SC2086
	expect 0 "$c -h" "$COSO" $c -h
done
expect 0 "help visit" "$COSO" help visit
contains "$T/out" "coso visit list" "help COMMAND"
expect 0 "vi help" env LANGUAGE=vi "$COSO" visit list --help
contains "$T/out" "cách dùng:" "help in Vietnamese: usage"
contains "$T/out" "lượt đi cơ sở" "help in Vietnamese: what it does"
same "$(visits)" 0 "help recorded nothing"
"$COSO" --store "$T/none" status --help >"$T/out" 2>&1
same "$?" 0 "help needs no store"
[ ! -e "$T/none" ] && ok || bad "help created a store"

# cosod: every group and every central subcommand named in --help.
expect 0 "cosod --help" "$B/cosod" --help
for s in init run stats digest checkpoint rebuild report; do
	grep -q "central .*$s" "$T/out" && ok || bad "cosod --help lacks $s"
done
expect 0 "cosod central run --help" "$B/cosod" central run --help
contains "$T/out" "cosod central checkpoint" "central usage on stdout"
expect 0 "cosod field run --help" "$B/cosod" field run --help
contains "$T/out" "cosod field run [--store DIR]" "field usage"

# cosod central's options: what each mistake says, exit 1, nothing made.
expect 1 "central unknown option" "$B/cosod" central stats --bogus
same "$(head -n 1 "$T/err")" "cosod: unknown option \`--bogus'" \
	"unknown option message"
contains "$T/err" "usage: cosod central stats --db PATH [--json]" \
	"unknown option: the subcommand's usage"
expect 1 "central missing value" "$B/cosod" central init --admin-key x \
	--db
same "$(head -n 1 "$T/err")" "cosod: option \`--db' needs a value" \
	"missing value message"
expect 1 "central missing option" "$B/cosod" central digest --tables
same "$(head -n 1 "$T/err")" "cosod: option \`--db' is required" \
	"missing option message"
expect 1 "central operand" "$B/cosod" central checkpoint --db "$T/c.db" x
same "$(head -n 1 "$T/err")" "cosod: unknown option \`x'" "operand refused"
expect 1 "central short option" "$B/cosod" central vkey -d "$T/c.db"
same "$(head -n 1 "$T/err")" "cosod: unknown option \`-d'" \
	"short option refused"
expect 2 "central --db=PATH" "$B/cosod" central stats --db="$T/none.db"
contains "$T/err" "$T/none.db" "--db=PATH is the path"
expect 1 "report unknown option" "$B/cosod" central report coverage \
	--db "$T/c.db" --bogus
same "$(head -n 1 "$T/err")" "cosod: unknown option \`--bogus'" \
	"report: unknown option message"
expect 1 "report missing value" "$B/cosod" central report coverage --db
same "$(head -n 1 "$T/err")" "cosod: option \`--db' needs a value" \
	"report: missing value message"
[ ! -e "$T/c.db" ] && ok || bad "a usage error made a database"

# --- dates and numbers as people type them --------------------------------
expect 0 "visit d/m/yyyy, 1.500.000" "$COSO" visit add --unit 06043 \
	--date 4/12/2025 --purpose "Kiểm tra đường" --outcome "Đường bê tông" \
	--quantity 600 --quantity-unit m --amount 1.500.000 \
	--lat 21,853210 --lon 106.9
V1=$(cat "$T/out")
expect 0 "visit show json" "$COSO" visit show "$V1" --json
contains "$T/out" '"date":"2025-12-04"' "4/12/2025 is 4 December"
contains "$T/out" '"amount_vnd":1500000' "1.500.000 is 1500000"
contains "$T/out" '"quantity_milli":600000' "600 is 600"
contains "$T/out" '"lat_e6":21853210' "decimal comma"
contains "$T/out" '"lon_e6":106900000' "decimal point"
expect 0 "visit dd/mm/yyyy, 2,5" "$COSO" visit add --unit 06043 \
	--date 05/12/2025 --outcome "Giống cây" --quantity 2,5 \
	--quantity-unit tấn --amount 600000
expect 0 "visit show 2" "$COSO" visit show "$(cat "$T/out")" --json
contains "$T/out" '"quantity_milli":2500' "2,5 is 2.5"
contains "$T/out" '"date":"2025-12-05"' "05/12/2025"
expect 0 "ISO still" "$COSO" visit add --unit 06043 --date 2025-12-06
same "$(visits)" 3 "three visits"
for d in 31/02/2025 4/12/25 12/31/2025 2025/12/04 "4/12-2025"; do
	expect 2 "date $d refused" "$COSO" visit add --unit 06043 --date "$d"
	contains "$T/err" "invalid date \`$d'" "date $d: named"
done
expect 2 "a blank purpose refused" "$COSO" visit add --unit 06043 \
	--date 4/12/2025 --purpose "   "
contains "$T/err" "purpose: empty" "blank purpose: named"
same "$(visits)" 3 "still three visits"
expect 2 "1.500 as a quantity: two readings" "$COSO" visit add \
	--unit 06043 --date 4/12/2025 --outcome x --quantity 1.500
contains "$T/err" "can be read two ways" "ambiguous number explained"
expect 2 "1.50.000 refused" "$COSO" visit add --unit 06043 \
	--date 4/12/2025 --outcome x --amount 1.50.000
contains "$T/err" "invalid value \`1.50.000' for --amount" "bad grouping"
expect 2 "latitude out of range" "$COSO" visit add --unit 06043 \
	--date 4/12/2025 --lat 91 --lon 106
contains "$T/err" "out of range" "range named"
same "$(visits)" 3 "refused input stored nothing"
expect 0 "list --since d/m/yyyy" "$COSO" visit list --since 5/12/2025 --json
same "$(grep -o '"kind":"visit"' "$T/out" | wc -l)" 2 "--since 5/12/2025"

# --- tables: sized by display width, nothing cut, long text wrapped -------
P="Kiểm tra đường bê tông thôn Bản Khiếc, làm việc với Ban quản lý thôn về hỗ trợ xi măng cho 600 m đường"
expect 0 "long visit" "$COSO" visit add --unit 06043 --date 6/12/2025 \
	--purpose "$P" --proposal "Hỗ trợ 20 tấn xi măng cho thôn Bản Khiếc"
expect 0 "vi proposals, 80 columns" env LANGUAGE=vi COLUMNS=80 "$COSO" \
	proposal list
contains "$T/out" "chưa giải quyết" "a state is not cut"
lacks "$T/out" "…" "nothing cut"
expect 0 "visits, 80 columns" env COLUMNS=80 "$COSO" visit list
lacks "$T/out" "…" "visits: nothing cut"
contains "$T/out" "06043  Xã Đào Viên" "codes and names whole"
over=0
while IFS= read -r l; do
	[ "$(printf %s "$l" | wc -m)" -le 80 ] || over=$((over + 1))
done <"$T/out"
same "$over" 0 "every line within 80 columns"
# The wrapped purpose, read back line by line, is the whole text.
col=$(head -1 "$T/out" | awk '{ print index($0, "Purpose") }')
got=$(awk -v c="$col" 'NR > 1 { s = substr($0, c); sub(/ +$/, "", s);
	if (s != "") printf "%s%s", (n++ ? " " : ""), s }' "$T/out" |
	sed "s/^.*Kiểm tra/Kiểm tra/; s/ *Ngắn\$//")
case "$got" in *"$P"*) ok ;; *) bad "wrapped purpose: $got" ;; esac
[ "$(wc -l <"$T/out")" -gt 5 ] && ok || bad "the long purpose did not wrap"
# Piped with no width: one line per row, the text whole.
expect 0 "visits, no terminal" "$COSO" visit list
same "$(wc -l <"$T/out")" 5 "a header and four rows"
contains "$T/out" "$P" "the purpose whole on its line"

# --- the cadre's CSV: Vietnamese headers, real numbers, dd/mm/yyyy -------
expect 0 "export csv" "$COSO" export --format csv --output "$T/x.csv"
# the first visit: 04/12/2025, 600 m, 1.500.000 dong, 21.853210, 106.9
contains "$T/x.csv" "Loại,Mã,Đơn vị,Tên đơn vị,Ngày,Mục đích" "vi visit header"
contains "$T/x.csv" "Lượt đi cơ sở,$V1,06043,Xã Đào Viên,04/12/2025,Kiểm tra đường,"\
	"visit row: date dd/mm/yyyy"
contains "$T/x.csv" ",21.853210,106.900000," "degrees, not millionths"
contains "$T/x.csv" "Loại,Mã,Lượt đi cơ sở,Đơn vị,Ngày,Nội dung,Số lượng,Đơn vị tính,Số tiền (đồng)" \
	"vi outcome header"
contains "$T/x.csv" ",$V1,06043,04/12/2025,Đường bê tông,600,m,1500000" \
	"outcome: 600 and 1500000"
contains "$T/x.csv" ",05/12/2025,Giống cây,2.5,tấn,600000" "2.5, not 2500"
contains "$T/x.csv" ",chưa giải quyết,Lượt đi cơ sở," "a proposal's state"
lacks "$T/x.csv" "lat_e6" "no stored key names"
lacks "$T/x.csv" "quantity_milli" "no stored key names"
lacks "$T/x.csv" "2025-12-04" "no ISO dates"
expect 0 "export csv en" "$COSO" export --format csv --lang en
contains "$T/out" "Kind,ID,Unit,Unit name,Date,Purpose" "--lang en"
contains "$T/out" "Kind,ID,Visit,Unit,Date,Text,Quantity,Quantity unit,Amount (VND)" \
	"--lang en: outcome header"
expect 0 "export csv LANG=en" env LC_ALL= LANG=en_US.UTF-8 "$COSO" export \
	--format csv
contains "$T/out" "Kind,ID,Unit," "LANG=en: English"
expect 0 "export csv LANGUAGE=vi" env LANGUAGE=vi "$COSO" export --format csv
contains "$T/out" "Loại,Mã,Đơn vị," "LANGUAGE=vi: Vietnamese"
expect 1 "export --lang fr" "$COSO" export --format csv --lang fr
expect 0 "export json" "$COSO" export --format json
contains "$T/out" '"quantity_milli":2500' "JSON keeps the stored values"

# --- messages that say what to do, in the cadre's language -----------------
expect 2 "no store" "$COSO" --store "$T/nowhere" visit list
contains "$T/err" "no coso store at \`$T/nowhere'" "no store: named"
contains "$T/err" "coso init --cadre ID --name NAME" "no store: coso init"
contains "$T/err" "--store DIR or COSO_HOME=DIR" "no store: --store, COSO_HOME"
[ ! -e "$T/nowhere" ] && ok || bad "a missing store was created"
expect 2 "vi: no store" env LANGUAGE=vi "$COSO" --store "$T/nowhere" status
contains "$T/err" "không có kho dữ liệu coso" "vi: no store"
contains "$T/err" "coso init" "vi: no store: coso init"

# The library's details in Vietnamese, not in English brackets.
expect 2 "vi: unknown unit" env LANGUAGE=vi "$COSO" visit add --unit 99999 \
	--date 4/12/2025
contains "$T/err" "không ghi được lượt đi cơ sở: unit: mã \`99999': đơn vị không có trong danh mục (hãy nhập danh mục đơn vị trước)" \
	"vi: the detail translated"
lacks "$T/err" "import the unit list" "vi: no English detail"
# An end date before the start is not "a wrong format" (the cadre exists:
# an unknown one is refused first).
expect 0 "the cadre to assign" "$COSO" admin cadre add --id cb-017 \
	--name "Hoàng Thị Mai"
expect 2 "end before start" "$COSO" admin assign --cadre cb-017 \
	--unit 06043 --role in-charge --from 1/5/2025 --to 1/1/2025
contains "$T/err" "the assignment ends before it begins" "end before start"
expect 2 "vi: end before start" env LANGUAGE=vi "$COSO" admin assign \
	--cadre cb-017 --unit 06043 --role in-charge --from 1/5/2025 \
	--to 1/1/2025
contains "$T/err" "ngày kết thúc phân công (--to) trước ngày bắt đầu" \
	"vi: end before start"
lacks "$T/err" "định dạng" "vi: end before start is not a format error"
lacks "$T/err" "(dates:" "vi: no English bracket"
# Text too long is said in characters, which a cadre can count.
long=$(awk 'BEGIN { for (i = 0; i < 3000; i++) printf "Đường "; }')
expect 2 "too long" "$COSO" visit add --unit 06043 --date 4/12/2025 \
	--purpose "$long"
contains "$T/err" "purpose: too long: 18000 characters, of which the first 9830 fit; shorten it by 8170 characters" \
	"too long in characters"
expect 2 "vi: too long" env LANGUAGE=vi "$COSO" visit add --unit 06043 \
	--date 4/12/2025 --purpose "$long"
contains "$T/err" "18000 ký tự, chỉ lưu được 9830 ký tự đầu; hãy bớt 8170 ký tự" \
	"vi: too long in ký tự"
lacks "$T/err" "byte" "vi: no bytes"
same "$(visits)" 4 "refusals stored nothing"

# The central unreachable: said to be safe, nothing acknowledged.
expect 0 "key for a pin" "$COSO" key generate --out "$T/central.key"
expect 0 "pin nowhere" "$COSO" pin --central tcp://127.0.0.1:1 \
	--central-key "$T/central.key.pub"
expect 2 "sync unreachable" "$COSO" sync
contains "$T/err" "central unreachable: tcp://127.0.0.1:1" "unreachable"
contains "$T/err" "nothing is lost: what is recorded stays on this device and is sent at the next \`coso sync'" \
	"unreachable: the data is safe"
same "$(grep -c 'central unreachable' "$T/err")" 1 "said once"
pend=$("$COSO" status --json | sed -n 's/.*"pending":\([0-9]*\).*/\1/p')
same "$pend" 5 "unreachable: the four visits and the cadre wait"
# cosod field run speaks the cadre's language.
LANGUAGE=vi "$B/cosod" field run --interval 60 --max-backoff 1 \
	>"$T/agent.out" 2>"$T/agent.log" &
agent=$!
n=0
while [ $n -lt 50 ] && ! grep -q "thử lại" "$T/agent.log"; do
	sleep 0.1
	n=$((n + 1))
done
kill "$agent" 2>/dev/null
wait "$agent" 2>/dev/null
contains "$T/agent.log" "cosod field: đang chạy" "agent in Vietnamese"
contains "$T/agent.log" "đồng bộ: không kết nối được máy chủ trung tâm" \
	"agent: unreachable in Vietnamese"
contains "$T/agent.log" "vẫn lưu an toàn trên máy" "agent: the data is safe"
contains "$T/agent.log" "cosod field: đã dừng" "agent stopped, in Vietnamese"

# Plurals: one change-set is not "1 change-sets".
expect 0 "second store" "$COSO" --store "$T/one" init --cadre cb-1 \
	--name "Lý Văn Một"
expect 0 "one unit" "$COSO" --store "$T/one" units import "$DATA"
expect 0 "one visit" "$COSO" --store "$T/one" visit add --unit 06043 \
	--date 4/12/2025
expect 0 "log of one" "$COSO" --store "$T/one" log
contains "$T/out" "1 change-set, its signature and link verify" "singular"
expect 0 "two visits" "$COSO" --store "$T/one" visit add --unit 06043 \
	--date 5/12/2025
expect 0 "log of two" "$COSO" --store "$T/one" log
contains "$T/out" "2 change-sets, all signatures and links verify" "plural"

# A sealed key: the passphrase file is named; on a terminal it is asked.
printf 'mật khẩu Lạng Sơn\n' >"$T/pass"
expect 0 "sealed store" "$COSO" --store "$T/sealed" init --cadre cb-2 \
	--name "Nông Văn Hai" --passphrase-file "$T/pass"
expect 0 "sealed units" "$COSO" --store "$T/sealed" units import "$DATA"
expect 2 "no passphrase" "$COSO" --store "$T/sealed" visit add \
	--unit 06043 --date 4/12/2025 </dev/null
contains "$T/err" "passphrase required" "passphrase required"
contains "$T/err" "give it with --passphrase-file FILE" "names --passphrase-file"
if [ -n "$PY" ]; then
	"$PY" "$ROOT/tests/cli/on_tty.py" 'mật khẩu Lạng Sơn' "$COSO" \
		--store "$T/sealed" visit add --unit 06043 --date 4/12/2025 \
		>"$T/tty.out" 2>&1
	same "$?" 0 "asked on the terminal: recorded"
	contains "$T/tty.out" "passphrase of the device key: " "the prompt"
	lacks "$T/tty.out" "Lạng Sơn" "the passphrase is not echoed"
	n=$("$COSO" --store "$T/sealed" status --json |
		sed -n 's/.*"visits":\([0-9]*\).*/\1/p')
	same "$n" 1 "the visit signed with the typed passphrase"
	"$PY" "$ROOT/tests/cli/on_tty.py" 'sai' "$COSO" --store "$T/sealed" \
		visit add --unit 06043 --date 4/12/2025 >"$T/tty.out" 2>&1
	same "$?" 2 "a wrong typed passphrase: refused"
	contains "$T/tty.out" "wrong passphrase" "wrong passphrase said"
fi

# --- a visit corrected: a new visit naming the one it amends --------------
props=$("$COSO" proposal list --json | grep -o '"kind":"proposal"' | wc -l)
expect 0 "visit amend" "$COSO" visit amend "$V1" \
	--purpose "Kiểm tra đường (đã sửa)"
A1=$(cat "$T/out")
expr "$A1" : '[0-9a-f]\{32\}$' >/dev/null && ok || bad "amend: an id printed"
same "$(visits)" 5 "the correction is a new visit"
expect 0 "show the correction" "$COSO" visit show "$A1" --json
contains "$T/out" "\"amends\":\"$V1\"" "it names the visit it amends"
contains "$T/out" '"purpose":"Kiểm tra đường (đã sửa)"' "the field given"
contains "$T/out" '"date":"2025-12-04","purpose"' "the date kept"
contains "$T/out" '"unit":"06043"' "the unit kept"
contains "$T/out" '"lat_e6":21853210,"lon_e6":106900000' "the place kept"
contains "$T/out" '"text":"Đường bê tông","quantity_milli":600000,"quantity_unit":"m","amount_vnd":1500000' \
	"the outcome kept"
same "$("$COSO" proposal list --json | grep -o '"kind":"proposal"' |
	wc -l)" "$props" "its proposals are not raised twice"
expect 0 "the original unchanged" "$COSO" visit show "$V1" --json
contains "$T/out" '"purpose":"Kiểm tra đường",' "the original as it was"
# On another store: outcomes replaced when --outcome is given.
W=$("$COSO" --store "$T/one" visit add --unit 06043 --date 4/12/2025 \
	--purpose "Thăm hộ" --outcome "Bò giống" --quantity 2 \
	--quantity-unit con --amount 30.000.000)
expect 0 "amend outcomes" "$COSO" --store "$T/one" visit amend "$W" \
	--outcome "Bò giống" --quantity 3 --quantity-unit con --date 5/12/2025
expect 0 "show it" "$COSO" --store "$T/one" visit show "$(cat "$T/out")" \
	--json
contains "$T/out" '"quantity_milli":3000,"quantity_unit":"con","amount_vnd":null' \
	"a new outcome starts empty"
lacks "$T/out" "30000000" "the old amount not carried"
contains "$T/out" '"date":"2025-12-05"' "a new date"
head_seq() {
	"$COSO" --store "$1" status --json |
		sed -n 's/.*"head_seq":\([0-9]*\).*/\1/p'
}
before=$(head_seq "$T/one")
expect 1 "--quantity alone" "$COSO" --store "$T/one" visit amend "$W" \
	--quantity 9
contains "$T/err" "follow an --outcome" "quantity needs an outcome"
expect 2 "amend nothing" "$COSO" --store "$T/one" visit amend deadbeef
contains "$T/err" "cannot correct visit: no visit with id" "unknown id"
expect 1 "amend without an id" "$COSO" --store "$T/one" visit amend \
	--purpose x
same "$(head_seq "$T/one")" "$before" "refused corrections signed nothing"

# --- the quarterly report as the Organisation Committee's form -------------
R=$("$COSO" report new --period 2025-Q4 --unit 06043)
expect 0 "results" "$COSO" report edit "$R" --section results --text \
	"Làm 600 m đường <bê tông> & mương
Hỗ trợ 2,5 tấn giống"
expect 0 "situation" "$COSO" report edit "$R" --section situation \
	--text "Tình hình ổn định"
expect 0 "difficulties" "$COSO" report edit "$R" --section difficulties \
	--text "Đường trơn vào mùa mưa"
expect 0 "proposals" "$COSO" report edit "$R" --section proposals \
	--text "Hỗ trợ xi măng"
expect 0 "print a draft" "$COSO" report print "$R" --output "$T/draft.odt"
unzip -p "$T/draft.odt" content.xml >"$T/draft.xml"
contains "$T/draft.xml" "BẢN NHÁP" "a draft says so"
expect 0 "submit" "$COSO" report submit "$R"
expect 0 "print" "$COSO" report print "$R" --output "$T/r.odt"
unzip -tq "$T/r.odt" >/dev/null && ok || bad "not a valid zip"
same "$(unzip -Z1 "$T/r.odt" | tr '\n' ' ')" \
	"mimetype META-INF/manifest.xml styles.xml content.xml " "ODF entries"
same "$(head -c 77 "$T/r.odt" | tail -c 47)" \
	"mimetypeapplication/vnd.oasis.opendocument.text" \
	"mimetype first, stored"
unzip -p "$T/r.odt" content.xml >"$T/r.xml"
lacks "$T/r.xml" "BẢN NHÁP" "submitted: not a draft"
# The text of the form, a line a paragraph or cell, in order.
sed 's/<text:p[^>]*>/\n/g; s/<[^>]*>//g; s/&lt;/</g; s/&gt;/>/g;
	s/&amp;/\&/g' "$T/r.xml" | sed '/^ *$/d' >"$T/r.txt"
want="ĐẢNG BỘ TỈNH LẠNG SƠN
HOÀNG THỊ MAI
*
ĐẢNG CỘNG SẢN VIỆT NAM
BÁO CÁO
Kết quả thực hiện nhiệm vụ theo dõi, phụ trách cơ sở
quý IV năm 2025 – Xã Đào Viên (mã 06043)
I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ
Số liệu trong kỳ (từ ngày 01/10/2025 đến ngày 31/12/2025), các chuyến đi cơ sở của người báo cáo tại Xã Đào Viên và các đơn vị trực thuộc:
Số lượt đi cơ sở
4
Số đơn vị đã đến
1
Số kết quả cụ thể
2
Kinh phí, giá trị hỗ trợ (đồng)
2.100.000
Số kiến nghị, đề xuất
1
Trong đó đã được trả lời, giải quyết
0
Làm 600 m đường <bê tông> & mương
Hỗ trợ 2,5 tấn giống
II. TÌNH HÌNH
Tình hình ổn định
III. KHÓ KHĂN, VƯỚNG MẮC
Đường trơn vào mùa mưa
IV. KIẾN NGHỊ, ĐỀ XUẤT
Hỗ trợ xi măng
Nơi nhận:
NGƯỜI BÁO CÁO
(Ký, ghi rõ họ tên)
Hoàng Thị Mai"
printf '%s\n' "$want" >"$T/want.txt"
grep -x -F -f "$T/want.txt" "$T/r.txt" >"$T/got.txt"
if cmp -s "$T/want.txt" "$T/got.txt"; then ok; else
	bad "the form's text"; diff "$T/want.txt" "$T/got.txt"; fi
grep -q "^Lạng Sơn, ngày [0-3][0-9] tháng \(0[12]\|[3-9]\|1[0-2]\) năm 20[0-9][0-9]\$" \
	"$T/r.txt" && ok || bad "place and date"
contains "$T/r.xml" "Làm 600 m đường &lt;bê tông&gt; &amp; mương" \
	"text escaped as XML"
contains "$T/r.txt" "mã báo cáo $R, cán bộ cb-017" "the report's id"
if [ -n "$PY" ]; then
	for part in content.xml styles.xml META-INF/manifest.xml; do
		unzip -p "$T/r.odt" "$part" | "$PY" -c \
			'import sys, xml.dom.minidom as m; m.parseString(sys.stdin.buffer.read())' \
			&& ok || bad "$part is not well-formed XML"
	done
fi
expect 0 "print flat" "$COSO" report print "$R" --output "$T/r.fodt"
contains "$T/r.fodt" 'office:mimetype="application/vnd.oasis.opendocument.text"' \
	"a flat ODF document"
contains "$T/r.fodt" "IV. KIẾN NGHỊ, ĐỀ XUẤT" "flat: the sections"
if [ -n "$PY" ]; then
	"$PY" -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' \
		"$T/r.fodt" && ok || bad "r.fodt is not well-formed XML"
fi
expect 2 "print to .doc" "$COSO" report print "$R" --output "$T/r.doc"
contains "$T/err" "ends in .odt" "the file kinds named"
[ ! -e "$T/r.doc" ] && ok || bad "a .doc written"
expect 1 "print without --output" "$COSO" report print "$R"
expect 0 "report print --help" "$COSO" report print --help
contains "$T/out" "coso report print ID --output FILE.odt" "print in the usage"
expect 0 "visit amend --help" "$COSO" visit amend --help
contains "$T/out" "coso visit amend ID" "amend in the usage"

echo "cadre-cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
