#!/usr/bin/env bash
# agent_kill.sh BUILD [quick|full]: kill -9 field agents in the middle of
# their sync rounds, and `coso visit add` processes in the middle of their
# writes, while the other agents sync; restart the agents.  What a killed
# write committed must arrive exactly once; what it did not commit must
# not appear anywhere; every store must stay a clean chain.
NAME=agent-kill
. "$(dirname "$0")/lib.sh"

NDEV=$(sz 3 5)
NAGENT=$(sz 6 60)  # agent kills
NWRITE=$(sz 15 300) # visit add kills attempted

province "$NDEV"
for d in $DEVICES; do start_agent "$d"; done
WRITERS=""
for d in $DEVICES; do
	writer "$d" 0 0.03
	WRITERS="$WRITERS $WRITER"
done

# One `coso visit add` killed after 0-9 ms (a write takes about 5):
# 1 if it was killed before it exited.
kill_write() {
	"$B/coso" --store "$T/$1" visit add --unit "$(unit_of "$1")" \
		--date 2025-11-15 --purpose "Bị ngắt $1 $2" >/dev/null 2>&1 &
	_w=$!
	sleep "0.00$((RANDOM % 10))"
	kill -9 "$_w" 2>/dev/null
	wait "$_w" 2>/dev/null
	[ $? -eq 137 ]
}

AK=0
WK=0
i=0
while [ "$AK" -lt "$NAGENT" ] || [ "$i" -lt "$NWRITE" ]; do
	set -- $DEVICES
	shift $((RANDOM % NDEV))
	d=$1
	if [ "$i" -lt "$NWRITE" ]; then
		kill_write "$d" "$i" && WK=$((WK + 1))
		i=$((i + 1))
	fi
	if [ "$AK" -lt "$NAGENT" ] && [ $((RANDOM % 2)) -eq 0 ]; then
		sleep "$(rnd_s 50 700)"
		eval "p=\$AGENT_$d"
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
		AK=$((AK + 1))
		start_agent "$d"
	fi
done
KILLS=$((AK + WK))
touch "$T/stop"
for w in $WRITERS; do wait "$w"; done
log "$AK agents and $WK writes killed ($i tried); draining"
wait_drained 120 $DEVICES
for d in $DEVICES; do stop_agent "$d"; done
stop_central
for d in $DEVICES; do
	same "$(q "$T/$d/store.db" "PRAGMA integrity_check")" ok \
		"$d: store integrity"
	# One visit per change-set, and no visit without its change-set.
	same "$(q "$T/$d/store.db" "SELECT count(*) FROM visits")" \
		"$(q "$T/$d/store.db" "SELECT count(*) FROM outbox")" \
		"$d: visits vs outbox"
done
ACCOUNT_NOTE="$AK agent kills, $WK write kills"
account
account_selftest
finish
