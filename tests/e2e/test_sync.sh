#!/usr/bin/env bash
# test_sync.sh BUILD: three devices record offline, the central comes up,
# field agents deliver everything exactly once; then the refusals.
NAME=e2e-sync
. "$(dirname "$0")/lib.sh"

PORT=$(free_port)
URL="tcp://127.0.0.1:$PORT"
DATA="$ROOT/deploy/data/lang-son-2024.csv"

# --- the province: admin key, central, reference data ------------------
run_ok "admin init" coso --store "$T/admin" init --cadre admin \
	--name "Ban Tổ chức Tỉnh ủy"
cp "$T/out" "$T/admin.pub"
run_ok "central init" cosod central init --db "$T/central.db" \
	--admin-key "$T/admin.pub" --origin langson.example/coso/sync
cp "$T/out" "$T/central.pub"
same "$(head -c 16 "$T/central.pub")" "coso public key " "central prints its key"
run_ok "admin pin" coso --store "$T/admin" pin --central "$URL" \
	--central-key "$T/central.pub"
run_ok "admin units" coso --store "$T/admin" admin units import "$DATA"
for d in a b c; do
	run_ok "cadre $d" coso --store "$T/admin" admin cadre add --id "cb-$d" \
		--name "Cán bộ $d"
	coso --store "$T/admin" admin token --cadre "cb-$d" >"$T/token-$d"
done
run_ok "cadre f" coso --store "$T/admin" admin cadre add --id cb-f \
	--name "Cán bộ f"
coso --store "$T/admin" admin token --cadre cb-f >"$T/token-f"
run_ok "assign a" coso --store "$T/admin" admin assign --cadre cb-a \
	--unit 06043 --role in-charge --from 2025-01-01
run_ok "assign b" coso --store "$T/admin" admin assign --cadre cb-b \
	--unit 182 --role monitor --from 2025-01-01
run_ok "assign c" coso --store "$T/admin" admin assign --cadre cb-c \
	--unit 06166 --role support --from 2025-01-01

# --- three devices, offline --------------------------------------------
for d in a b c; do
	run_ok "init $d" coso --store "$T/$d" init --cadre "cb-$d" \
		--name "Cán bộ $d" --central "$URL" --central-key "$T/central.pub"
	run_ok "units $d" coso --store "$T/$d" units import "$DATA"
	run_ok "enroll $d" coso --store "$T/$d" enroll "$(cat "$T/token-$d")"
done
n=0
for i in 1 2 3 4 5; do
	coso --store "$T/a" visit add --unit 06043 --date 2025-11-0$i \
		--purpose "Đào Viên lần $i" --proposal "Kiến nghị $i" >/dev/null &&
		n=$((n + 1))
	coso --store "$T/b" visit add --unit 06160 --date 2025-11-0$i \
		--purpose "Gia Miễn lần $i" >/dev/null && n=$((n + 1))
	coso --store "$T/c" visit add --unit 06166 --date 2025-11-0$i \
		--purpose "Tân Thanh lần $i" >/dev/null && n=$((n + 1))
done
same "$n" 15 "15 visits recorded offline"
R=$(coso --store "$T/a" report new --period 2025-Q4 --unit 06043)
for s in results situation difficulties proposals; do
	coso --store "$T/a" report edit "$R" --section $s --text "Phần $s"
done
run_ok "report submit" coso --store "$T/a" report submit "$R"
run_code 2 "sync while the central is down" coso --store "$T/a" sync
same "$(pending "$T/a")" 6 "a: 6 change-sets pending"

# --- the central comes up; agents sync on their own ---------------------
start_central
run_ok "admin sync" coso --store "$T/admin" sync
for d in a b c; do
	"$B/cosod" field run --store "$T/$d" --interval 1 --max-backoff 1 \
		>>"$T/field-$d.log" 2>&1 &
	PIDS="$PIDS $!"
	eval "AGENT_$d=$!"
done
for d in a b c; do
	if wait_synced "$T/$d" 30; then ok; else bad "device $d not synced"; fi
