#!/usr/bin/env bash
# test_metrics.sh BUILD: GET /metrics on the central's HTTP API, scraped
# before and after devices sync: the counters move by what arrived (the
# change-sets accepted, the group commits, the requests, the refusals of
# a revoked key) and the gauges are the database's (log entries, devices).
# The central's log lines carry syslog priorities when stderr is the
# journal's stream.
NAME=e2e-metrics
. "$(dirname "$0")/lib.sh"

PORT=$(free_port)
URL="tcp://127.0.0.1:$PORT"
HP=$(free_port)
DATA="$ROOT/deploy/data/lang-son-2024.csv"

scrape() {
	curl -sf "http://127.0.0.1:$HP/metrics" >"$T/metrics.txt" ||
		bad "cannot scrape /metrics"
}
# m KEY: the value of the sample KEY (name and labels) in the last scrape.
m() {
	awk -v k="$1" 'substr($0, 1, length(k) + 1) == k " " { print $2 }' \
		"$T/metrics.txt"
}

run_ok "admin init" coso --store "$T/admin" init --cadre admin \
	--name "Ban Tổ chức Tỉnh ủy"
cp "$T/out" "$T/admin.pub"
run_ok "central init" cosod central init --db "$T/central.db" \
	--admin-key "$T/admin.pub" --origin langson.example/coso/metrics
cp "$T/out" "$T/central.pub"
run_ok "admin pin" coso --store "$T/admin" pin --central "$URL" \
	--central-key "$T/central.pub"
run_ok "units" coso --store "$T/admin" admin units import "$DATA"
for d in a b; do
	run_ok "cadre $d" coso --store "$T/admin" admin cadre add --id "cb-$d" \
		--name "Cán bộ $d"
	coso --store "$T/admin" admin token --cadre "cb-$d" >"$T/token-$d" \
		2>/dev/null
	run_ok "assign $d" coso --store "$T/admin" admin assign \
		--cadre "cb-$d" --unit 06043 --role in-charge --from 2025-01-01
	run_ok "init $d" coso --store "$T/$d" init --cadre "cb-$d" \
		--name "Cán bộ $d" --central "$URL" --central-key "$T/central.pub"
	run_ok "enroll $d" coso --store "$T/$d" enroll "$(cat "$T/token-$d")"
done

# The central's stderr is "the journal": JOURNAL_STREAM names its file.
: >"$T/central.log"
JOURNAL_STREAM=$(stat -c %d:%i "$T/central.log")
export JOURNAL_STREAM
CENTRAL_ARGS="--http 127.0.0.1:$HP"
start_central
unset JOURNAL_STREAM

scrape
same "$(m 'coso_changesets_total{verdict="accepted"}')" 0 "nothing yet"
same "$(m 'coso_group_commit_seconds_count')" 0 "no commit yet"
same "$(m 'coso_log_entries')" "$(central_count tree_size)" \
	"log entries: the tree's size"
same "$(m 'coso_devices{state="enrolled"}')" 1 "the admin's key only"
same "$(m 'coso_devices_seen{window="all"}')" 0 "no device seen"
grep -q '^# TYPE coso_group_commit_seconds histogram$' "$T/metrics.txt" &&
	ok || bad "no histogram TYPE"
grep -q '^Content-Type: text/plain; version=0.0.4' \
	<(curl -si "http://127.0.0.1:$HP/metrics") && ok ||
	bad "/metrics: not the text format's content type"

# --- the admin's change-sets and two enrollments arrive ---------------------
ADMIN_CS=$(coso --store "$T/admin" status --json | sed -n \
	's/.*"pending": *\([0-9]*\).*/\1/p')
run_ok "admin sync" coso --store "$T/admin" sync
for d in a b; do
	run_ok "sync $d (enroll)" coso --store "$T/$d" sync
done
scrape
same "$(m 'coso_changesets_total{verdict="accepted"}')" "$ADMIN_CS" \
	"accepted: the admin's change-sets"
same "$(m 'coso_enrollments_total')" 2 "two enrollments"
same "$(m 'coso_devices{state="enrolled"}')" 3 "three keys enrolled"
# A key is seen when it asks STATUS enrolled: the devices asked theirs
# before their enrollment, in the same round.
same "$(m 'coso_devices_seen{window="all"}')" 1 "the admin's device seen"
same "$(m 'coso_devices_seen{window="24h"}')" 1 "the admin's, today"
same "$(m 'coso_log_entries')" "$(central_count tree_size)" \
	"log entries follow the tree"
same "$(m 'coso_checkpoint_size')" "$(central_count tree_size)" \
	"the newest checkpoint covers the log"
