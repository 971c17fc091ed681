#!/usr/bin/env bash
# test_audit.sh BUILD: coso-audit against a real central over its HTTP API.
# An untouched log verifies clean (in full, then incrementally) and
# rebuilds to the central's digest; then each tampering of the provincial
# database, made with sqlite3 on a copy served by its own central, is
# detected and named; an unreachable central is told apart (exit 3).
NAME=e2e-audit
. "$(dirname "$0")/lib.sh"

PORT=$(free_port)
URL="tcp://127.0.0.1:$PORT"
URL0=$URL # where the devices are pinned
DATA="$ROOT/deploy/data/lang-son-2024.csv"

audit() { "$B/coso-audit" "$@"; }

# serve DB HTTPPORT: a central on DB with the HTTP API on HTTPPORT and a
# sync listener of its own; a sync port taken meanwhile is picked again.
serve() {
	for _try in 1 2 3 4 5; do
		_sp=$(free_port)
		"$B/cosod" central run --db "$1" --listen "tcp://127.0.0.1:$_sp" \
			--http "127.0.0.1:$2" ${3:+--http-token "$3"} \
			>>"$T/serve.log" 2>&1 &
		SERVED=$!
		PIDS="$PIDS $SERVED"
		for _i in $(seq 50); do
			kill -0 "$SERVED" 2>/dev/null || break
			(exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null && return 0
			sleep 0.1
		done
	done
	bad "cannot serve $1"
}
unserve() {
	kill -TERM "$SERVED" 2>/dev/null
	wait "$SERVED" 2>/dev/null
}

# audit_json CODE DESC STATE HTTPPORT CMD...: runs coso-audit --json,
# expects the exit code; the answer is left in $T/audit.json.
audit_json() {
	_want=$1 _desc=$2 _st=$3 _hp=$4
	shift 4
	audit --central "http://127.0.0.1:$_hp" --central-key "$T/central.pub" \
		--state "$_st" --json "$@" >"$T/audit.json" 2>"$T/audit.err"
	_got=$?
	if [ "$_got" -eq "$_want" ]; then ok; else
		bad "$_desc: exit $_got, wanted $_want"
		cat "$T/audit.json" "$T/audit.err"
	fi
}
# has WHAT [INDEX]: the last answer names the anomaly (at the index).
has() {
	[ -n "${AUDIT_DEBUG:-}" ] && jq -c ".anomalies[] | [.what, .index, .message]" "$T/audit.json" | head -5
	if [ -n "${2:-}" ]; then
		_n=$(jq "[.anomalies[] | select(.what == \"$1\" and .index == $2)]
			| length" "$T/audit.json")
	else
		_n=$(jq "[.anomalies[] | select(.what == \"$1\")] | length" \
			"$T/audit.json")
	fi
	if [ "${_n:-0}" -ge 1 ]; then ok; else
		bad "anomaly $1 ${2:-} not reported"; cat "$T/audit.json"; fi
}

# --- a province with two devices and their visits ------------------------
run_ok "admin init" coso --store "$T/admin" init --cadre admin \
	--name "Ban Tổ chức Tỉnh ủy"
cp "$T/out" "$T/admin.pub"
# The origin names the log for good (C2SP tlog-checkpoint: a schema-less
# URL under the operator's domain): there is no default, and what is not
# such a URL is refused before anything is created.
run_code 1 "init without --origin" cosod central init --db "$T/o.db" \
	--admin-key "$T/admin.pub"
grep -q -- "--origin" "$T/err" && ok || bad "the refusal names --origin"
for o in "https://langson.example/coso" "Lang-Son.example/coso" \
	"localhost/coso" "10.0.0.1/coso" "langson.example/coso/" \
	"langson.example:8080/coso" "langson.example//coso" \
	"langson.example/co so" "langson.example/co+so" "-x.example/coso" \
	".example/coso" "langson./coso" ""; do
	run_code 1 "origin \`$o'" cosod central init --db "$T/o.db" \
		--admin-key "$T/admin.pub" --origin "$o"
done
[ ! -e "$T/o.db" ] && [ ! -e "$T/o.db.key" ] && ok ||
	bad "a refused origin creates nothing"
run_ok "a URL-like origin" cosod central init --db "$T/o.db" \
	--admin-key "$T/admin.pub" --origin "langson.example/coso/a_b~1.2-3"
same "$(sqlite3 "$T/o.db" "SELECT value FROM meta WHERE key = 'origin'")" \
	"langson.example/coso/a_b~1.2-3" "the origin is stored as given"
run_ok "central init" cosod central init --db "$T/central.db" \
	--admin-key "$T/admin.pub" --origin "lang-son.coso/audit-test"
cp "$T/out" "$T/central.pub"
same "$(cosod central checkpoint --db "$T/central.db" | head -1)" \
	"lang-son.coso/audit-test" "checkpoints carry the origin"
run_ok "admin pin" coso --store "$T/admin" pin --central "$URL" \
	--central-key "$T/central.pub"
run_ok "units" coso --store "$T/admin" admin units import "$DATA"
for d in a b; do
	run_ok "cadre $d" coso --store "$T/admin" admin cadre add --id "cb-$d" \
		--name "Cán bộ $d"
	coso --store "$T/admin" admin token --cadre "cb-$d" >"$T/token-$d"
	run_ok "init $d" coso --store "$T/$d" init --cadre "cb-$d" \
		--name "Cán bộ $d" --central "$URL" --central-key "$T/central.pub"
	run_ok "units $d" coso --store "$T/$d" units import "$DATA"
done
run_ok "assign a" coso --store "$T/admin" admin assign --cadre cb-a \
	--unit 06043 --role in-charge --from 2025-01-01
run_ok "assign b" coso --store "$T/admin" admin assign --cadre cb-b \
	--unit 06160 --role monitor --from 2025-01-01
start_central
run_ok "admin sync" coso --store "$T/admin" sync
for d in a b; do
	run_ok "enroll $d" coso --store "$T/$d" enroll "$(cat "$T/token-$d")"
done
for i in 1 2 3 4 5 6; do
	coso --store "$T/a" visit add --unit 06043 --date 2025-11-0$i \
		--purpose "Thăm thôn Đào Viên lần $i" >/dev/null
	coso --store "$T/b" visit add --unit 06160 --date 2025-11-0$i \
		--purpose "Làm việc với xã Gia Miễn lần $i" >/dev/null
done
run_ok "sync a" coso --store "$T/a" sync
run_ok "sync b" coso --store "$T/b" sync
stop_central
cp "$T/central.db" "$T/old.db" # a copy for the rollback below

# --- untouched: verifies clean, in full and incrementally ----------------
H=$(free_port)
serve "$T/central.db" "$H"
SIZE=$(cosod central stats --db "$T/central.db" --json | jq .tree_size)
audit_json 0 "clean full verify" "$T/state" "$H" verify --full
same "$(jq .ok "$T/audit.json")" true "clean log: ok"
same "$(jq .tree_size "$T/audit.json")" "$SIZE" "verified the whole tree"
same "$(jq .checked "$T/audit.json")" "$SIZE" "every entry checked"
same "$(jq '.anomalies | length' "$T/audit.json")" 0 "no anomaly"
same "$(jq -r .root "$T/audit.json")" \
	"$(cosod central checkpoint --db "$T/central.db" | sed -n 3p)" \
	"root is the checkpoint's"
run_ok "receipts verify offline (a)" coso --store "$T/a" receipts verify
unserve
cp -r "$T/state" "$T/state-early"

# more visits; the next run checks only the new entries
start_central
coso --store "$T/a" visit add --unit 06043 --date 2025-11-09 \
	--purpose "Thăm hộ nghèo" >/dev/null
run_ok "sync a again" coso --store "$T/a" sync
stop_central
SIZE2=$(cosod central stats --db "$T/central.db" --json | jq .tree_size)
serve "$T/central.db" "$H"
audit_json 0 "incremental verify" "$T/state" "$H" verify
same "$(jq .from "$T/audit.json")" "$SIZE" "incremental: starts where it stopped"
same "$(jq .checked "$T/audit.json")" "$((SIZE2 - SIZE))" "only new entries"
audit_json 0 "rebuild" "$T/state" "$H" rebuild
same "$(jq -r .rebuilt_digest "$T/audit.json")" \
	"$(cosod central digest --db "$T/central.db")" "rebuilt digest"
same "$(jq -r .central_digest "$T/audit.json")" \
	"$(cosod central digest --db "$T/central.db")" "central's digest"
unserve
cp -r "$T/state" "$T/clean-state"

# fresh NAME: a copy of the clean central (with its key) at $T/NAME.
fresh() {
	rm -rf "$T/$1" "$T/$1-wal" "$T/$1-shm"
	cp "$T/central.db" "$T/$1"
	cp "$T/central.db.key" "$T/$1.key"
}
# sql DB STATEMENTS: sqlite3 that waits for a central holding the lock.
sql() { sqlite3 -cmd ".timeout 5000" "$@"; }

# tamper SQL: a copy of the clean central, served, then changed with
# sqlite3 under the running central (which checks its log at start and
# would refuse a copy changed before).
tamper() {
	rm -rf "$T/tstate"
	fresh t.db
	cp -r "$T/clean-state" "$T/tstate"
	serve "$T/t.db" "$H"
	sql "$T/t.db" "$1"
}

# --- a visit's text changed in the provincial database ----------------
tamper "UPDATE visits SET purpose = 'Đã sửa'
	WHERE id = (SELECT min(id) FROM visits)"
rm -rf "$T/tstate" && cp -r "$T/state-early" "$T/tstate"
audit_json 1 "edited visit" "$T/tstate" "$H" rebuild
has digest
same "$(jq -r ".anomalies[0].message" "$T/audit.json" | grep -o "(visits)")" "(visits)" "names the table"
same "$(sqlite3 "$T/tstate/audit.db" "SELECT value FROM meta
	WHERE key = 'checkpoint'" | sed -n 2p)" "$SIZE" \
	"a failed rebuild leaves the state where it was"
unserve

# --- a change-set row deleted ---------------------------------------------
tamper "DELETE FROM changesets WHERE position = 5"
audit_json 1 "deleted row" "$T/tstate" "$H" verify --full
has entry_missing 5
unserve

# --- a leaf rewritten: its received time, then the stored leaf hash -------
tamper "UPDATE changesets SET received_ms = received_ms - 86400000
	WHERE position = 7"
audit_json 1 "rewritten received time" "$T/tstate" "$H" verify --full
has leaf_hash 7
unserve
tamper "UPDATE tree_hashes SET hash = zeroblob(32) WHERE start = 8
	AND size = 1"
audit_json 1 "rewritten leaf hash" "$T/tstate" "$H" verify --full
has leaf_hash 8
unserve

# --- a change-set's bytes altered (one byte of its body) -----------------
tamper "UPDATE changesets SET bytes = substr(bytes, 1, 99) || x'00' ||
	substr(bytes, 101) WHERE position = 9"
audit_json 1 "altered bytes" "$T/tstate" "$H" verify --full
has entry_id 9
unserve

# --- forged entries: an altered change-set inserted as accepted, with the
# reason a central could set to dodge the checks (reason and sender are not
# in the leaf); the central then signs a checkpoint over them ------------
rm -rf "$T/tstate" && cp -r "$T/clean-state" "$T/tstate"
fresh t.db
"$B/cosod" central run --db "$T/t.db" --listen "$URL0" >>"$T/serve.log" 2>&1 &
SERVED=$!
PIDS="$PIDS $SERVED"
sleep 0.5
POS=$(sql "$T/t.db" "SELECT position FROM changesets WHERE verdict = 1
	AND instr(bytes, CAST('Gia Miễn lần 6' AS BLOB)) > 0")
sql "$T/t.db" "SELECT writefile('$T/cs.bin', bytes) FROM changesets
	WHERE position = $POS" >/dev/null
HEX=$(xxd -p "$T/cs.bin" | tr -d '\n')
SIX=$(printf 'lần 6' | xxd -p)
FIRST=$(sql "$T/t.db" "SELECT max(position) + 1 FROM changesets")
# reason 7 (bad signature), 64 (not the sender) from a's key, 60 (fork)
for f in "7 7 author" "8 64 (SELECT author FROM changesets WHERE
	instr(bytes, CAST('Đào Viên' AS BLOB)) > 0 LIMIT 1)" "9 60 author"; do
	set -- $f
	n=$1 reason=$2
	shift 2
	printf '%s' "${HEX/$SIX/$(printf 'lần %s' "$n" | xxd -p)}" | xxd -r -p \
		>"$T/cs$n.bin"
	sql "$T/t.db" "INSERT INTO changesets SELECT
		(SELECT max(position) + 1 FROM changesets),
		X'$(sha256sum "$T/cs$n.bin" | cut -c1-64)', author, $*, seq, hlc,
		received_ms + 1, 1, $reason, readfile('$T/cs$n.bin'), receipt
		FROM changesets WHERE position = $POS"
done
same "$(sql "$T/t.db" "SELECT count(*) FROM changesets
	WHERE position >= $FIRST")" 3 "three forged rows"
coso --store "$T/b" visit add --unit 06160 --date 2025-11-10 \
	--purpose "Sau khi giả mạo" >/dev/null
run_ok "a real push signs a checkpoint over the forgeries" \
	coso --store "$T/b" sync
unserve
serve "$T/t.db" "$H"
audit_json 1 "forged entries (incremental)" "$T/tstate" "$H" verify
for i in 0 1 2; do has wrong_verdict $((FIRST + i)); done
has bad_signature "$FIRST"
audit_json 1 "rebuild on forged entries" "$T/tstate" "$H" rebuild
has bad_signature "$FIRST"
audit_json 1 "the state did not advance" "$T/tstate" "$H" verify --full
has wrong_verdict "$FIRST"
unserve

# --- rollback: an older copy of the database restored --------------------
rm -rf "$T/tstate" && cp -r "$T/clean-state" "$T/tstate"
cp "$T/central.db.key" "$T/old.db.key"
serve "$T/old.db" "$H"
audit_json 1 "rollback" "$T/tstate" "$H" verify
has rollback
unserve

# --- a checkpoint signed by another key: another central at the address,
# under the same origin --------------------------------------------------
rm -rf "$T/k.db" "$T/tstate" && cp -r "$T/clean-state" "$T/tstate"
run_ok "other central" cosod central init --db "$T/k.db" \
	--admin-key "$T/admin.pub" --origin "lang-son.coso/audit-test"
serve "$T/k.db" "$H"
audit_json 1 "another key" "$T/tstate" "$H" verify
has checkpoint_signature
same "$(jq -c '[.tree_size, .root, .origin, .keys]' "$T/audit.json")" \
	"[null,null,null,null]" "nothing unverified is reported as verified"
unserve

# --- the human summary says what was and was not verified ----------------
serve "$T/k.db" "$H"
audit --central "http://127.0.0.1:$H" --central-key "$T/central.pub" \
	--state "$T/tstate" verify >"$T/human.out" 2>&1
grep -q "^checkpoint: none verified$" "$T/human.out" && ok ||
	{ bad "a failed signature: none verified"; cat "$T/human.out"; }
grep -q "root\|key registry" "$T/human.out" &&
	bad "no root or registry claimed after a failed signature" || ok
unserve
tamper "DELETE FROM changesets WHERE position = 5"
rm -rf "$T/tstate"
audit --central "http://127.0.0.1:$H" --central-key "$T/central.pub" \
	--state "$T/tstate" verify >"$T/human.out" 2>&1
grep -q "^checked $((SIZE2 - 1)) of the $SIZE2 entries 0 to $((SIZE2 - 1)) (1 missing or not served)" \
	"$T/human.out" && ok || { bad "entry 5 missing: counted honestly"; cat "$T/human.out"; }
audit_json 1 "entry 5 missing" "$T/tstate" "$H" verify
same "$(jq -c '[.checked, .unchecked]' "$T/audit.json")" \
	"[$((SIZE2 - 1)),1]" "checked and unchecked counts"
unserve

# --- the checkpoint verifier key (C2SP signed-note) ---------------------
VKEY=$(cosod central vkey --db "$T/central.db")
case "$VKEY" in
"lang-son.coso/audit-test+"????????"+"*) ok ;;
*) bad "vkey: \`$VKEY'" ;;
esac
same "$(printf '%s' "$VKEY" | cut -d+ -f3- | base64 -d | tail -c 32 | xxd -p -c 64)" \
	"$(sed -n 2p "$T/central.pub" | base64 -d 2>/dev/null | tail -c 32 | xxd -p -c 64)" \
	"the vkey's key is the central key"