done
same "$(central_count visits)" 15 "central: 15 visits, exactly once"
same "$(central_count reports)" 1 "central: 1 report"
same "$(json_get "$T/stats.json" quarantined)" 0 "nothing quarantined"
for d in a b c; do
	n=$([ $d = a ] && echo 6 || echo 5)
	coso --store "$T/$d" status --json >"$T/st.json"
	same "$(json_get "$T/st.json" receipts)" "$n" \
		"device $d holds a receipt per change-set"
	run_ok "receipts verify $d" coso --store "$T/$d" receipts verify --json
	same "$(grep -o '"status":"ok"' "$T/out" | wc -l)" "$n" \
		"device $d: every receipt, checkpoint and proof verifies"
	same "$(grep -c '"tree_size":[0-9]' "$T/out")" "$n" \
		"device $d: every receipt proves into a checkpoint"
	LANGUAGE=en run_ok "receipts verify $d" coso --store "$T/$d" \
		receipts verify
	same "$(cat "$T/out")" \
		"$n receipts: $n verified, 0 without an inclusion proof, 0 failed" \
		"device $d: receipts verify counts"
done

# --- a stored proof or checkpoint tampered with: verify names the seq ---
# (on consistent copies of a's store, its agent still running)
tampered() {
	mkdir -p "$T/$1"
	cp "$T/a/device.key" "$T/a/device.pub" "$T/$1/"
	sqlite3 "$T/a/store.db" ".backup '$T/$1/store.db'"
	sqlite3 "$T/$1/store.db" "$2"
}
if command -v sqlite3 >/dev/null 2>&1; then
	tampered a-proof "UPDATE receipts SET proof = CAST(substr(proof, 1, 4)
	    || CASE substr(proof, 5, 1) WHEN X'41' THEN X'42' ELSE X'41' END
	    || substr(proof, 6) AS BLOB) WHERE seq = 3"
	LANGUAGE=en run_code 2 "tampered proof found" coso --store "$T/a-proof" \
		receipts verify
	grep -q "change-set 3: receipt fails verification: inclusion proof$" \
		"$T/err" && ok || bad "tampered proof: seq 3 not named"
	same "$(grep -c 'fails verification' "$T/err")" 1 \
		"tampered proof: only seq 3 fails"
	same "$(tail -1 "$T/out")" \
		"6 receipts: 5 verified, 0 without an inclusion proof, 1 failed" \
		"tampered proof: counts"
	tampered a-note "UPDATE checkpoints SET note =
	    substr(note, 1, length(note) - 11)
	    || CASE substr(note, length(note) - 10, 1) WHEN 'A' THEN 'B'
	       ELSE 'A' END
	    || substr(note, length(note) - 9)
	    WHERE size = (SELECT tree_size FROM receipts WHERE seq = 5)"
	LANGUAGE=en run_code 2 "tampered checkpoint found" coso --store \
		"$T/a-note" receipts verify --json
	grep -q "change-set 5: receipt fails verification: checkpoint signature" \
		"$T/err" && ok || bad "tampered checkpoint: seq 5 not named"
	grep -q '"seq":5,.*"status":"failed","ok":0,"check":"checkpoint signature"' \
		"$T/out" && ok || bad "tampered checkpoint: JSON row of seq 5"
else
	echo "note: sqlite3 not found, tampered receipts skipped"
fi

# --- duplicated, reordered, forged and oversized requests (raw wire) ----
kill -TERM "$AGENT_b"
wait "$AGENT_b" 2>/dev/null
for i in 1 2 3; do
	coso --store "$T/b" visit add --unit 06160 --date 2025-11-09 \
		--purpose "Gửi lặp $i" >/dev/null
done
run_ok "reverse order" "$B/wirepush" "$T/b" "$URL" "$T/central.pub" reverse
same "$(cut -d' ' -f2 "$T/out" | tr '\n' ' ')" "4 4 1 " \
	"reversed: two gaps, then the first accepted"
run_ok "duplicates" "$B/wirepush" "$T/b" "$URL" "$T/central.pub" dup
same "$(cut -d' ' -f2 "$T/out" | tr '\n' ' ')" \
	"2 2 1 2 1 2 2 2 2 2 2 2 " "duplicates: each accepted once"
run_ok "b sync after raw pushes" coso --store "$T/b" sync
same "$(pending "$T/b")" 0 "b: all acknowledged"
same "$(central_count visits)" 18 "central: 18 visits, none doubled"
coso --store "$T/b" visit add --unit 06160 --date 2025-11-09 \
	--purpose "Bị giả mạo" >/dev/null
