#!/usr/bin/env bash
# storm.sh BUILD [quick|full]: everything at once.  Agents sync through a
# lossy link (black holes, resets, truncations, duplicated chunks,
# jitter), one store has two agents syncing it at the same time, and at
# random moments the central is killed (-9) or stopped (SIGTERM: what is
# queued is failed with EBUSY) and restarted, or an agent is killed and
# restarted, while the cadres record.  Everything must arrive exactly once.
NAME=storm
. "$(dirname "$0")/lib.sh"

NDEV=$(sz 3 5)
EVENTS=$(sz 8 100)

province "$NDEV"
start_proxy --drop 0.01 --reset 0.03 --truncate 0.03 --dup 0.03 \
	--jitter-ms 30 --delay-p 0.3 --hang-ms 10000
for d in $DEVICES; do
	repin "$d" "$PURL"
	AGENT_TIMEOUT=3 start_agent "$d"
done
# A second agent on d1's store (two processes syncing one device).
"$B/cosod" field run --store "$T/d1" --interval 1 --max-backoff 2 \
	--timeout 3 >>"$T/d1.agent2.log" 2>&1 &
TWIN=$!
PIDS="$PIDS $TWIN"
WRITERS=""
for d in $DEVICES; do
	writer "$d" 0 0.02
	WRITERS="$WRITERS $WRITER"
done
stops=0
agents=0
i=0
while [ "$i" -lt "$EVENTS" ]; do
	sleep "$(rnd_s 200 1500)"
	case $((RANDOM % 3)) in
	0)
		kill_central
		sleep "$(rnd_s 0 200)"
		start_central
		;;
	1)
		stop_central
		stops=$((stops + 1))
		start_central
		;;
	*)
		set -- $DEVICES
		shift $((RANDOM % NDEV))
		eval "p=\$AGENT_$1"
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
		agents=$((agents + 1))
		AGENT_TIMEOUT=3 start_agent "$1"
		;;
	esac
	i=$((i + 1))
done
touch "$T/stop"
for w in $WRITERS; do wait "$w"; done
t0=$(now_s)
wait_drained 120 $DEVICES
log "drained $(since_s "$t0") s after the last write"
kill -TERM "$TWIN"
wait "$TWIN"
for d in $DEVICES; do stop_agent "$d"; done
stop_proxy
stop_central
KILLS=$((KILLS + stops + agents))
ACCOUNT_NOTE="$((KILLS - stops - agents)) central kills, $stops central stops, $agents agent kills"
account
account_selftest
finish