# The key id by the signed-note formula: SHA-256(name \n 0x01 pk)[:4].
KID=$( { printf 'lang-son.coso/audit-test\n\001'
	printf '%s' "$VKEY" | cut -d+ -f3- | base64 -d | tail -c 32; } |
	openssl dgst -sha256 -binary | head -c 4 | xxd -p)
same "$(printf '%s' "$VKEY" | cut -d+ -f2)" "$KID" "the vkey's key id"
run_ok "init prints the vkey" cosod central init --db "$T/v.db" \
	--admin-key "$T/admin.pub" --origin "langson.example/coso/v"
grep -qx "$(cosod central vkey --db "$T/v.db")" "$T/err" && ok ||
	bad "init's vkey line"
serve "$T/central.db" "$H"
same "$(curl -s "http://127.0.0.1:$H/api/v1/vkey")" "$VKEY" "GET /api/v1/vkey"
rm -rf "$T/vstate"
audit_json 0 "the vkey as the pin" "$T/vstate" "$H" verify
audit --central "http://127.0.0.1:$H" --central-key "$VKEY" \
	--state "$T/vstate" --json verify >"$T/audit.json" 2>"$T/audit.err" &&
	ok || { bad "--central-key VKEY"; cat "$T/audit.err"; }
printf '%s\n' "$VKEY" >"$T/central.vkey"
audit --central "http://127.0.0.1:$H" --central-key "$T/central.vkey" \
	--state "$T/vstate" --json verify --full >"$T/audit.json" \
	2>"$T/audit.err" && ok || { bad "--central-key FILE.vkey"; cat "$T/audit.err"; }