run_ok "forged" "$B/wirepush" "$T/b" "$URL" "$T/central.pub" forge
same "$(cut -d' ' -f2,3 "$T/out")" "3 7" "forged change-set: quarantined, bad signature"
# Junk signed by keys nobody registered, relayed by an enrolled key: no
# log entry for any of it (S1).
TREE=$(central_count tree_size)
run_ok "relayed junk" "$B/wirepush" "$T/b" "$URL" "$T/central.pub" relay
same "$(cut -d' ' -f2,3 "$T/out" | sort | uniq -c | tr -s ' ')" " 100 5 64" \
	"relayed junk: all 100 refused, not the sender's"
same "$(central_count tree_size)" "$TREE" "relayed junk: the log did not grow"
run_ok "b sync after forgery" coso --store "$T/b" sync
same "$(central_count visits)" 19 "the genuine change-set still accepted"
run_ok "oversized" "$B/wirepush" "$T/b" "$URL" "$T/central.pub" big
grep -q "big: no answer" "$T/out" && ok || bad "oversized frame answered"
grep -q "status after big: ok" "$T/out" && ok || bad "central stopped serving"
"$B/cosod" field run --store "$T/b" --interval 1 --max-backoff 1 \
	>>"$T/field-b.log" 2>&1 &
AGENT_b=$!
PIDS="$PIDS $AGENT_b"

# --- an ENROLL whose sender key is negated on the way ------------------
# -P has P's X25519 form: the central must not open the frame, so the
# token is not spent on a key nobody holds and still enrolls the device.
run_ok "init f" coso --store "$T/f" init --cadre cb-f --name "Cán bộ f" \
	--central "$URL" --central-key "$T/central.pub"
A0=$(central_count authors)
run_ok "negated enroll" "$B/wirepush" "$T/f" "$URL" "$T/central.pub" \
	negenroll "$(cat "$T/token-f")" cb-f
same "$(cat "$T/out")" "negenroll: no answer" \
	"ENROLL from the negated key: dropped, unopened"
same "$(central_count authors)" "$A0" "negated key not enrolled"
run_ok "enroll f" coso --store "$T/f" enroll "$(cat "$T/token-f")"
run_ok "f sync: the token still enrolls" coso --store "$T/f" sync --json
grep -q '"enrolled":true' "$T/out" && ok || bad "f not enrolled"
same "$(central_count authors)" "$((A0 + 1))" "f's own key enrolled"

# --- a record for a commune the cadre is not assigned to ----------------
# The device holds its assignments: it refuses before signing what the
# central would quarantine (tests/e2e/test_flows.sh has the quarantine).
run_code 2 "unassigned visit refused on the device" coso --store "$T/c" \
	visit add --unit 06043 --date 2025-11-10 --purpose "Ngoài địa bàn"
same "$(pending "$T/c")" 0 "c: nothing signed for the unassigned visit"
cosod central stats --db "$T/central.db" --json >"$T/stats.json"
same "$(json_get "$T/stats.json" quarantined)" 1 "only the forgery quarantined"
same "$(central_count visits)" 19 "no visit for the unassigned commune"

# --- replayed enrollment token ------------------------------------------
run_ok "init d" coso --store "$T/d" init --cadre cb-a --name "Kẻ mạo danh" \
	--central "$URL" --central-key "$T/central.pub"
coso --store "$T/d" units import "$DATA" >/dev/null
run_ok "enroll d with a used token" coso --store "$T/d" enroll \
	"$(cat "$T/token-a")"
run_code 2 "replayed token refused" coso --store "$T/d" sync
grep -q -i "token" "$T/err" && ok || bad "replayed token: no reason given"
# Said once, with what to do (it was "enrollment refused: X: X: X").
same "$(grep -o "enrollment token unknown, used or expired" "$T/err" |
	wc -l)" 1 "replayed token: the reason said once"
grep -q "ask the office for a new token" "$T/err" && ok ||
	bad "replayed token: no word of a new token"
# Unauthenticated ENROLLs, one after another: each refused, nothing
# stored, and the central's log does not grow a line per request (S11).
TREE=$(central_count tree_size)
LINES=$(wc -l <"$T/central.log")
run_ok "300 enrollments with tokens nobody issued" "$B/wirepush" "$T/d" \
	"$URL" "$T/central.pub" enroll
