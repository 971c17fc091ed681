#!/usr/bin/env bash
# link_2g.sh BUILD [quick|full]: a device that recorded N visits offline
# syncs over a 2G link (chaosproxy --profile 2g: about 50 kbit/s each way,
# 500 ms latency): the time to drain them is measured and printed, and
# everything must arrive exactly once.  Then the same over 2G with a
# lossy edge (resets), through the field agent.
#
# Full run only: a backlog whose one batch would take longer to upload
# than the receive timeout (200 KB of visits over 2G with `coso sync
# --timeout 20`, as 750 KB would with the default 120 s).  Resending the
# same frame can never deliver it; the round must cut its frames in half
# after a timeout (client/lib/sync.c, push_sized) and drain all of it.
NAME=link-2g
. "$(dirname "$0")/lib.sh"

NVIS=$(sz 30 400)

province 1
start_proxy --profile 2g
repin d1 "$PURL"
i=0
while [ "$i" -lt "$NVIS" ]; do
	visit d1 "2G $i" || bad "visit $i"
	i=$((i + 1))
done
t0=$(now_s)
"$B/coso" --store "$T/d1" sync --json --timeout 600 >"$T/sync.json" \
	2>"$T/sync.err" || bad "2G sync: $(cat "$T/sync.err")"
secs=$(since_s "$t0")
sent=$(sed -n 's/.*"bytes_sent":\([0-9]*\).*/\1/p' "$T/sync.json")
same "$(pending "$T/d1")" 0 "2G: all acknowledged"
log "2G: drained $NVIS visits in $secs s ($sent bytes sent," \
	"$((sent / NVIS)) per visit)"
stop_proxy

# The agent over 2G with resets: rounds are cut, resent, answered twice.
start_proxy --profile 2g --reset 0.2
repin d1 "$PURL"
AGENT_TIMEOUT=30 start_agent d1
t0=$(now_s)
i=0
while [ "$i" -lt $((NVIS / 2)) ]; do
	visit d1 "2G agent $i" || bad "visit $i"
	sleep 0.05
	i=$((i + 1))
done
wait_drained 300 d1
log "2G with resets: $((NVIS / 2)) visits recorded and drained in" \
	"$(since_s "$t0") s"
stop_agent d1
stop_proxy

if [ "$MODE" = full ]; then
	start_proxy --profile 2g
	repin d1 "$PURL"
	i=0
	while [ "$i" -lt 60 ]; do # 60 visits of 3.2 KB of random text
		"$B/coso" --store "$T/d1" visit add --unit "$(unit_of d1)" \
			--date 2025-11-05 --purpose "2G lớn $i" --situation \
			"$(head -c 2400 /dev/urandom | base64 -w0)" >/dev/null ||
			bad "big visit $i"
		i=$((i + 1))
	done
	kb=$(($(q "$T/d1/store.db" "SELECT sum(length(bytes)) FROM outbox
		WHERE acked = 0") / 1024))
	t0=$(now_s)
	"$B/coso" --store "$T/d1" sync --timeout 20 >/dev/null 2>"$T/big.err"
	left=$(pending "$T/d1")
	m="2G: a backlog of $kb KiB with a 20 s timeout ($(since_s "$t0") s, $left of 60 still pending: $(cut -c1-60 "$T/big.err"))"
	if [ "$left" -gt 0 ]; then bad "$m"; else log "$m"; fi
	stop_proxy
	repin d1 "$CURL"
	"$B/coso" --store "$T/d1" sync >/dev/null 2>"$T/big.err" ||
		bad "direct sync of the backlog: $(cat "$T/big.err")"
fi
stop_central
ACCOUNT_NOTE="2G: $NVIS visits in $secs s"
account
account_selftest
finish