# The same key under another name pins another log.
OTHER="langson.example/other"
OKID=$( { printf '%s\n\001' "$OTHER"
	printf '%s' "$VKEY" | cut -d+ -f3- | base64 -d | tail -c 32; } |
	openssl dgst -sha256 -binary | head -c 4 | xxd -p)
rm -rf "$T/vstate2"
audit --central "http://127.0.0.1:$H" \
	--central-key "$OTHER+$OKID+$(printf '%s' "$VKEY" | cut -d+ -f3-)" \
	--state "$T/vstate2" --json verify >"$T/audit.json" 2>"$T/audit.err"
same "$?" 1 "a vkey of another name: exit 1"
has checkpoint_signature
run_code 2 "a vkey with a wrong key id" "$B/coso-audit" \
	--central "http://127.0.0.1:$H" \
	--central-key "$OTHER+$KID+$(printf '%s' "$VKEY" | cut -d+ -f3-)" \
	--state "$T/vstate3" verify
unserve

# --- cosod central run checks its log against its newest signed checkpoint
# at start: a copy changed with sqlite3 is refused, and nothing is written.
# refused DESC WORDS SQL
refused() {
	fresh r.db
	sql "$T/r.db" "$3"
	_db="SELECT (SELECT group_concat(size) FROM checkpoints) || '/' ||
		(SELECT count(*) FROM tree_hashes) || '/' ||
		(SELECT count(*) FROM changesets)"
	_before=$(sql "$T/r.db" "$_db")
	run_code 2 "run refuses: $1" timeout 10 "$B/cosod" central run \
		--db "$T/r.db" --listen "tcp://127.0.0.1:$(free_port)"
	if grep -q "refusing to serve" "$T/err" && grep -q -- "$2" "$T/err"
	then ok; else bad "run names why ($1): $2"; cat "$T/err"; fi
	same "$(sql "$T/r.db" "$_db")" "$_before" "a refused run writes nothing ($1)"
}
LAST="(SELECT max(position) FROM changesets)"
# The last two entries swapped (whole rows), the tree then recomputed from
# the rows by whoever opens the database next.
SWAP="UPDATE changesets SET position = -1 WHERE position = $((SIZE2 - 2));
	UPDATE changesets SET position = $((SIZE2 - 2))
	WHERE position = $((SIZE2 - 1));
	UPDATE changesets SET position = $((SIZE2 - 1)) WHERE position = -1;
	DELETE FROM tree_hashes"
