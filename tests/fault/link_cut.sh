#!/usr/bin/env bash
# link_cut.sh BUILD [quick|full]: the link between the devices and the
# central is cut (every connection reset, new ones refused) and restored,
# again and again, while the agents sync and the cadres keep recording.
# During a cut nothing may reach the central; after the last restore
# everything must arrive exactly once.
NAME=link-cut
. "$(dirname "$0")/lib.sh"

NDEV=$(sz 2 4)
NCUT=$(sz 3 15)

province "$NDEV"
start_proxy
for d in $DEVICES; do
	repin "$d" "$PURL"
	start_agent "$d"
done
WRITERS=""
for d in $DEVICES; do
	writer "$d" 0 0.05
	WRITERS="$WRITERS $WRITER"
done

accepted() { q "$CDB" "SELECT count(*) FROM changesets WHERE verdict = 1"; }
held=0
c=0
while [ "$c" -lt "$NCUT" ]; do
	sleep "$(rnd_s "$(sz 300 500)" "$(sz 1200 2500)")"
	kill -USR1 "$PROXY"
	sleep 0.3 # a group commit already received may still land
	before=$(accepted)
	sleep "$(rnd_s "$(sz 800 1000)" "$(sz 1500 3000)")"
	after=$(accepted)
	same "$after" "$before" "cut $c: change-sets reached the central"
	n=0
	for d in $DEVICES; do n=$((n + $(pending "$T/$d"))); done
	[ "$n" -gt 0 ] && held=$((held + 1))
	kill -USR2 "$PROXY"
	c=$((c + 1))
done
touch "$T/stop"
for w in $WRITERS; do wait "$w"; done
t1=$(now_s)
wait_drained 60 $DEVICES
drain=$(since_s "$t1")
[ "$held" -gt 0 ] || bad "no cut ever held a change-set back"
for d in $DEVICES; do stop_agent "$d"; done
stop_proxy
stop_central
ACCOUNT_NOTE="$NCUT cuts, $held held change-sets back; drained \
$drain s after the last restore"
account
account_selftest
finish
