#!/usr/bin/env bash
# test_cadre.sh BUILD: a corrected visit end to end.  The cadre's
# correction (`coso visit amend') reaches the central as a visit naming
# the one it amends and is accepted; another cadre of the same commune,
# who pulled that visit, cannot correct it (refused on the device, nothing
# signed); the printed report counts the corrected visit once.
NAME=e2e-cadre
. "$(dirname "$0")/lib.sh"

PORT=$(free_port)
URL="tcp://127.0.0.1:$PORT"
DATA="$ROOT/deploy/data/lang-son-2024.csv"
csql() { sqlite3 "$T/central.db" "$1"; }
head_seq() {
	coso --store "$1" status --json | sed -n 's/.*"head_seq":\([0-9]*\).*/\1/p'
}

run_ok "admin init" coso --store "$T/admin" init --cadre admin \
	--name "Ban Tổ chức Tỉnh ủy"
cp "$T/out" "$T/admin.pub"
run_ok "central init" cosod central init --db "$T/central.db" \
	--admin-key "$T/admin.pub" --origin langson.example/coso/cadre
cp "$T/out" "$T/central.pub"
run_ok "admin pin" coso --store "$T/admin" pin --central "$URL" \
	--central-key "$T/central.pub"
run_ok "admin units" coso --store "$T/admin" admin units import "$DATA"
for c in mai lan; do
	run_ok "cadre $c" coso --store "$T/admin" admin cadre add \
		--id "cb-$c" --name "Cán bộ $c"
	coso --store "$T/admin" admin token --cadre "cb-$c" >"$T/token-$c"
	run_ok "assign $c" coso --store "$T/admin" admin assign --cadre "cb-$c" \
		--unit 06043 --role in-charge --from 1/1/2025
	run_ok "init $c" coso --store "$T/$c" init --cadre "cb-$c" \
		--name "Cán bộ $c" --central "$URL" --central-key "$T/central.pub"
	run_ok "units $c" coso --store "$T/$c" units import "$DATA"
	run_ok "enroll $c" coso --store "$T/$c" enroll --token-file "$T/token-$c"
done
start_central
run_ok "admin sync" coso --store "$T/admin" sync

run_ok "visit" coso --store "$T/mai" visit add --unit 06043 \
	--date 4/12/2025 --purpose "Kiểm tra đường" --outcome "Đường bê tông" \
	--quantity 600 --quantity-unit m --amount 1.500.000
V=$(cat "$T/out")
run_ok "mai sync" coso --store "$T/mai" sync
run_ok "amend" coso --store "$T/mai" visit amend "$V" \
	--outcome "Đường bê tông" --quantity 650 --quantity-unit m \
	--amount 1.500.000 --purpose "Kiểm tra đường (sửa số mét)"
A=$(cat "$T/out")
run_ok "mai sync the correction" coso --store "$T/mai" sync --json
grep -q '"quarantined":0' "$T/out" && ok || bad "the correction quarantined"
same "$(pending "$T/mai")" 0 "the correction acknowledged"
same "$(csql "SELECT hex(amends) FROM visits WHERE id = x'$A'")" \
	"${V^^}" "the central holds the correction naming the visit"
same "$(csql "SELECT purpose FROM visits WHERE id = x'$A'")" \
	"Kiểm tra đường (sửa số mét)" "the corrected purpose"
same "$(csql "SELECT quantity FROM outcomes WHERE visit = x'$A'")" 650000 \
	"the corrected outcome"
same "$(csql "SELECT count(*) FROM visits WHERE id = x'$V'")" 1 \
	"the original stays in the log's view"

# Lan, on the same commune, pulls Mai's visit and cannot correct it.
run_ok "lan sync" coso --store "$T/lan" sync
run_ok "lan sees it" coso --store "$T/lan" visit show "$V" --json
grep -q '"author":"cb-mai"' "$T/out" && ok || bad "lan did not pull the visit"
before=$(head_seq "$T/lan")
run_code 2 "lan corrects mai's visit" coso --store "$T/lan" visit amend "$V" \
	--purpose "Sửa hộ"
grep -q "only this cadre's own visit can be corrected" "$T/err" && ok ||
	bad "the reason not given"
same "$(head_seq "$T/lan")" "$before" "nothing signed"

# Mai's report counts the corrected visit once, with its new outcome.
R=$(coso --store "$T/mai" report new --period 2025-Q4 --unit 06043)
for s in results situation difficulties proposals; do
	coso --store "$T/mai" report edit "$R" --section $s --text "Phần $s"
done
run_ok "print" coso --store "$T/mai" report print "$R" --output "$T/r.odt"
unzip -p "$T/r.odt" content.xml | sed 's/<text:p[^>]*>/\n/g; s/<[^>]*>//g' \
	>"$T/r.txt"
same "$(grep -A1 -x 'Số lượt đi cơ sở' "$T/r.txt" | tail -1)" 1 \
	"the corrected visit counted once"
same "$(grep -A1 -x 'Số kết quả cụ thể' "$T/r.txt" | tail -1)" 1 \
	"its outcome once"
same "$(grep -A1 -x 'Kinh phí, giá trị hỗ trợ (đồng)' "$T/r.txt" |
	tail -1)" "1.500.000" "its amount once"

finish