same "$(sqlite3 "$T/central.db" "SELECT hex(author) FROM changesets
	WHERE position >= $((SIZE2 - 2))" | sort -u | wc -l)" 2 \
	"the last two entries are by two authors"
refused "checkpoint altered" "does not verify with the central key" \
	"UPDATE checkpoints SET note = replace(note, char(10) || size || char(10),
	char(10) || (size + 1) || char(10)) WHERE size = (SELECT max(size)
	FROM checkpoints)"
refused "last entry removed" "entries were removed at its end" \
	"DELETE FROM changesets WHERE position = $LAST;
	DELETE FROM tree_hashes WHERE start + size >
	(SELECT count(*) FROM changesets)"
refused "middle entry removed" "1 removed" \
	"DELETE FROM changesets WHERE position = 5"
refused "entry appended" "entries were added unsigned" \
	"INSERT INTO changesets SELECT position + 1, randomblob(32), author,
	sender, seq + 1, hlc, received_ms, verdict, reason, bytes, receipt
	FROM changesets WHERE position = $LAST"
refused "last received time changed" "entry $((SIZE2 - 1)): its row does not give the leaf" \
	"UPDATE changesets SET received_ms = received_ms - 1
	WHERE position = $LAST"
refused "last bytes changed" "entry $((SIZE2 - 1)): its bytes do not hash" \
	"UPDATE changesets SET bytes = substr(bytes, 1, 99) || x'00' ||
	substr(bytes, 101) WHERE position = $LAST"