same "$(cat "$T/out")" "enroll 300 300" "every unissued token refused"
same "$(central_count tree_size)" "$TREE" "refused enrollments: nothing stored"
n=$(($(wc -l <"$T/central.log") - LINES))
[ "$n" -le 1 ] && ok || bad "refused enrollments: $n log lines for 300"

# --- a device pinned to the wrong central key ---------------------------
coso --store "$T/e" init --cadre cb-e --name "Sai khoá" >/dev/null
run_ok "pin wrong key" coso --store "$T/e" pin --central "$URL" \
	--central-key "$T/admin.pub"
run_code 2 "wrong central key refused" coso --store "$T/e" sync

# --- kill -9 of the central during pushes: nothing lost, nothing doubled -
for k in 1 2 3; do
	for i in $(seq 1 20); do
		coso --store "$T/a" visit add --unit 06043 --date 2025-11-12 \
			--purpose "Sau sự cố $k-$i" >/dev/null
	done
	sleep 0.$((RANDOM % 5))
	kill -9 "$CENTRAL"
	wait "$CENTRAL" 2>/dev/null
	start_central
done
if wait_synced "$T/a" 60; then ok; else bad "a not synced after kills"; fi
same "$(central_count visits)" 79 "after 3 kills: 79 visits, none lost or doubled"

# --- many requests at once from several devices: each answered ---------
# Three devices each send 8 PUSHes of the same new change-sets and 8
# PULLs, all in flight at once (48 requests: more than the central's
# workers).  Every request gets its whole answer, each change-set is
# accepted once (the rest duplicates) and stored once.
for d in a b c; do
	eval "kill -TERM \$AGENT_$d; wait \$AGENT_$d" 2>/dev/null
done
for i in 1 2 3 4; do
	coso --store "$T/a" visit add --unit 06043 --date 2025-11-14 \
		--purpose "Dồn dập a$i" >/dev/null
	coso --store "$T/b" visit add --unit 06160 --date 2025-11-14 \
		--purpose "Dồn dập b$i" >/dev/null
	coso --store "$T/c" visit add --unit 06166 --date 2025-11-14 \
		--purpose "Dồn dập c$i" >/dev/null
done
TREE=$(central_count tree_size)
for d in a b c; do
	eval "P_$d=$(pending "$T/$d")"
	"$B/wirepush" "$T/$d" "$URL" "$T/central.pub" storm >"$T/storm-$d" &
	eval "STORM_$d=$!"
done
for d in a b c; do
	eval "wait \$STORM_$d" || bad "storm $d: exit $?"
	eval "p=\$P_$d"
	same "$p" 4 "storm $d: 4 change-sets pending"
	same "$(cat "$T/storm-$d")" "storm 16 $p $((7 * p)) 0 8" \
		"storm $d: 16 answered, each change-set accepted once, 8 pulls"
done
same "$(central_count visits)" 91 "storm: 12 visits stored, none doubled"
same "$(central_count tree_size)" "$((TREE + 12))" \
	"storm: 12 log entries, duplicates not logged"
for d in a b c; do
	run_ok "sync $d after the storm" coso --store "$T/$d" sync
	same "$(pending "$T/$d")" 0 "$d: the storm's change-sets acknowledged"
	"$B/cosod" field run --store "$T/$d" --interval 1 --max-backoff 1 \
		>>"$T/field-$d.log" 2>&1 &
	PIDS="$PIDS $!"
	eval "AGENT_$d=$!"
done

# --- revocation ------------------------------------------------------------
# The full key id: SHA-256 of the public key, the last 32 bytes of the
# key file's blob.
KEYB=$(sed -n 2p "$T/b/device.pub" | base64 -d | tail -c 32 | sha256sum |
	cut -d' ' -f1)
run_ok "revoke b" coso --store "$T/admin" admin revoke --key "$KEYB"
run_ok "admin sync revoke" coso --store "$T/admin" sync
kill -TERM "$AGENT_b"
wait "$AGENT_b" 2>/dev/null
TREE=$(central_count tree_size)
coso --store "$T/b" visit add --unit 06160 --date 2025-11-13 \
	--purpose "Sau khi thu hồi khoá" >/dev/null