C1=$(m 'coso_group_commit_seconds_count')
[ "${C1:-0}" -ge 3 ] && ok || bad "group commits: ${C1:-none}"
same "$(m 'coso_group_commit_seconds_bucket{le="+Inf"}')" "$C1" \
	"histogram: +Inf is the count"
P1=$(m 'coso_sync_requests_total{type="push"}')
[ "${P1:-0}" -ge 1 ] && ok || bad "push requests: ${P1:-none}"
[ "$(m 'coso_sync_connections_total')" -ge 3 ] && ok ||
	bad "connections: $(m 'coso_sync_connections_total')"

# --- visits: the counters move by exactly what arrived -----------------------
A0=$(m 'coso_changesets_total{verdict="accepted"}')
for i in 1 2 3 4 5 6 7; do
	coso --store "$T/a" visit add --unit 06043 --date "2025-11-0$i" \
		--purpose "Thăm $i" >/dev/null || bad "visit $i"
done
run_ok "sync a" coso --store "$T/a" sync
scrape
same "$(m 'coso_changesets_total{verdict="accepted"}')" $((A0 + 7)) \
	"accepted: seven visits more"
[ "$(m 'coso_group_commit_seconds_count')" -gt "$C1" ] && ok ||
	bad "no group commit counted for the visits"
run_ok "sync a again" coso --store "$T/a" sync
scrape
same "$(m 'coso_changesets_total{verdict="accepted"}')" $((A0 + 7)) \
	"a sync with nothing to send accepts nothing"
same "$(m 'coso_log_entries')" "$(central_count tree_size)" \
	"log entries after the visits"
same "$(m 'coso_devices_seen{window="24h"}')" 2 "a seen, enrolled"

# --- a revoked key's push: refused, counted by reason ------------------------
KEYB=$(sed -n 2p "$T/b/device.pub" | base64 -d | tail -c 32 | sha256sum |
	cut -d' ' -f1)
run_ok "revoke b" coso --store "$T/admin" admin revoke --key "$KEYB"
run_ok "admin sync revoke" coso --store "$T/admin" sync
for i in 1 2 3; do
	coso --store "$T/b" visit add --unit 06043 --date "2025-11-1$i" \
		--purpose "Sau thu hồi $i" >/dev/null
done
run_code 2 "b's push refused" coso --store "$T/b" sync
scrape
same "$(m 'coso_refused_total{reason="revoked"}')" 3 \
	"refused: b's three change-sets, as revoked"
same "$(m 'coso_devices{state="revoked"}')" 1 "one key revoked"
same "$(m 'coso_devices{state="enrolled"}')" 2 "two keys enrolled"
same "$(m 'coso_changesets_total{verdict="quarantined"}')" 0 \
	"nothing quarantined"

# --- the HTTP API counts its own requests -----------------------------------
H0=$(m 'coso_http_requests_total{route="/metrics",status="200"}')
curl -s "http://127.0.0.1:$HP/nothing" >/dev/null
curl -s "http://127.0.0.1:$HP/checkpoint" >/dev/null
scrape
same "$(m 'coso_http_requests_total{route="/metrics",status="200"}')" \
	$((H0 + 1)) "/metrics counts the scrape before"
same "$(m 'coso_http_requests_total{route="none",status="404"}')" 1 \
	"an unknown path: 404"
same "$(m 'coso_http_requests_total{route="/checkpoint",status="200"}')" 1 \
	"/checkpoint: 200"

# --- journald: priorities, no time of its own -------------------------------
stop_central
grep -q '^<6>listening on' "$T/central.log" && ok ||
	bad "journal: no <6> line: $(head -1 "$T/central.log")"
grep -q '^<6>commit: ' "$T/central.log" && ok || bad "journal: no commit line"
same "$(grep -vc '^<[3467]>' "$T/central.log")" 0 \
	"journal: every line has a priority"
: >"$T/plain.log"
JOURNAL_STREAM=1:1 "$B/cosod" central run --db "$T/central.db" \
	--listen "tcp://127.0.0.1:$(free_port)" >"$T/plain.log" 2>&1 &
PLAIN=$!
PIDS="$PIDS $PLAIN"
i=0
while [ $i -lt 100 ] && ! grep -q listening "$T/plain.log"; do
	sleep 0.1
	i=$((i + 1))
done
kill -TERM "$PLAIN"
wait "$PLAIN" 2>/dev/null
grep -q '^cosod: [0-9-]*T[0-9:.]*Z info: listening' "$T/plain.log" && ok ||
	bad "another stream: not the plain form: $(head -1 "$T/plain.log")"

finish
