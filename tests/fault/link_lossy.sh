#!/usr/bin/env bash
# link_lossy.sh BUILD [quick|full]: agents sync through a link that
# black-holes, resets, truncates, duplicates and delays chunks at random
# (chaosproxy --drop --reset --truncate --dup --jitter-ms) while cadres
# record; everything must arrive exactly once, and the central must go on
# serving after every broken frame.
NAME=link-lossy
. "$(dirname "$0")/lib.sh"

NDEV=$(sz 3 5)
SECS=$(sz 6 150)

province "$NDEV"
start_proxy --drop 0.01 --reset 0.02 --truncate 0.02 --dup 0.02 \
	--delay-ms 0 --jitter-ms 40 --delay-p 0.3 --hang-ms 20000
for d in $DEVICES; do
	repin "$d" "$PURL"
	AGENT_TIMEOUT=3 start_agent "$d"
done
WRITERS=""
for d in $DEVICES; do
	writer "$d" 0 0.03
	WRITERS="$WRITERS $WRITER"
done
sleep "$SECS"
touch "$T/stop"
for w in $WRITERS; do wait "$w"; done
t0=$(now_s)
wait_drained 240 $DEVICES
log "drained $(since_s "$t0") s after the last write, through the faults"
kill -HUP "$PROXY" # the counters so far, in the log
for d in $DEVICES; do stop_agent "$d"; done
stop_proxy
# The central survived every broken frame: it still answers directly.
for d in $DEVICES; do repin "$d" "$CURL"; done
"$B/coso" --store "$T/d1" sync >/dev/null 2>"$T/final.err" ||
	bad "central not serving after the faults: $(cat "$T/final.err")"
stop_central
account
account_selftest
finish