# A revoked key adds nothing to the log: its push is refused whole, and
# so is anything it relays (S1).  The visit stays on its device.
run_code 2 "revoked key's push refused" coso --store "$T/b" sync
grep -q -i "revoked" "$T/err" && ok || bad "revoked push: no reason given"
same "$(pending "$T/b")" 1 "revoked key's visit kept on the device"
run_ok "relay from a revoked key" "$B/wirepush" "$T/b" "$URL" \
	"$T/central.pub" relay
same "$(cut -d' ' -f2,3 "$T/out" | sort -u)" "5 63" \
	"revoked relay: all refused as revoked"
same "$(central_count tree_size)" "$TREE" "nothing stored from a revoked key"
same "$(central_count visits)" 91 "revoked key's visit not merged"

# --- rotation: a's commune passes to c; c pulls a's history -------------
run_ok "rotate" coso --store "$T/admin" admin rotate --cadre cb-a \
	--unit 06043 --to-cadre cb-c --date 2025-11-20 --note "Bàn giao Đào Viên"
run_ok "admin sync rotate" coso --store "$T/admin" sync
run_ok "c sync" coso --store "$T/c" sync
coso --store "$T/c" visit list --unit 06043 --json >"$T/c-visits.json"
same "$(grep -o '"Đào Viên lần [0-9]"' "$T/c-visits.json" | sort -u | wc -l)" 5 \
	"c sees a's visits to Đào Viên"

# --- a change-set altered in the central's store: devices refuse it -----
# One byte of a's visit "Đào Viên lần 3" changed in central.db; a copy of
# c's store pulls from scratch and must store nothing of the reply.
if command -v sqlite3 >/dev/null 2>&1; then
	V3="CAST('Đào Viên lần 3' AS BLOB)"
	W="FROM changesets WHERE instr(bytes, $V3) > 0"
	ORIG=$(sqlite3 "$T/central.db" "SELECT hex(bytes) $W")
	sqlite3 "$T/central.db" "UPDATE changesets SET bytes = CAST(
	    substr(bytes, 1, instr(bytes, $V3) + length($V3) - 2) || X'38'
	    || substr(bytes, instr(bytes, $V3) + length($V3)) AS BLOB)
	    WHERE instr(bytes, $V3) > 0"
	mkdir -p "$T/c-pull"
	cp "$T/c/device.key" "$T/c/device.pub" "$T/c-pull/"
	sqlite3 "$T/c/store.db" ".backup '$T/c-pull/store.db'"
	sqlite3 "$T/c-pull/store.db" "DELETE FROM visits WHERE purpose LIKE
	    'Đào Viên lần %'; DELETE FROM meta WHERE key = 'pull_cursor'"
	LANGUAGE=en run_code 2 "altered pull refused" coso --store "$T/c-pull" sync
	grep -q "does not verify" "$T/err" && ok ||
		bad "altered pull: no reason given: $(cat "$T/err")"
	same "$(sqlite3 "$T/c-pull/store.db" "SELECT count(*) FROM visits
	    WHERE purpose LIKE 'Đào Viên lần %'")" 0 "altered pull: nothing stored"
	same "$(sqlite3 "$T/c-pull/store.db" "SELECT count(*) FROM meta
	    WHERE key = 'pull_cursor'")" 0 "altered pull: the cursor stays"
	sqlite3 "$T/central.db" "UPDATE changesets SET bytes = X'$ORIG'
	    WHERE instr(bytes, CAST('Đào Viên lần 8' AS BLOB)) > 0"
	run_ok "repaired pull" coso --store "$T/c-pull" sync
	same "$(sqlite3 "$T/c-pull/store.db" "SELECT count(*) FROM visits
	    WHERE purpose LIKE 'Đào Viên lần %'")" 5 "repaired pull: all five"
else
	echo "note: sqlite3 not found, altered pull skipped"
fi

# --- rebuild gives the same digest --------------------------------------
stop_central
run_ok "digest" cosod central digest --db "$T/central.db"
D1=$(cat "$T/out")
run_ok "rebuild" cosod central rebuild --db "$T/central.db" --out "$T/rebuilt.db"
run_ok "digest rebuilt" cosod central digest --db "$T/rebuilt.db"
same "$(cat "$T/out")" "$D1" "rebuild reproduces the digest"
finish
