#!/usr/bin/env bash
# disk_full.sh BUILD [quick|full]: the central's database lives on a 2 MiB
# tmpfs.  First a filler file takes every free byte while devices push
# (and the central is killed and restarted on the full disk); then the
# filler goes.  Then the data itself fills the disk until the central can
# commit nothing more, and the tmpfs is grown.  Each time the devices
# must get errors and keep their change-sets, the central must say why in
# its log, go on running and keep its database intact, and once there is
# space everything must arrive exactly once.  Skipped (with a message)
# where mounting a tmpfs is not permitted.
NAME=disk-full
. "$(dirname "$0")/lib.sh"

# 2 MiB hold little: the WAL is never checkpointed on it (SQLite waits
# for 1000 pages), so the full run has more rounds and kills, not more
# data.
NDEV=$(sz 2 3)
FULL_S=$(sz 3 8)  # seconds the disk stays full while devices push
ROUNDS=$(sz 1 4)  # filler rounds
KPR=$(sz 1 2)     # kills of the central per round, on the full disk

DISK="$T/disk"
mkdir -p "$DISK"
if ! mount -t tmpfs -o size=2m tmpfs "$DISK" 2>"$T/mount.err"; then
	log "SKIPPED: cannot mount a tmpfs: $(cat "$T/mount.err")"
	[ -z "${FAULT_SUMMARY:-}" ] ||
		echo "$NAME skipped 0 0 0 0" >>"$FAULT_SUMMARY"
	exit 0
fi
MOUNTS="$DISK"
CDB="$DISK/central.db"
accepted() { q "$CDB" "SELECT count(*) FROM changesets" 2>/dev/null; }
held() {
	_n=0
	for _d in $DEVICES; do _n=$((_n + $(pending "$T/$_d"))); done
	echo "$_n"
}

province "$NDEV"
log "database after setup: $(du -k "$DISK" | cut -f1) KiB of 2048"
for d in $DEVICES; do start_agent "$d"; done

# --- a filler takes the free space ------------------------------------------
r=0
while [ "$r" -lt "$ROUNDS" ]; do
	dd if=/dev/zero of="$DISK/filler" bs=4k >/dev/null 2>&1
	WRITERS=""
	for d in $DEVICES; do
		writer "$d" "$(sz 20 12)" 0.05
		WRITERS="$WRITERS $WRITER"
	done
	before=$(accepted)
	k=0
	while [ "$k" -lt "$KPR" ]; do
		sleep "$FULL_S"
		kill -0 "$CENTRAL" 2>/dev/null || bad "round $r: the central died"
		# A crash while full: it must come back on a full disk.
		kill_central
		start_central
		k=$((k + 1))
	done
	for w in $WRITERS; do wait "$w"; done
	sleep 1
	kill -0 "$CENTRAL" 2>/dev/null ||
		bad "round $r: the central does not restart on a full disk"
	# (Commits may still land in WAL space already allocated.)
	[ "$(held)" -gt 0 ] || bad "round $r: nothing held while full"
	same "$(q "$CDB" "PRAGMA integrity_check")" ok \
		"round $r: integrity while full"
	log "round $r: disk full for $((FULL_S * KPR)) s, $((KPR)) kills," \
		"$(held) change-sets held, $(($(accepted) - before)) entries" \
		"landed"
	rm -f "$DISK/filler"
	t0=$(now_s)
	wait_drained 60 $DEVICES
	log "round $r: filler removed, drained in $(since_s "$t0") s"
	r=$((r + 1))
done

# --- the data fills the disk ---------------------------------------------------
# Until the central commits nothing for 3 s while devices hold data.
WRITERS=""
for d in $DEVICES; do
	writer "$d" 0 0.02
	WRITERS="$WRITERS $WRITER"
done
last=-1
still=0
lim=$(($(date +%s) + 120))
while [ "$still" -lt 3 ] && [ "$(date +%s)" -lt "$lim" ]; do
	sleep 1
	now=$(accepted)
	if [ "$now" = "$last" ] && [ "$(held)" -gt 0 ]; then
		still=$((still + 1))
	else
		still=0
	fi
	last=$now
done
touch "$T/stop"
for w in $WRITERS; do wait "$w"; done
[ "$still" -ge 3 ] || bad "the data never filled the disk"
kill -0 "$CENTRAL" 2>/dev/null || bad "the central died on a full disk"
same "$(q "$CDB" "PRAGMA integrity_check")" ok "integrity when filled by data"
log "filled by data: $(accepted) log entries, $(held) change-sets held," \
	"$(df -k "$DISK" | awk 'NR == 2 { print $4 }') KiB free"
mount -o remount,size=32m "$DISK" || bad "cannot grow the tmpfs"
t0=$(now_s)
wait_drained 60 $DEVICES
log "tmpfs grown to 32 MiB: drained in $(since_s "$t0") s"

grep -i -E 'full|disk|space' "$T/central.log" | grep -v 'commit: [0-9]' |
	head -3 >"$T/full.lines"
[ -s "$T/full.lines" ] || bad "the central logged no disk-full error"
log "central said: $(head -1 "$T/full.lines" | cut -c1-160)" \
	"($(grep -c 'disk is full' "$T/central.log") such lines)"
grep -h -i -E 'busy|full|refused' "$T"/d*.agent.log | head -1 >"$T/dev.lines"
[ -s "$T/dev.lines" ] || bad "no device was told of an error"
log "a device said: $(head -1 "$T/dev.lines" | cut -c1-160)"
for d in $DEVICES; do stop_agent "$d"; done
stop_central
ACCOUNT_NOTE="$ROUNDS filler rounds with $((ROUNDS * KPR)) kills, one filled by data"
FAULTS=$((ROUNDS + 1))
account
account_selftest
finish
