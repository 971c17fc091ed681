#!/usr/bin/env bash
# test_clock.sh BUILD: last-writer-wins with device clocks far off, under
# faketime, on the real programs.  Four office devices (admin keys) edit
# the name of the same cadres; the central runs on the right clock.
#   +400 days: b's edit is accepted and logged, but weighed at the time
#     the central received it, so a's later edit wins;
#   -400 days: c pulls a's edit, then corrects it: c's HLC took in what
#     it pulled and the central's time, so the correction wins;
#   a jump: d edits at +400 days, a edits after it and wins, d's clock
#     comes back, d edits again and wins, signed at the right time again.
# Each device is told (status --json), the office sees each device's
# clock (stats --json), and a rebuild of the log gives the same state.
NAME=e2e-clock
. "$(dirname "$0")/lib.sh"

PORT=$(free_port)
URL="tcp://127.0.0.1:$PORT"
DATA="$ROOT/deploy/data/lang-son-2024.csv"
DAY=86400000
if ! command -v faketime >/dev/null 2>&1; then
	echo "$NAME: SKIPPED: faketime not installed (deploy/install-deps.sh)"
	exit 0
fi

# at OFFSET CMD...: CMD with the wall clock OFFSET away ("" for none);
# nng's timers keep the real monotonic clock.
at() {
	_off=$1
	shift
	if [ -z "$_off" ]; then "$@"; else
		faketime -m --exclude-monotonic "$_off" "$@"; fi
}
# name CADRE: the cadre's name at the central
name() {
	sqlite3 "$T/central.db" "SELECT name FROM cadres WHERE cadre_id = '$1'"
}
# edit DEVICE OFFSET CADRE NAME: a new name for the cadre, signed and
# synced by DEVICE with its clock OFFSET away
edit() {
	run_ok "$1 edits $3" at "$2" "$B/coso" --store "$T/$1" admin cadre add \
		--id "$3" --name "$4"
	run_ok "$1 syncs" at "$2" "$B/coso" --store "$T/$1" sync
}
# status DEVICE KEY: an integer or boolean of the device's status --json
status() {
	"$B/coso" --store "$T/$1" status --json |
		sed -n "s/.*\"$2\":\(-\{0,1\}[0-9a-z]*\).*/\1/p"
}
# clock CADRE KEY: a field of the cadre's key in the central's stats
clock() {
	grep "\"cadre_id\": \"$1\"" "$T/stats.json" |
		sed -n "s/.*\"$2\": \(-\{0,1\}[0-9a-z]*\).*/\1/p"
}
# ahead DEVICE: days its last change-set's HLC was ahead of its receipt
ahead() {
	sqlite3 "$T/central.db" "SELECT ((c.hlc >> 16) - c.received_ms) / $DAY
		FROM changesets c JOIN authors a ON a.key_id = c.author
		WHERE a.cadre_id = 'admin-$1' ORDER BY c.position DESC LIMIT 1"
}

# --- the province and four office devices -------------------------------
run_ok "admin init" coso --store "$T/a" init --cadre admin --name "Văn phòng"
cp "$T/out" "$T/a.pub"
run_ok "central init" cosod central init --db "$T/central.db" \
	--admin-key "$T/a.pub" --origin langson.example/coso/clock
cp "$T/out" "$T/central.pub"
run_ok "pin a" coso --store "$T/a" pin --central "$URL" \
	--central-key "$T/central.pub"
run_ok "units" coso --store "$T/a" admin units import "$DATA"
for c in cb-x cb-y cb-z; do
	run_ok "cadre $c" coso --store "$T/a" admin cadre add --id "$c" \
		--name "Tên gốc"
done
for d in b c d; do
	run_ok "init $d" coso --store "$T/$d" init --cadre "admin-$d" \
		--name "Văn phòng $d" --central "$URL" \
		--central-key "$T/central.pub"
	run_ok "$d made an admin" "$B/mkcs" admin-key "$T/a" "$T/$d/device.pub" \
		"admin-$d"
done
start_central
run_ok "a syncs" coso --store "$T/a" sync
for d in b c d; do
	run_ok "$d syncs" coso --store "$T/$d" sync
	same "$(status "$d" units)" "$(status a units)" "$d pulled the units"
done

