#!/usr/bin/env bash
# clock.sh BUILD [quick|full]: devices whose clocks are far off, under
# faketime: d1 400 days ahead, d2 400 days behind, d3 right, d4 jumping
# between 30 days ahead and right for each visit.  Every visit must
# arrive exactly once, and the clock rules hold (docs/decisions.md,
# "Clocks"): the log keeps each signed HLC as it was; a stamp ahead of
# the central's received time beyond the tolerance is weighed at the
# received time and the device told (its outbox, `coso status'); a
# device takes in the central's time, so one behind signs on the
# central's time once it has synced; an author's HLC goes back only
# after a stamp the central clamped (the device sets its clock back to
# the central's); every STATUS is on record at the central, and `cosod
# central stats' flags the wrong clocks.
NAME=clock
. "$(dirname "$0")/lib.sh"

# libfaketime preloaded with env (the faketime program forks, and killing
# it would leave the agent running); MT: the programs have threads.
LIBFT=$(ls /usr/lib/*/faketime/libfaketimeMT.so.1 2>/dev/null | head -1)
if [ -z "$LIBFT" ]; then
	log "SKIPPED: libfaketime not installed (deploy/install-deps.sh)"
	[ -z "${FAULT_SUMMARY:-}" ] ||
		echo "$NAME skipped 0 0 0 0" >>"$FAULT_SUMMARY"
	exit 0
fi
# nng's timers and the agent's backoff run on the monotonic clock: only
# the wall clock is off, as on a device with a wrong date.
ft() { echo "env LD_PRELOAD=$LIBFT FAKETIME=$1 FAKETIME_DONT_FAKE_MONOTONIC=1"; }
NVIS=$(sz 25 150)
DAY=86400000

WRAP_d1=$(ft +400d)
WRAP_d2=$(ft -400d)
# A visit cannot be dated after the device's own today.
DATE_d2=$($(ft -401d) date +%Y-%m-%d)
province 4
for d in $DEVICES; do start_agent "$d"; done
WRITERS=""
for d in d1 d2 d3; do
	writer "$d" "$NVIS" 0.02
	WRITERS="$WRITERS $WRITER"
done
k=0
while [ "$k" -lt "$NVIS" ]; do
	if [ $((k % 2)) -eq 0 ]; then WRAP_d4=$(ft +30d); else WRAP_d4=""; fi
	visit d4 "clock d4 $k" || bad "d4 visit $k"
	k=$((k + 1))
done
WRAP_d4=""
for w in $WRITERS; do wait "$w"; done
wait_drained 60 $DEVICES
for d in $DEVICES; do stop_agent "$d"; done
stop_central

# days DEVICE SQL_EXPR: the average of an expression over the device's
# entries at the central, in days (one decimal)
days() {
	q "$CDB" "SELECT printf('%.1f', avg($2) / $DAY.0) FROM changesets
		WHERE hex(author) = '$(keyid "$T/$1")'"
}
# device_skew DEVICE: central minus device clock as the device measured
# it at its last STATUS, in days
device_skew() {
	q "$T/$1/store.db" "SELECT printf('%.1f', value / $DAY.0) FROM meta
		WHERE key = 'skew_ms'"
}
within() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v >= lo && v <= hi) }'; }
# clamped DEVICE: its accepted entries whose HLC is ahead of their
# received time beyond the tolerance, at the central and as told
TOL=300000
clamped() {
	q "$CDB" "SELECT count(*) FROM changesets WHERE verdict = 1
		AND hex(author) = '$(keyid "$T/$1")'
		AND (hlc >> 16) > received_ms + $TOL"
}
told() {
	q "$T/$1/store.db" "SELECT count(*) FROM outbox
		WHERE verdict IN (1, 2) AND reason = 17"
}
# stat DEVICE KEY: a field of the device's line in `cosod central stats'
stat() {
	grep "\"key\": \"$(keyid "$T/$1" | cut -c1-16 | tr A-F a-f)\"" \
		"$T/stats.json" | sed -n "s/.*\"$2\": \([a-z0-9-]*\).*/\1/p"
}
notes=""
for d in $DEVICES; do
	c=$(days "$d" "(hlc >> 16) - received_ms")
	s=$(device_skew "$d")
	notes="$notes $d hlc-received=${c}d skew=${s}d clamped=$(clamped "$d");"
	log "$d: signed time - received time = $c days; device's skew_ms = $s days; clamped $(clamped "$d"), told $(told "$d")"
done
within "$(days d1 "(hlc >> 16) - received_ms")" 399 401 ||
	bad "d1: the central's entries do not show the 400 days ahead"
within "$(device_skew d1)" -401 -399 || bad "d1: the device did not record its skew"
within "$(device_skew d2)" 399 401 || bad "d2: the device did not record its skew"
within "$(device_skew d3)" -1 1 || bad "d3: skew on a right clock"
# Far ahead: accepted, weighed at the received time, and the device told.
same "$(clamped d1)" "$NVIS" "d1: every stamp 400 days ahead clamped"
same "$(told d1)" "$NVIS" "d1: told of every clamped stamp"
same "$(clamped d3)" 0 "d3: nothing clamped on a right clock"
[ "$(clamped d4)" -ge $(((NVIS + 1) / 2)) ] ||
	bad "d4: $(clamped d4) clamped, fewer than its visits 30 days ahead"
same "$(told d4)" "$(clamped d4)" "d4: told of every clamped stamp"
# An author's HLC goes back only after a stamp the central clamped: the
# device set its clock back to the central's at the next STATUS.
same "$(q "$CDB" "SELECT count(*) FROM changesets a JOIN changesets b
	ON b.author = a.author AND b.seq = a.seq + 1 WHERE b.hlc <= a.hlc
	AND NOT (a.hlc >> 16) > a.received_ms + $TOL")" 0 \
	"an author's HLC went back after a stamp not clamped"
# Behind: once synced, d2 signs on the central's time (it took it in),
# not on its own clock 400 days back.
within "$(q "$CDB" "SELECT printf('%.1f', ((max(hlc) >> 16) - max(received_ms))
	/ $DAY.0) FROM changesets WHERE hex(author) = '$(keyid "$T/d2")'")" -1 1 ||
	bad "d2: its last change-set is not signed on the central's time"
# The central's received times are its own: within this run.
same "$(q "$CDB" "SELECT count(*) FROM changesets WHERE position > 0 AND
	(received_ms < $T0 * 1000 OR received_ms > $(date +%s)000 + 1000)")" 0 \
	"received times outside the run"
# Every STATUS measured on record, and the office sees the wrong clocks.
for d in $DEVICES; do
	[ "$(q "$CDB" "SELECT count(*) FROM clock_checks
		WHERE hex(key_id) = '$(keyid "$T/$d")'")" -ge 1 ] ||
		bad "$d: no clock check at the central"
done
cosod central stats --db "$CDB" --json >"$T/stats.json"
same "$(stat d1 clock_ok) $(stat d2 clock_ok) $(stat d3 clock_ok)" \
	"false false true" "stats: d1, d2 wrong, d3 right"
same "$(stat d1 clamped)" "$NVIS" "stats: d1's clamped stamps"
log "d2's first and last signed times: $(q "$CDB" "SELECT
	date((min(hlc) >> 16) / 1000, 'unixepoch') || ' .. ' ||
	date((max(hlc) >> 16) / 1000, 'unixepoch') FROM changesets
	WHERE hex(author) = '$(keyid "$T/d2")'")"
ACCOUNT_NOTE="${notes% ;}"
FAULTS=$((2 + NVIS)) # two skewed clocks, a jump per d4 visit
account
account_selftest
finish
