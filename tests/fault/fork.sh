#!/usr/bin/env bash
# fork.sh BUILD [quick|full]: a device restored from an old backup.  Its
# store is copied while some change-sets are still pending; it records
# and syncs more; the old copy is put back and records new change-sets
# with the seqs the central already holds.  The fork must be detected and
# reported: quarantined with reason fork at the central, the device told
# (its outbox verdicts, `coso sync`'s quarantine list), and nothing of
# the genuine history lost: every change-set of the genuine store
# accepted exactly once.  Other devices sync through it all.
NAME=fork
. "$(dirname "$0")/lib.sh"

NFORK=$(sz 1 3)   # restored devices
NOTHER=$(sz 1 2)  # honest ones beside them
A=$(sz 3 20)      # synced before the backup
P=$(sz 2 10)      # pending in the backup
G=$(sz 5 30)      # recorded after the backup: the genuine history
F=$(sz 3 15)      # recorded on the restored copy: the fork
QFORK=60

province $((NFORK + NOTHER))
set -- $DEVICES
FORKED=$(echo "$@" | cut -d' ' -f1-"$NFORK")
OTHERS=$(echo "$@" | cut -d' ' -f$((NFORK + 1))-)
WRITERS=""
for d in $OTHERS; do
	start_agent "$d"
	writer "$d" 0 0.05
	WRITERS="$WRITERS $WRITER"
done

record() { # DEVICE N LABEL
	_i=0
	while [ "$_i" -lt "$2" ]; do
		visit "$1" "$3 $_i" || bad "$1: cannot record $3 $_i"
		_i=$((_i + 1))
	done
}
sync_ok() { "$B/coso" --store "$T/$1" sync >/dev/null 2>"$T/$1.err" ||
	bad "$1: sync: $(cat "$T/$1.err")"; }

EXTRA_CREATED=0
EXTRA_RECEIPTS=0
for d in $FORKED; do
	record "$d" "$A" "trước sao lưu"
	sync_ok "$d"
	record "$d" "$P" "chờ gửi"
	cp -a "$T/$d" "$T/$d.backup"
	sync_ok "$d"
	record "$d" "$G" "sau sao lưu"
	sync_ok "$d"
	cp -a "$T/$d" "$T/$d.genuine"
	rm -rf "${T:?}/$d"
	cp -a "$T/$d.backup" "$T/$d"
	record "$d" "$F" "nhánh rẽ"
	"$B/coso" --store "$T/$d" sync --json >"$T/$d.fork.json" 2>"$T/$d.err"
	log "$d: restored sync exit $?: $(cut -c1-200 "$T/$d.fork.json")"
done
touch "$T/stop"
for w in $WRITERS; do wait "$w"; done
wait_drained 60 $OTHERS
for d in $OTHERS; do stop_agent "$d"; done
stop_central

for d in $FORKED; do
	k=$(keyid "$T/$d")
	n=$(basename "$d")
	mkdir -p "$ACCT"
	# The genuine history: all of it accepted, once, with receipts.
	ids_device "$T/$d.genuine" >"$ACCT/$n.genuine"
	ids_central "$k" 1 >"$ACCT/$n.accepted"
	set_equal "$ACCT/$n.genuine" "$ACCT/$n.accepted" \
		"$d: genuine history vs accepted"
	same "$(wc -l <"$ACCT/$n.genuine")" $((A + P + G)) \
		"$d: genuine change-sets"
	"$B/coso" --store "$T/$d.genuine" receipts verify >/dev/null ||
		bad "$d: genuine store's receipts"
	# The fork: the restored copy's new change-sets, each quarantined
	# as a fork, none merged.
	q "$T/$d/store.db" "SELECT hex(id) FROM outbox WHERE seq > $((A + P))
		ORDER BY 1" >"$ACCT/$n.fork"
	q "$CDB" "SELECT hex(id) FROM changesets WHERE hex(author) = '$k'
		AND verdict = 3 AND reason = $QFORK ORDER BY 1" >"$ACCT/$n.q"
	set_equal "$ACCT/$n.fork" "$ACCT/$n.q" "$d: forked vs quarantined"
	same "$(wc -l <"$ACCT/$n.fork")" "$F" "$d: forked change-sets"
	same "$(q "$CDB" "SELECT count(*) FROM changesets
		WHERE hex(author) = '$k'")" $((A + P + G + F)) \
		"$d: entries at the central"
	# The device was told: verdicts in its outbox, the sync's report.
	same "$(q "$T/$d/store.db" "SELECT count(*) FROM outbox
		WHERE seq > $((A + P)) AND acked = 1 AND verdict = 3
		AND reason = $QFORK")" "$F" "$d: fork verdicts on the device"
	same "$(q "$T/$d/store.db" "SELECT count(*) FROM outbox
		WHERE seq <= $((A + P)) AND (acked = 0 OR verdict NOT IN (1, 2))")" \
		0 "$d: its old change-sets acknowledged"
	same "$(grep -o "\"reason\":$QFORK" "$T/$d.fork.json" | wc -l)" "$F" \
		"$d: sync reported the fork"
	"$B/coso" --store "$T/$d" receipts verify >/dev/null ||
		bad "$d: restored store's receipts"
	EXTRA_CREATED=$((EXTRA_CREATED + A + P + G))
	EXTRA_RECEIPTS=$((EXTRA_RECEIPTS + A + P + G))
done
cosod central stats --db "$CDB" --json >"$T/stats.json"
same "$(sed -n 's/.*"fork": *\([0-9]*\).*/\1/p' "$T/stats.json")" \
	$((NFORK * F)) "stats: quarantined as fork"
grep -q "fork" "$T/central.log" && log "central said: $(grep -m1 fork \
	"$T/central.log" | cut -c1-160)" || bad "the central logged no fork"
ACCOUNT_NOTE="$NFORK restored devices, $((NFORK * F)) forked change-sets quarantined"
FAULTS=$((NFORK * F))
account $((NFORK * F))
account_selftest $((NFORK * F))
finish