refused "a stored subtree changed" "the stored tree" \
	"UPDATE tree_hashes SET hash = zeroblob(32) WHERE start = 0 AND size = 16"
refused "two entries swapped, tree recomputed" "the stored tree" \
	"$SWAP"
refused "checkpoints deleted" "no signed checkpoint" \
	"DELETE FROM checkpoints"

# --- cosod central rebuild compares the rebuilt tree with every signed
# checkpoint and the rebuilt state with the source's ----------------------
rm -f "$T/rb.db" "$T/rb.db.key"
run_ok "rebuild of the clean central" cosod central rebuild \
	--db "$T/central.db" --out "$T/rb.db"
same "$(cat "$T/out")" "$(cosod central digest --db "$T/central.db")" \
	"rebuilt digest"
same "$(sqlite3 "$T/rb.db" "SELECT group_concat(size || note, '|')
	FROM checkpoints")" "$(sqlite3 "$T/central.db" "SELECT group_concat(
	size || note, '|') FROM checkpoints")" "the signed checkpoints come along"
cp "$T/central.db.key" "$T/rb.db.key"
serve "$T/rb.db" "$H"
rm -rf "$T/rbstate" && cp -r "$T/clean-state" "$T/rbstate"
audit_json 0 "a rebuilt central runs and verifies" "$T/rbstate" "$H" verify --full
unserve
# rebuild_fails DESC WORDS SQL: a copy changed by SQL does not rebuild.
rebuild_fails() {
	fresh r.db
	rm -f "$T/rb.db"
	sql "$T/r.db" "$3"
	run_code 2 "rebuild: $1" cosod central rebuild --db "$T/r.db" \
		--out "$T/rb.db"
	if grep -q -- "$2" "$T/err"; then ok; else
		bad "rebuild names what differs ($1): $2"; cat "$T/err"; fi
}
rebuild_fails "visit edited" "differs from the source's in visits" \
	"UPDATE visits SET purpose = 'Đã sửa' WHERE id = (SELECT min(id)
	FROM visits)"
