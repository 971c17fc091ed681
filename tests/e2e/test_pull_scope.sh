#!/usr/bin/env bash
# test_pull_scope.sh BUILD: what a device pulls is what it needs.  A
# commune cadre's first sync brings its unit, the villages below and the
# ancestors above, itself and its assignment, not the other district;
# a new assignment brings the new unit's tree (the newest name, not the
# first), the cadres assigned there and the unit's records, although
# the device's cursor had passed them all; a second sync pulls nothing.
# After a rotation the outgoing cadre's device learns the incoming cadre
# and leaves them a handover note.  The office's device pulls the whole
# province.
NAME=e2e-pull-scope
. "$(dirname "$0")/lib.sh"

PORT=$(free_port)
URL="tcp://127.0.0.1:$PORT"
A="$T/admin"
dsql() { sqlite3 "$T/$1/store.db" "$2"; }
codes() { dsql "$1" "SELECT group_concat(code, ' ') FROM
	(SELECT code FROM units ORDER BY code)"; }
cadres() { dsql "$1" "SELECT group_concat(cadre_id, ' ') FROM
	(SELECT cadre_id FROM cadres ORDER BY cadre_id)"; }
TODAY=$(date +%d/%m/%Y)

run_ok "admin init" coso --store "$A" init --cadre admin --name "Ban Tổ chức"
cp "$T/out" "$T/admin.pub"
run_ok "central init" cosod central init --db "$T/central.db" \
	--admin-key "$T/admin.pub" --origin langson.example/coso/scope
cp "$T/out" "$T/central.pub"
run_ok "admin pin" coso --store "$A" pin --central "$URL" \
	--central-key "$T/central.pub"
# The office's device as it was before it signed anything.
cp -a "$A" "$T/office"

# The tree one branch a file, as an office imports a district at a time:
# each file is a change-set of its own.
H=code,name,level,parent_code,valid_from
printf '%s\n' $H "20,Tỉnh Lạng Sơn,province,,2020-01-01" \
	"180,Huyện Tràng Định,district,20,2020-01-01" \
	"182,Huyện Văn Lãng,district,20,2020-01-01" >"$T/top.csv"
printf '%s\n' $H "06043,Xã Đào Viên,commune,180,2020-01-01" \
	"T1,Thôn Nà Pò,village,06043,2020-01-01" \
	"T2,Thôn Bản Piềng,village,06043,2020-01-01" >"$T/a.csv"
printf '%s\n' $H "06160,Xã Gia Miễn,commune,182,2020-01-01" \
	"G1,Thôn Khòn Coọng,village,06160,2020-01-01" >"$T/b.csv"
printf '%s\n' $H "06100,Xã Tân Mỹ,commune,182,2020-01-01" >"$T/c.csv"
for f in top a b c; do
	run_ok "units $f" coso --store "$A" admin units import "$T/$f.csv"
done
run_ok "cadre a" coso --store "$A" admin cadre add --id cb-a \
	--name "Nông Văn An" --unit 06043
run_ok "cadre b" coso --store "$A" admin cadre add --id cb-b \
	--name "Hoàng Thị Bích" --unit 06160
run_ok "cadre o" coso --store "$A" admin cadre add --id cb-o \
	--name "Lương Văn Ơn" --unit 06160
run_ok "assign a" coso --store "$A" admin assign --cadre cb-a --unit 06043 \
	--role in-charge --from 1/1/2025
run_ok "assign b" coso --store "$A" admin assign --cadre cb-b --unit 06160 \
	--role in-charge --from 1/1/2025
for c in a b; do
	coso --store "$A" admin token --cadre "cb-$c" >"$T/token-$c" 2>/dev/null
done
start_central
run_ok "admin sync" coso --store "$A" sync

# b records a visit on Gia Miễn; the office renames it afterwards.
run_ok "init b" coso --store "$T/b" init --cadre cb-b --name "Bích" \
	--central "$URL" --central-key "$T/central.pub"
run_ok "enroll b" coso --store "$T/b" enroll --token-file "$T/token-b"
run_ok "sync b" coso --store "$T/b" sync
run_ok "visit b" coso --store "$T/b" visit add --unit 06160 \
	--date "$TODAY" --purpose "Kiểm tra kênh mương"
run_ok "sync b 2" coso --store "$T/b" sync
# (Both districts were signed in one change-set, pulled whole.)
same "$(codes b)" "06160 180 182 20 G1" "b: its commune, village, ancestors"
sed -i 's/Xã Gia Miễn/Xã Gia Miễn Mới/' "$T/b.csv"
run_ok "rename" coso --store "$A" admin units import "$T/b.csv"
run_ok "admin sync 2" coso --store "$A" sync

# a's first sync: its branch only.
run_ok "init a" coso --store "$T/a" init --cadre cb-a --name "An" \
	--central "$URL" --central-key "$T/central.pub"
run_ok "enroll a" coso --store "$T/a" enroll --token-file "$T/token-a"
run_ok "first sync a" coso --store "$T/a" sync
same "$(codes a)" "06043 180 182 20 T1 T2" \
	"a: its commune, villages, ancestors, not the other district's"
same "$(cadres a)" "cb-a" "a: no cadre of the other district"
same "$(dsql a "SELECT count(*) FROM assignments")" 1 "a: its assignment"
same "$(dsql a "SELECT count(*) FROM visits")" 0 "a: no record of 06160"

# A new assignment after the first sync: what it brings into scope
# arrives, although the cursor had passed it.
run_ok "assign a 06160" coso --store "$A" admin assign --cadre cb-a \
	--unit 06160 --role monitor --from 1/1/2025
run_ok "admin sync 3" coso --store "$A" sync
run_ok "sync a 2" coso --store "$T/a" sync
same "$(codes a)" "06043 06160 180 182 20 G1 T1 T2" \
	"a: the new unit, its village and district, not its sibling"
same "$(dsql a "SELECT name FROM units WHERE code = '06160'")" \
	"Xã Gia Miễn Mới" "a: the unit's newest name"
same "$(cadres a)" "cb-a cb-b" "a: the cadre assigned to the new unit"
same "$(dsql a "SELECT purpose FROM visits WHERE unit = '06160'")" \
	"Kiểm tra kênh mương" "a: the new unit's visit"
same "$(dsql a "SELECT count(*) FROM assignments")" 2 "a: both assignments"
run_ok "sync a 3" coso --store "$T/a" sync --json
same "$(json_get "$T/out" pulled)" 0 "a: nothing more to pull"
same "$(codes a)" "06043 06160 180 182 20 G1 T1 T2" "a: unchanged"

# Rotation: b hands 06160 over to o, whose row b's device passed over.
same "$(cadres b)" "cb-b" "b: o unknown before the rotation"
run_ok "rotate" coso --store "$A" admin rotate --cadre cb-b --unit 06160 \
	--to-cadre cb-o --date "$TODAY"
run_ok "admin sync 4" coso --store "$A" sync
run_ok "sync b 3" coso --store "$T/b" sync
same "$(cadres b)" "cb-a cb-b cb-o" "b: the incoming cadre, and a"
run_ok "handover" coso --store "$T/b" handover add --unit 06160 \
	--text "Bàn giao hồ sơ kênh mương" --to cb-o
run_ok "sync b 4" coso --store "$T/b" sync --json
same "$(json_get "$T/out" accepted)" 1 "the handover accepted"
run_ok "sync a 4" coso --store "$T/a" sync
same "$(dsql a "SELECT to_cadre FROM handovers")" cb-o \
	"a: the handover on 06160"

# The office's device pulls the whole province.
run_ok "office sync" coso --store "$T/office" sync
same "$(codes office)" "06043 06100 06160 180 182 20 G1 T1 T2" \
	"office: every unit"
same "$(cadres office)" "cb-a cb-b cb-o" "office: every cadre"
same "$(dsql office "SELECT count(*) FROM assignments")" 4 \
	"office: every assignment"

finish
