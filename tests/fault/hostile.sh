#!/usr/bin/env bash
# hostile.sh BUILD [quick|full]: hostile clients at the central's port:
# random bytes, broken and truncated frames, frames under an honest
# device's key that do not open, hundreds of idle connections held open
# (build/hostile), and from an enrolled device forged signatures, replays,
# reordered and oversized pushes (build/wirepush).  Meanwhile an honest
# device syncs, and must be served during the attack; everything it and
# the attacker's genuine change-sets hold must arrive exactly once, the
# forgeries be quarantined, and the central's peak RSS (VmHWM) stay under
# RSS_BOUND_MIB.
#
# Then frames sent but for their last byte, on PARTIAL connections held
# open: the central keeps every incomplete frame (up to --max-message
# each, nng has no receive timeout), so its RSS grows by about 1 MiB per
# connection with no bound but the open-file limit.  That is a known
# defect of the central (reported, not fixed here): its growth is
# measured and printed as KNOWN ISSUE, and fails the scenario only with
# FAULT_STRICT=1.
NAME=hostile
. "$(dirname "$0")/lib.sh"

RSS_BOUND_MIB=${RSS_BOUND_MIB:-128}
IDLE=$(sz 500 1000)  # idle connections held open
HOLD=$(sz 6 60)      # seconds they are held
ROUNDS=$(sz 2 10)    # attack rounds
GARBAGE=$(sz 60 200) # connections of random bytes per round
FRAMES=$(sz 54 180)  # connections with a bad frame per round
PARTIAL=$(sz 40 200) # connections each holding an incomplete frame

province 2 # d1 honest, d2 the attacker (an enrolled key)
rss0=$(central_vmhwm)
PK1=$(sed -n 2p "$T/d1/device.pub" | base64 -d | tail -c 32 | od -An -tx1 |
	tr -d ' \n')
start_agent d1
writer d1 0 0.03
HONEST=$WRITER
HP="127.0.0.1:$CPORT"

# Idle connections first, held through everything else.
"$B/hostile" "$HP" idle "$IDLE" "$HOLD" >"$T/idle.out" 2>&1 &
IDLER=$!
PIDS="$PIDS $IDLER"
sleep 1
before=$(q "$CDB" "SELECT count(*) FROM changesets
	WHERE hex(author) = '$(keyid "$T/d1")'")

QUAR_d2=0
wp() { "$B/wirepush" "$T/d2" "$CURL" "$T/central.pub" "$1" >"$T/wp.$1" 2>&1; }
attack_start=$(now_s)
r=0
while [ "$r" -lt "$ROUNDS" ]; do
	"$B/hostile" "$HP" garbage "$GARBAGE" >>"$T/garbage.out" 2>&1 &
	g=$!
	"$B/hostile" "$HP" frames "$FRAMES" "$PK1" >>"$T/frames.out" 2>&1 &
	f=$!
	for i in 1 2 3; do visit d2 "tấn công $r $i" || bad "d2 visit"; done
	wp forge || bad "wirepush forge: $(cat "$T/wp.forge")"
	same "$(cut -d' ' -f2,3 "$T/wp.forge")" "3 7" \
		"round $r: forgery quarantined as a bad signature"
	QUAR_d2=$((QUAR_d2 + 1))
	wp reverse || bad "wirepush reverse: $(cat "$T/wp.reverse")"
	wp dup || bad "wirepush dup: $(cat "$T/wp.dup")"
	# Reversed: gaps until the first; replayed: each once, then dups.
	same "$(cat "$T/wp.reverse" "$T/wp.dup" | awk '$2 == 1' | wc -l)" 3 \
		"round $r: reordered and replayed: each accepted once"
	same "$(awk '$2 != 1 && $2 != 2' "$T/wp.dup" | wc -l)" 0 \
		"round $r: replays: only accepted or duplicate"
	wp big || bad "wirepush big: $(cat "$T/wp.big")"
	grep -q "big: no answer" "$T/wp.big" || bad "round $r: oversized frame answered"
	grep -q "status after big: ok" "$T/wp.big" || bad "round $r: central stopped serving"
	# The attacker's device takes its receipts: nothing left pending.
	"$B/coso" --store "$T/d2" sync >/dev/null 2>"$T/d2.err" ||
		bad "d2 sync: $(cat "$T/d2.err")"
	wait "$g" "$f"
	r=$((r + 1))
done
attack_s=$(since_s "$attack_start")
after=$(q "$CDB" "SELECT count(*) FROM changesets
	WHERE hex(author) = '$(keyid "$T/d1")'")
[ "$after" -gt "$before" ] ||
	bad "the honest device was not served during the attack"
log "during the attack ($attack_s s): the honest device delivered" \
	"$((after - before)) change-sets"
wait "$IDLER"
cat "$T/idle.out"
touch "$T/stop"
wait "$HONEST"
"$B/coso" --store "$T/d2" sync >/dev/null 2>"$T/d2.err" ||
	bad "d2 sync: $(cat "$T/d2.err")"
wait_drained 60 d1
kill -0 "$CENTRAL" 2>/dev/null || bad "the central died"
rss=$(central_vmhwm)
[ "$rss" -lt $((RSS_BOUND_MIB * 1024)) ] ||
	bad "central VmHWM $((rss / 1024)) MiB over $RSS_BOUND_MIB MiB"
log "central VmHWM: $((rss0 / 1024)) MiB before, $((rss / 1024)) MiB after" \
	"(bound $RSS_BOUND_MIB MiB)"
# Incomplete frames held open: known unbounded growth.
"$B/hostile" "$HP" partial "$PARTIAL" 3 >"$T/partial.out" 2>&1 &
PP=$!
PIDS="$PIDS $PP"
sleep 2
visit d1 "trong lúc tấn công" || bad "d1 visit during partial frames"
wait_drained 20 d1 || bad "honest device not served while frames are held"
wait "$PP"
rss2=$(central_vmhwm)
grow=$(((rss2 - rss) / 1024))
cat "$T/partial.out"
if [ $((rss2 / 1024)) -ge "$RSS_BOUND_MIB" ] || [ "$grow" -gt $((PARTIAL / 2)) ]; then
	msg="central VmHWM $((rss / 1024)) -> $((rss2 / 1024)) MiB with $PARTIAL incomplete frames held: about $((grow * 1024 / PARTIAL)) KiB per connection, unbounded"
	if [ -n "${FAULT_STRICT:-}" ]; then bad "$msg"; else
		log "KNOWN ISSUE: $msg"
		echo "$NAME: $msg" >>"${FAULT_KNOWN:-/dev/null}"
	fi
fi
tail -1 "$T/garbage.out"
tail -1 "$T/frames.out"
same "$(grep -c ' [1-9][0-9]* answered' "$T/garbage.out" "$T/frames.out" |
	awk -F: '{ s += $2 } END { print s }')" 0 "the central answered garbage"
stop_agent d1
stop_central
n_g=$(awk '{ s += $3 } END { print s }' "$T/garbage.out")
n_f=$(awk '{ s += $3 } END { print s }' "$T/frames.out")
FAULTS=$((n_g + n_f + IDLE + PARTIAL + 4 * ROUNDS))
ACCOUNT_NOTE="$n_g garbage, $n_f bad-frame, $IDLE idle, $PARTIAL partial-frame connections, $((4 * ROUNDS)) wirepush attacks; VmHWM $((rss / 1024)) MiB < $RSS_BOUND_MIB MiB, $((rss2 / 1024)) MiB with partial frames"
account "$QUAR_d2"
account_selftest "$QUAR_d2"
finish