rebuild_fails "log cut at its end" \
	"a checkpoint is signed for $SIZE2 entries; the log gives $((SIZE2 - 1))" \
	"DELETE FROM changesets WHERE position = $LAST;
	DELETE FROM tree_hashes WHERE start + size >
	(SELECT count(*) FROM changesets)"
rebuild_fails "two entries swapped, tree recomputed" \
	"the checkpoint signed for $((SIZE2 - 1)) entries has root" \
	"$SWAP"
rebuild_fails "an old checkpoint altered" \
	"stored for 8 entries does not verify" \
	"UPDATE checkpoints SET note = replace(note, char(10) || '8' ||
	char(10), char(10) || '7' || char(10)) WHERE size = 8"

# --- a fork: the same key signs another history of the same size ---------
rm -rf "$T/fork.db" "$T/fork.db-wal" "$T/fork.db-shm"
cp "$T/old.db" "$T/fork.db" && cp "$T/central.db.key" "$T/fork.db.key"
"$B/cosod" central run --db "$T/fork.db" --listen "$URL0" \
	>>"$T/serve.log" 2>&1 &
SERVED=$!
PIDS="$PIDS $SERVED"
sleep 0.5
run_ok "fork: another change" coso --store "$T/admin" admin cadre add \
	--id cb-x --name "Cán bộ x"
