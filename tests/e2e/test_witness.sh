#!/usr/bin/env bash
# test_witness.sh BUILD: a central with two witnesses (coso-audit witness,
# C2SP tlog-witness).  Its checkpoints are cosigned by both and an auditor
# requiring both verifies them.  Then the central is forked: a copy of its
# database, with the same key, takes another history.  The witness that
# saw the first history refuses the fork and keeps both signed notes; a
# fresh auditor without witnesses accepts the fork, one requiring that
# witness's cosignature refuses it and names the witness.
NAME=e2e-witness
. "$(dirname "$0")/lib.sh"

PORT=$(free_port)
URL="tcp://127.0.0.1:$PORT"
HP=$(free_port)
DATA="$ROOT/deploy/data/lang-son-2024.csv"
ORIGIN="lang-son.coso/witness-test"

audit() { "$B/coso-audit" "$@"; }

# cosigned HTTPPORT: the central's served note.
served() { curl -s "http://127.0.0.1:$1/checkpoint"; }

# wait_cosigned HTTPPORT SIZE LINES: until the served note is of SIZE
# entries with LINES signature lines (the central's and the witnesses').
wait_cosigned() {
	for _i in $(seq 200); do
		served "$1" >"$T/served.note" 2>/dev/null
		if [ "$(sed -n 2p "$T/served.note")" = "$2" ] &&
			[ "$(grep -c '^— ' "$T/served.note")" = "$3" ]; then
			return 0
		fi
		sleep 0.1
	done
	bad "no note of $2 entries with $3 signatures on :$1"
	cat "$T/served.note"
	return 1
}

size_of() { cosod central checkpoint --db "$1" | sed -n 2p; }

# --- the central, its witnesses --------------------------------------
run_ok "admin init" coso --store "$T/admin" init --cadre admin \
	--name "Ban Tổ chức Tỉnh ủy"
cp "$T/out" "$T/admin.pub"
run_ok "central init" cosod central init --db "$T/central.db" \
	--admin-key "$T/admin.pub" --origin "$ORIGIN"
cp "$T/out" "$T/central.pub"
CVKEY=$(cosod central vkey --db "$T/central.db")
for w in 1 2; do
	run_ok "witness $w key" audit witness init --key "$T/w$w.key" \
		--name "witness.example/w$w"
	cp "$T/out" "$T/w$w.vkey"
	WP[$w]=$(free_port)
	"$B/coso-audit" witness run --listen "127.0.0.1:${WP[$w]}" --key "$T/w$w.key" \
		--name "witness.example/w$w" --state "$T/w$w" --log "$CVKEY" \
		2>>"$T/w$w.log" &
	PIDS="$PIDS $!"
	wait_port "${WP[$w]}" 10 || bad "witness $w did not come up"
done
V1=$(cat "$T/w1.vkey")
V2=$(cat "$T/w2.vkey")
same "$(stat -c %a "$T/w1.key")" 600 "the witness key is private"
# A log's key is not a witness's, nor the reverse.
run_code 2 "a log key as --witness" audit --central "http://127.0.0.1:$HP" \
	--central-key "$T/central.pub" --state "$T/as0" --witness "$CVKEY" verify

CENTRAL_ARGS="--http 127.0.0.1:$HP --witness http://127.0.0.1:${WP[1]}=$V1
	--witness http://127.0.0.1:${WP[2]}=$V2"
start_central
run_ok "admin pin" coso --store "$T/admin" pin --central "$URL" \
	--central-key "$T/central.pub"
run_ok "units" coso --store "$T/admin" admin units import "$DATA"
run_ok "cadre a" coso --store "$T/admin" admin cadre add --id cb-a \
	--name "Cán bộ a"
run_ok "admin sync" coso --store "$T/admin" sync
N1=$(size_of "$T/central.db")
[ "${N1:-0}" -ge 2 ] && ok || bad "the log has entries ($N1)"
wait_cosigned "$HP" "$N1" 3
# Each cosignature verifies independently of coso (C2SP cosignature/v1).
if python3 -c 'import cryptography' 2>/dev/null; then
	for v in "$V1" "$V2"; do
		python3 - "$v" "$T/served.note" <<'EOF' && ok || bad "python: $v"
import base64, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
name, kid, b = sys.argv[1].split('+', 2)
raw = base64.b64decode(b)
assert raw[0] == 4
pk = Ed25519PublicKey.from_public_bytes(raw[1:])
note = open(sys.argv[2], 'rb').read().decode()
text, sigs = note.rsplit('\n\n', 1)
found = 0
for line in sigs.splitlines():
    _, n, s = line.split(' ')
    if n != name:
        continue
    blob = base64.b64decode(s)
    assert blob[:4].hex() == kid
    t = int.from_bytes(blob[4:12], 'big')
    pk.verify(blob[12:], b'cosignature/v1\ntime %d\n' % t
              + (text + '\n').encode())
    found += 1
assert found == 1
EOF
	done
fi
# The witness serves what it cosigned (C2SP monitor retrieval).
OH=$(printf %s "$ORIGIN" | sha256sum | cut -c1-64)
same "$(curl -s "http://127.0.0.1:${WP[1]}/$OH/checkpoint" | sed -n 2p)" \
	"$N1" "witness 1 holds the checkpoint it cosigned"

run_ok "quorum 2 of 2" audit --central "http://127.0.0.1:$HP" \
	--central-key "$T/central.pub" --state "$T/as1" --witness "$V1" \
	--witness "$T/w2.vkey" --quorum 2 --json verify
