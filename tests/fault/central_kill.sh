#!/usr/bin/env bash
# central_kill.sh BUILD [quick|full]: kill -9 the central at random
# moments while several field agents push a steady stream of visits,
# restarting it each time; then every change-set must be at the central
# exactly once, with its receipt on its device.
NAME=central-kill
. "$(dirname "$0")/lib.sh"

NDEV=$(sz 3 8)
NKILL=$(sz 5 50)

province "$NDEV"
for d in $DEVICES; do start_agent "$d"; done
WRITERS=""
for d in $DEVICES; do
	writer "$d" 0 0.02
	WRITERS="$WRITERS $WRITER"
done

# Each kill falls 0.3-1.5 s after the central came up: long enough for
# the agents (backoff at most 2 s) to be back and pushing, random within
# the group commits.  Some kills are at once (0-50 ms): during recovery.
k=0
while [ "$k" -lt "$NKILL" ]; do
	if [ $((RANDOM % 5)) -eq 0 ]; then
		sleep "$(rnd_s 0 50)"
	else
		sleep "$(rnd_s 300 1500)"
	fi
	kill_central
	sleep "$(rnd_s 0 300)"
	start_central
	k=$((k + 1))
done
touch "$T/stop"
for w in $WRITERS; do wait "$w"; done
log "$KILLS kills; draining"
wait_drained 120 $DEVICES
for d in $DEVICES; do stop_agent "$d"; done
stop_central
grep -c 'commit:' "$T/central.log" >/dev/null ||
	bad "the central logged no commit"
account
account_selftest
finish