run_ok "fork: pushed to the copy" coso --store "$T/admin" sync
unserve
same "$(cosod central stats --db "$T/fork.db" --json | jq .tree_size)" \
	"$SIZE2" "the fork has as many entries"
cosod central checkpoint --db "$T/central.db" >"$T/cp-main"
cosod central checkpoint --db "$T/fork.db" >"$T/cp-fork"
cmp -s "$T/cp-main" "$T/cp-fork" && bad "the fork's root differs" || ok
serve "$T/fork.db" "$H"
rm -rf "$T/tstate" && cp -r "$T/clean-state" "$T/tstate"
audit_json 1 "fork" "$T/tstate" "$H" verify
has fork
EV=$(jq -r '.evidence[0].dir' "$T/audit.json")
case "$EV" in "$T/tstate/evidence/fork-$SIZE2-$SIZE2-"*) ok ;;
*) bad "fork evidence dir: $EV" ;; esac
cmp -s "$EV/verified.note" "$T/cp-main" && ok || bad "the note verified before is kept"
cmp -s "$EV/served.note" "$T/cp-fork" && ok || bad "the forked note is kept"
same "$(jq -r '.evidence[0].served' "$T/audit.json")" "$(cat "$T/cp-fork")" \
	"the JSON shows the served note"
audit --central "http://127.0.0.1:$H" --central-key "$T/central.pub" \
	--state "$T/tstate" verify >"$T/human.out" 2>&1
for f in cp-main cp-fork; do
	grep -qF "$(sed -n 3p "$T/$f")" "$T/human.out" && ok ||
		bad "the human output shows both roots ($f)"
done
same "$(ls "$T/tstate/evidence" | wc -l)" 1 "a rerun keeps the pair once"
unserve
# The rollback above kept its pair too.
serve "$T/old.db" "$H"
rm -rf "$T/tstate" && cp -r "$T/clean-state" "$T/tstate"
audit_json 1 "rollback evidence" "$T/tstate" "$H" verify
cmp -s "$(jq -r '.evidence[0].dir' "$T/audit.json")/verified.note" \
	"$T/cp-main" && ok || bad "rollback: the note verified before is kept"