same "$(jq .cosigned "$T/out")" 2 "both cosignatures counted"
same "$(jq .tree_size "$T/out")" "$N1" "the cosigned checkpoint audited"

# --- the fork: same key, another history ------------------------------
stop_central
for f in "$T"/central.db "$T"/central.db-wal "$T"/central.db.key; do
	[ -e "$f" ] && cp -p "$f" "$T/fork.db${f#"$T"/central.db}"
done
cp -r "$T/admin" "$T/admin2"
# The first history goes on, seen by witness 1 only.
CENTRAL_ARGS="--http 127.0.0.1:$HP --witness http://127.0.0.1:${WP[1]}=$V1"
start_central
run_ok "cadre x" coso --store "$T/admin" admin cadre add --id cb-x \
	--name "Cán bộ x"
run_ok "sync x" coso --store "$T/admin" sync
N2=$(size_of "$T/central.db")
wait_cosigned "$HP" "$N2" 2
# The second history: the copy, served with both witnesses.
FP=$(free_port)
FHP=$(free_port)
CDB="$T/fork.db" CURL="tcp://127.0.0.1:$FP" \
	CENTRAL_ARGS="--http 127.0.0.1:$FHP --witness http://127.0.0.1:${WP[1]}=$V1
	--witness http://127.0.0.1:${WP[2]}=$V2" start_central
run_ok "pin the fork" coso --store "$T/admin2" pin \
	--central "tcp://127.0.0.1:$FP" --central-key "$T/central.pub"
run_ok "cadre y" coso --store "$T/admin2" admin cadre add --id cb-y \
	--name "Cán bộ y"
run_ok "sync y" coso --store "$T/admin2" sync
same "$(size_of "$T/fork.db")" "$N2" "the fork is as long as the log"
# Witness 2 saw only the common part: it cosigns the fork.
wait_cosigned "$FHP" "$N2" 2
grep -q "witness.example/w2 " "$T/served.note" && ok ||
	bad "witness 2 cosigned the fork"
! grep -q "witness.example/w1 " "$T/served.note" && ok ||
	bad "witness 1 did not cosign the fork"
# Witness 1 refused it and kept both notes.
for _i in $(seq 100); do
	ls "$T"/w1/evidence/*/refused.note >/dev/null 2>&1 && break
	sleep 0.1
done
EV=$(ls -d "$T"/w1/evidence/* 2>/dev/null | head -1)
[ -n "$EV" ] && ok || bad "witness 1 kept evidence"
same "$(sed -n 2p "$EV/held.note")" "$N2" "held: the first history"
same "$(sed -n 2p "$EV/refused.note")" "$N2" "refused: the fork, same size"
[ "$(sed -n 3p "$EV/held.note")" != "$(sed -n 3p "$EV/refused.note")" ] &&
	ok || bad "the two notes give two roots for one size"
# Both notes carry the central's valid signature: a fork proven.
for n in held refused; do
	python3 - "$CVKEY" "$EV/$n.note" <<'EOF' && ok || bad "$n signed"
import base64, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
name, kid, b = sys.argv[1].split('+', 2)
pk = Ed25519PublicKey.from_public_bytes(base64.b64decode(b)[1:])
note = open(sys.argv[2], 'rb').read().decode()
text, sigs = note.rsplit('\n\n', 1)
line = [l for l in sigs.splitlines() if l.split(' ')[1] == name][0]
blob = base64.b64decode(line.split(' ')[2])
assert blob[:4].hex() == kid
pk.verify(blob[4:], (text + '\n').encode())
EOF
done
grep -q "witness witness.example/w1 .*inconsistent\|witness witness.example/w1 holds" \
	"$T/central.log" && ok || bad "the fork's central logs the refusal"

# --- auditors ----------------------------------------------------------
# A fresh auditor without witnesses believes the fork.
run_ok "fresh auditor, no witness, fork" audit \
	--central "http://127.0.0.1:$FHP" --central-key "$T/central.pub" \
	--state "$T/as2" --json verify
same "$(jq .ok "$T/out")" true "the fork alone looks sound"
# With witness 1's cosignature required, it does not.
run_code 1 "fresh auditor, witness 1, fork" audit \
	--central "http://127.0.0.1:$FHP" --central-key "$T/central.pub" \
	--state "$T/as3" --witness "$V1" --json verify
same "$(jq -r '.anomalies[0].what' "$T/out")" witness_quorum \
	"the missing quorum is the anomaly"
jq -r '.anomalies[0].message' "$T/out" | grep -q "witness.example/w1" &&
	ok || bad "the missing witness is named"
# The same auditor accepts the first history.
run_ok "fresh auditor, witness 1, log" audit \
	--central "http://127.0.0.1:$HP" --central-key "$T/central.pub" \
	--state "$T/as4" --witness "$V1" --json verify
same "$(jq .tree_size "$T/out")" "$N2" "the witnessed log audited"
# Requests a witness refuses, as C2SP tlog-witness says.
curl -s -o /dev/null -w '%{http_code}' --data-binary 'old 1' \
	"http://127.0.0.1:${WP[2]}/add-checkpoint" >"$T/code"
same "$(cat "$T/code")" 400 "a malformed request is 400"
printf 'old 0\n\nother.example/log\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n— other.example/log AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n' \
	>"$T/unknown.req"
same "$(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$T/unknown.req" \
	"http://127.0.0.1:${WP[2]}/add-checkpoint")" 404 "an unknown log is 404"
head -c 20000 /dev/zero >"$T/big.req"
same "$(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$T/big.req" \
	"http://127.0.0.1:${WP[2]}/add-checkpoint")" 413 "a body over the limit"

echo "$NAME: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