# --- +400 days: accepted and logged, weighed at its received time ------
edit b "+400 days" cb-x "B ở tương lai"
same "$(name cb-x)" "B ở tương lai" "+400: b's edit accepted"
same "$(status b clamped)" 1 "+400: b told its stamp was clamped"
same "$(status b clock_ok)" false "+400: b told its clock is wrong"
s=$(status b skew_ms)
[ "$((s / DAY))" -le -399 ] && [ "$((s / DAY))" -ge -401 ] && ok ||
	bad "+400: b's skew $s ms"
edit a "" cb-x "A sửa sau"
same "$(name cb-x)" "A sửa sau" \
	"+400: a's later edit wins over b's clock 400 days ahead"
same "$(sqlite3 "$T/central.db" "SELECT count(*) FROM changesets
	WHERE (hlc >> 16) > received_ms + 300000")" 1 \
	"+400: the log keeps b's signed stamp as it was"

# --- -400 days: what c saw before its correction is older -------------
edit a "" cb-y "A trước"
run_ok "c pulls a's edit" at "-400 days" "$B/coso" --store "$T/c" sync
edit c "-400 days" cb-y "C sửa sau"
same "$(name cb-y)" "C sửa sau" \
	"-400: c's correction, made after it pulled a's edit, wins"
same "$(status c clock_ok)" false "-400: c told its clock is wrong"
same "$(status c clamped)" 0 "-400: nothing of c clamped"
s=$(status c skew_ms)
[ "$((s / DAY))" -ge 399 ] && [ "$((s / DAY))" -le 401 ] && ok ||
	bad "-400: c's skew $s ms"

# --- a jump: ahead, then right again -----------------------------------
edit d "+400 days" cb-z "D nhảy tới"
same "$(name cb-z)" "D nhảy tới" "jump: d's edit accepted"
edit a "" cb-z "A sau cú nhảy"
same "$(name cb-z)" "A sau cú nhảy" "jump: a's later edit wins"
run_ok "d back on time pulls" coso --store "$T/d" sync
edit d "" cb-z "D đúng giờ lại"
same "$(name cb-z)" "D đúng giờ lại" "jump: d's edit on time wins"
same "$(ahead d)" 0 "jump: d signs at the right time again"
same "$(status d clock_ok)" true "jump: d's clock right again"
same "$(status d clamped)" 1 "jump: d's first edit was clamped"

# --- the office sees each device's clock -------------------------------
cosod central stats --db "$T/central.db" --json >"$T/stats.json"
same "$(clock admin-b clock_ok)/$(clock admin-b clamped)" false/1 \
	"stats: b's clock wrong, one clamped"
same "$(clock admin-c clock_ok)/$(clock admin-c clamped)" false/0 \
	"stats: c's clock wrong"
same "$(clock admin-d clock_ok)/$(clock admin-d clamped)" true/1 \
	"stats: d's clock right, one clamped"
same "$(clock admin clock_ok)/$(clock admin clamped)" true/0 \
	"stats: a's clock right"
s=$(clock admin-b skew_ms)
[ "$((s / DAY))" -le -399 ] && ok || bad "stats: b's skew $s ms"
LANGUAGE=en coso --store "$T/b" status >"$T/st.txt"
grep -Eq "^Clock: WRONG, (399|400) days ahead of the central's" "$T/st.txt" && ok ||
	bad "status: b's clock line: $(grep Clock "$T/st.txt")"

# --- a rebuild of the log weighs alike ----------------------------------
stop_central
run_ok "rebuild" cosod central rebuild --db "$T/central.db" \
	--out "$T/rebuilt.db"
run_ok "digest" cosod central digest --db "$T/central.db"
cp "$T/out" "$T/digest.live"
run_ok "digest rebuilt" cosod central digest --db "$T/rebuilt.db"
same "$(cat "$T/out")" "$(cat "$T/digest.live")" "rebuild: the same state"
same "$(sqlite3 "$T/rebuilt.db" "SELECT group_concat(name, '|') FROM
	(SELECT name FROM cadres WHERE cadre_id IN ('cb-x', 'cb-y', 'cb-z')
	ORDER BY cadre_id)")" "A sửa sau|C sửa sau|D đúng giờ lại" \
	"rebuild: the same winners"
finish