cmp -s "$(jq -r '.evidence[0].dir' "$T/audit.json")/served.note" \
	<(cosod central checkpoint --db "$T/old.db") && ok ||
	bad "rollback: the served note is kept"
unserve

# --- old checkpoints: every stored one is served and checked --------------
start_central
coso --store "$T/a" visit add --unit 06043 --date 2025-11-11 \
	--purpose "Thăm lại thôn" >/dev/null
run_ok "sync a once more" coso --store "$T/a" sync
stop_central
serve "$T/central.db" "$H"
same "$(curl -s "http://127.0.0.1:$H/api/v1/checkpoints?from=$SIZE2&count=1" |
	jq -r '.checkpoints[0].note')" "$(cat "$T/cp-main")" \
	"GET /api/v1/checkpoints serves an old one"
rm -rf "$T/tstate" && cp -r "$T/clean-state" "$T/tstate"
audit_json 0 "clean, with the stored checkpoints" "$T/tstate" "$H" verify
same "$(jq .checkpoints "$T/audit.json")" 2 "incremental: two checked"
unserve
# An old note's signature broken: only a full audit reads it.
tamper "UPDATE checkpoints SET note = replace(note, char(10) || '15' ||
	char(10), char(10) || '14' || char(10)) WHERE size = 15"
rm -rf "$T/tstate"
audit_json 1 "an old checkpoint altered" "$T/tstate" "$H" verify --full
has old_checkpoint
jq -r '.anomalies[].message' "$T/audit.json" | grep -q "for 15 entries does not verify" &&
	ok || bad "the altered checkpoint is named"
unserve
# An old note replaced by the fork's, validly signed: contradicts the
# latest, in a full run and in an incremental one from that size.
tamper "UPDATE checkpoints SET note = CAST(readfile('$T/cp-fork') AS TEXT)
	WHERE size = $SIZE2"
rm -rf "$T/tstate"
audit_json 1 "a forked old checkpoint (full)" "$T/tstate" "$H" verify --full
has old_checkpoint "$((SIZE2 - 1))"
cmp -s "$(jq -r '.evidence[0].dir' "$T/audit.json")/old.note" "$T/cp-fork" &&
	ok || bad "the old note is kept"
rm -rf "$T/tstate" && cp -r "$T/clean-state" "$T/tstate"
audit_json 1 "a forked old checkpoint (incremental)" "$T/tstate" "$H" verify
has old_checkpoint "$((SIZE2 - 1))"
unserve

# --- a central that wants a bearer token ----------------------------------
printf 'k3Y-%s\n' "$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')" >"$T/token"
serve "$T/central.db" "$H" "$T/token"
audit_json 2 "no token: refused, not an anomaly" "$T/clean-state" "$H" verify
grep -q "token" "$T/audit.err" && ok || bad "the refusal names the token"
audit_json 0 "with the token" "$T/clean-state" "$H" --token "$T/token" verify
if grep -q "$(cat "$T/token")" "$T/audit.json" "$T/audit.err" "$T/serve.log"
then bad "the token reached an output"; else ok; fi
unserve

# --- bad input: a usage error or an unreadable key is exit 2 -------------
run_code 2 "unknown argument" "$B/coso-audit" --central "http://127.0.0.1:$H" \
	--central-key "$T/central.pub" --state "$T/u" verify --fast
run_code 2 "no command" "$B/coso-audit" --central "http://127.0.0.1:$H" \
	--central-key "$T/central.pub" --state "$T/u"
printf 'coso public key 0000\nnot base64\n' >"$T/bad.pub"
run_code 2 "damaged central key" "$B/coso-audit" \
	--central "http://127.0.0.1:$H" --central-key "$T/bad.pub" \
	--state "$T/u" verify
grep -q "bad.pub" "$T/err" && ok || bad "the key error names the file"
[ ! -e "$T/u" ] && ok || bad "nothing written on a usage error"

# --- the central unreachable: exit 3, not a verification failure ---------
audit_json 3 "central down" "$T/clean-state" "$(free_port)" verify

finish
