#!/usr/bin/env bash
# test_http.sh BUILD: the central's read-only HTTP API on loopback.  A
# device pushes visits; then the checkpoint, the entries, the proofs, the
# keys and the digest must agree with each other and with the database
# (ids, leaf hashes and the root recomputed here); bad queries, paths,
# methods and tokens are refused with the documented codes.
NAME=e2e-http
. "$(dirname "$0")/lib.sh"

PORT=$(free_port)
HPORT=$(free_port)
while [ "$HPORT" = "$PORT" ]; do HPORT=$(free_port); done
URL="tcp://127.0.0.1:$PORT"
H="http://127.0.0.1:$HPORT"
DATA="$ROOT/deploy/data/lang-son-2024.csv"
N=5

# start_http [ARGS...]: the central with the API on $HPORT.
start_http() {
	"$B/cosod" central run --db "${DB:-$T/central.db}" --listen "$URL" \
		--http "127.0.0.1:$HPORT" "$@" >>"$T/central.log" 2>&1 &
	CENTRAL=$!
	PIDS="$PIDS $CENTRAL"
	_i=0
	while [ $_i -lt 50 ]; do
		if (exec 3<>"/dev/tcp/127.0.0.1/$HPORT") 2>/dev/null; then
			return 0
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
}

# get PATH [CURL ARGS...]: the status code; the body in $T/body.
get() {
	_p=$1
	shift
	curl -s -o "$T/body" -w '%{http_code}' "$@" "$H$_p"
}

# status WANT PATH [CURL ARGS...]
status() {
	_w=$1
	shift
	same "$(get "$@")" "$_w" "$* -> $_w"
	if [ "$_w" -ge 400 ]; then
		same "$(jq -r '.error | type' "$T/body")" string "$1: JSON error"
	fi
}

b64hex() { base64 -d | od -An -v -tx1 | tr -d ' \n'; }
node() { { printf '\001'; printf %s "$1$2" | xxd -r -p; } |
	sha256sum | cut -d' ' -f1; }

# mth LO N: the root of leaves LO .. LO+N-1 of LH (RFC 9162 MTH).
mth() {
	local lo=$1 n=$2 k=1 l r
	if [ "$n" -eq 1 ]; then
		echo "${LH[$lo]}"
		return
	fi
	while [ $((k * 2)) -lt "$n" ]; do k=$((k * 2)); done
	l=$(mth "$lo" "$k")
	r=$(mth $((lo + k)) $((n - k)))
	node "$l" "$r"
}

# verify_inclusion: RFC 9162 2.1.3.2 on $T/body against ROOT.
verify_inclusion() {
	local fn sn r p
	fn=$(jq -r .index "$T/body")
	sn=$(($(jq -r .size "$T/body") - 1))
	r=$(jq -r .leaf_hash "$T/body" | b64hex)
	for p in $(jq -r '.proof[]' "$T/body"); do
		p=$(printf %s "$p" | b64hex)
		[ "$sn" -eq 0 ] && return 1
		if [ $((fn & 1)) -eq 1 ] || [ "$fn" -eq "$sn" ]; then
			r=$(node "$p" "$r")
			if [ $((fn & 1)) -eq 0 ]; then
				while [ $((fn & 1)) -eq 0 ] && [ "$fn" -ne 0 ]; do
					fn=$((fn >> 1))
					sn=$((sn >> 1))
				done
			fi
		else
			r=$(node "$r" "$p")
		fi
		fn=$((fn >> 1))
		sn=$((sn >> 1))
	done
	[ "$sn" -eq 0 ] && [ "$r" = "$ROOT" ]
}

# --- a province with one device --------------------------------------------
run_ok "admin init" coso --store "$T/admin" init --cadre admin --name Admin
cp "$T/out" "$T/admin.pub"
run_ok "central init" cosod central init --db "$T/central.db" \
	--admin-key "$T/admin.pub" --origin langson.example/coso/http
cp "$T/out" "$T/central.pub"
run_ok "admin pin" coso --store "$T/admin" pin --central "$URL" \
	--central-key "$T/central.pub"
run_ok "admin units" coso --store "$T/admin" admin units import "$DATA"
run_ok "cadre" coso --store "$T/admin" admin cadre add --id cb-a --name A
coso --store "$T/admin" admin token --cadre cb-a >"$T/token-a"
run_ok "assign" coso --store "$T/admin" admin assign --cadre cb-a \
	--unit 06043 --role in-charge --from 2025-01-01
run_ok "init a" coso --store "$T/a" init --cadre cb-a --name A \
	--central "$URL" --central-key "$T/central.pub"
run_ok "units a" coso --store "$T/a" units import "$DATA"
run_ok "enroll a" coso --store "$T/a" enroll "$(cat "$T/token-a")"

start_http
run_ok "admin sync" coso --store "$T/admin" sync
run_ok "a enrolls" coso --store "$T/a" sync
same "$(get /api/v1/digest)" 200 "digest before the visits"
S0=$(jq -r .tree_size "$T/body")
for i in $(seq 1 $N); do
	coso --store "$T/a" visit add --unit 06043 --date 2025-11-0$i \
		--purpose "Thăm lần $i" >/dev/null
done
run_ok "a pushes" coso --store "$T/a" sync
same "$(pending "$T/a")" 0 "a: all acknowledged"

# --- checkpoint and entries agree -------------------------------------------
same "$(get /checkpoint)" 200 "checkpoint"
cp "$T/body" "$T/checkpoint"
CSIZE=$(sed -n 2p "$T/checkpoint")
ROOT=$(sed -n 3p "$T/checkpoint" | b64hex)
same "$(get '/api/v1/entries?start=0&count=1000')" 200 "all entries"
cp "$T/body" "$T/entries.json"
S=$(jq -r .tree_size "$T/entries.json")
same "$S" "$((S0 + N))" "tree grew by one entry per visit"
same "$CSIZE" "$S" "checkpoint size = tree_size"
same "$(jq '.entries | length' "$T/entries.json")" "$S" "every entry served"
same "$(jq -r '[.entries[].index] == [range(0; '"$S"')]' "$T/entries.json")" \
	true "indexes 0 .. S-1 in order"
same "$(jq -r '[.entries[] | .verdict | tostring] | unique | join(",")' \
	"$T/entries.json")" 1 "all accepted"
LH=()
bad_id=0 bad_leaf=0 bad_hash=0
while IFS=$'\t' read -r idx id cs leaf lh; do
	[ "$(printf %s "$cs" | base64 -d | sha256sum | cut -d' ' -f1)" = "$id" ] ||
		bad_id=$((bad_id + 1))
	[ "$(printf %s "$leaf" | base64 -d | wc -c)" -eq 94 ] ||
		bad_leaf=$((bad_leaf + 1))
	LH[$idx]=$(printf %s "$lh" | b64hex)
	[ "$({ printf '\0'; printf %s "$leaf" | base64 -d; } | sha256sum |
		cut -d' ' -f1)" = "${LH[$idx]}" ] || bad_hash=$((bad_hash + 1))
done < <(jq -r '.entries[] | [.index, .id, .changeset, .leaf, .leaf_hash]
	| @tsv' "$T/entries.json")
same "$bad_id" 0 "every id is the SHA-256 of its change-set"
same "$bad_leaf" 0 "every leaf is 94 bytes"
same "$bad_hash" 0 "every stored leaf hash is the hash of its leaf"
same "$(mth 0 "$S")" "$ROOT" "the leaf hashes give the checkpoint's root"
same "$(jq -r '.entries[0].sender' "$T/entries.json")" \
	"$(jq -r '.keys[0].key_id' <(curl -s "$H/api/v1/keys"))" \
	"entry 0 sent by the central"

# Paging: count, the end of the log, the clip at 1000.
same "$(get "/api/v1/entries?start=$((S - 2))&count=5")" 200 "last two"
same "$(jq -c '[.start, .tree_size, (.entries | length), .entries[0].index]' \
	"$T/body")" "[$((S - 2)),$S,2,$((S - 2))]" "the last two entries"
same "$(get "/api/v1/entries?start=$S")" 200 "start = tree size"
same "$(jq -c .entries "$T/body")" "[]" "start = tree size: no entries"
same "$(get '/api/v1/entries?start=1&count=2')" 200 "count=2"
same "$(jq -c '[.entries[].index]' "$T/body")" "[1,2]" "count=2: entries 1, 2"
same "$(get '/api/v1/entries?count=5000&start=0')" 200 "count over 1000"
same "$(jq '.entries | length' "$T/body")" "$S" "count clipped, not refused"

# --- proofs ------------------------------------------------------------------
for i in 0 $((S / 2)) $((S - 1)); do
	same "$(get "/api/v1/proof/inclusion?index=$i")" 200 "inclusion $i"
	if verify_inclusion; then ok; else bad "inclusion proof of $i"; fi
	same "$(jq -r .leaf_hash "$T/body" | b64hex)" "${LH[$i]}" \
		"inclusion $i: the stored leaf hash"
done
ID=$(jq -r ".entries[$((S - 1))].id" "$T/entries.json")
same "$(get "/api/v1/proof/inclusion?id=$ID&size=$S")" 200 "inclusion by id"
same "$(jq -r .index "$T/body")" "$((S - 1))" "id found at its position"
if verify_inclusion; then ok; else bad "inclusion proof by id"; fi
same "$(get "/api/v1/proof/inclusion?index=0&size=1")" 200 "in a tree of 1"
same "$(jq -c .proof "$T/body")" "[]" "tree of one leaf: empty proof"
same "$(get "/api/v1/proof/consistency?from=1")" 200 "consistency 1..S"
same "$(jq -c '[.from, .to, (.proof | length > 0)]' "$T/body")" \
	"[1,$S,true]" "consistency: to defaults to the tree size"
same "$(get "/api/v1/proof/consistency?from=$S&to=$S")" 200 "consistency S..S"
same "$(jq -c .proof "$T/body")" "[]" "consistency S..S: empty proof"

# --- keys and digest ---------------------------------------------------------
same "$(get /api/v1/keys)" 200 "keys"
same "$(jq -c '[.keys[] | [.role, .enrolled]] | .[0:2]' "$T/body")" \
	'[["central",null],["admin",0]]' "keys: central first, then the admin"
same "$(jq '[.keys[] | select(.role == "field" and .revoked == null)] |
	length' "$T/body")" 1 "keys: the device"
same "$(jq -r '.keys[] | select(.role == "field") | .public_key' "$T/body")" \
	"$(sed -n 2p "$T/a/device.pub" | base64 -d | tail -c 32 | base64)" \
	"keys: the device's public key"
same "$(get /api/v1/digest)" 200 "digest"
same "$(jq -r .tree_size "$T/body")" "$S" "digest: tree size"
run_ok "digest cli" cosod central digest --db "$T/central.db"
same "$(jq -r .digest "$T/body")" "$(cat "$T/out")" \
	"digest = cosod central digest"

# --- every stored checkpoint, and the verifier key -------------------------
same "$(get /api/v1/checkpoints)" 200 "checkpoints"
same "$(jq -c '[.tree_size, [.checkpoints[].size]]' "$T/body")" \
	"[$S,[$(sqlite3 "$T/central.db" "SELECT group_concat(size) FROM
	(SELECT size FROM checkpoints ORDER BY size)")]]" \
	"checkpoints: every stored size, ascending"
same "$(jq -r '.checkpoints[-1].note' "$T/body")" "$(cat "$T/checkpoint")" \
	"checkpoints: the last is the latest"
same "$(get "/api/v1/checkpoints?from=2&count=1")" 200 "checkpoints page"
same "$(jq -c '[.checkpoints[].size]' "$T/body")" \
	"[$(sqlite3 "$T/central.db" "SELECT min(size) FROM checkpoints
	WHERE size >= 2")]" "checkpoints: from and count"
same "$(jq -r '.checkpoints[0].note' "$T/body")" \
	"$(sqlite3 "$T/central.db" "SELECT note FROM checkpoints WHERE size =
	(SELECT min(size) FROM checkpoints WHERE size >= 2)")" \
	"checkpoints: the note as stored"
same "$(get "/api/v1/checkpoints?from=$((S + 1))")" 200 "checkpoints past"
same "$(jq -c .checkpoints "$T/body")" "[]" "checkpoints: none past the end"
status 400 '/api/v1/checkpoints?from=x'
status 400 '/api/v1/checkpoints?size=1'
same "$(get /api/v1/vkey)" 200 "vkey"
same "$(cat "$T/body")" "$(cosod central vkey --db "$T/central.db")" \
	"vkey = cosod central vkey"

# --- reports -----------------------------------------------------------------
Y=$(date -u +%Y)
same "$(get "/api/v1/reports/compliance?period=$Y")" 200 "compliance"
run_ok "compliance cli" cosod central report compliance --db "$T/central.db" \
	--period "$Y" --format json
same "$(jq -c .total "$T/body")" "$(jq -c .total "$T/out")" \
	"compliance: the API's totals = the CLI's"
same "$(jq -r .period "$T/body")" "$Y" "compliance: the period"
status 400 /api/v1/reports/compliance
status 400 "/api/v1/reports/compliance?period=$Y-Q9"
status 400 "/api/v1/reports/compliance?period=$Y&unit=nope"
status 400 "/api/v1/reports/compliance?period=$Y%2DQ1"
status 400 "/api/v1/reports/compliance?period=$Y&x=1"

# --- refusals ----------------------------------------------------------------
status 400 '/api/v1/entries?start=abc'
status 400 '/api/v1/entries?start=01'
status 400 '/api/v1/entries?start=0&count=-1'
status 400 '/api/v1/entries?start=0&foo=1'
status 400 '/api/v1/entries?start=0&start=1'
status 400 '/api/v1/entries?count=1'
status 400 "/api/v1/entries?start=$((S + 1))"
status 400 '/api/v1/entries?start=%30'
status 400 "/api/v1/proof/inclusion?index=$S"
status 400 "/api/v1/proof/inclusion?index=0&size=$((S + 1))"
status 400 "/api/v1/proof/inclusion?index=0&id=$ID"
status 400 '/api/v1/proof/inclusion?id=abc'
status 400 '/api/v1/proof/consistency?from=0'
status 400 "/api/v1/proof/consistency?from=2&to=1"
status 400 "/api/v1/proof/consistency?from=1&to=$((S + 1))"
status 400 '/checkpoint?x=1'
status 404 "/api/v1/proof/inclusion?id=$(printf '0%.0s' $(seq 64))"
status 404 /api/v1/nothing
status 404 /checkpoint/
status 404 /api/v1/%65ntries?start=0
status 405 /checkpoint -X POST
status 405 /api/v1/keys -X DELETE
status 405 '/api/v1/entries?start=0' -d x=1
curl -s -I "$H/checkpoint" >"$T/head"
grep -q '^HTTP/1.1 200' "$T/head" && ok || bad "HEAD /checkpoint"

# --- the bearer token ----------------------------------------------------------
stop_central
TOKEN=tok-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
printf '%s\n' "$TOKEN" >"$T/http.token"
start_http --http-token "$T/http.token"
status 401 /api/v1/digest
curl -s -D "$T/hdr" -o /dev/null "$H/api/v1/digest"
grep -qi '^WWW-Authenticate: Bearer' "$T/hdr" && ok ||
	bad "401 without WWW-Authenticate: Bearer"
status 401 /api/v1/digest -H "Authorization: Bearer x$TOKEN"
status 401 /api/v1/digest -H "Authorization: Basic $TOKEN"
status 401 /nothing -X POST
same "$(get /api/v1/digest -H "Authorization: Bearer $TOKEN")" 200 \
	"the right token"
same "$(jq -r .tree_size "$T/body")" "$S" "digest with the token"
same "$(get /checkpoint -H "authorization: bearer $TOKEN")" 200 \
	"scheme and header names are case-insensitive"
stop_central
grep -q "http: serving on 127.0.0.1:$HPORT" "$T/central.log" && ok ||
	bad "no 'http: serving on' line"
same "$(grep -c -- "$TOKEN" "$T/central.log")" 0 "the token is never logged"

# --- off loopback a token is required --------------------------------------------
run_code 2 "0.0.0.0 without a token" timeout 10 "$B/cosod" central run \
	--db "$T/central.db" --listen "$URL" --http "0.0.0.0:$HPORT"
grep -q -- "--http-token" "$T/err" && ok || bad "refusal does not say why"
run_code 2 "empty token file" timeout 10 "$B/cosod" central run \
	--db "$T/central.db" --listen "$URL" --http "127.0.0.1:$HPORT" \
	--http-token /dev/null
run_code 1 "malformed --http" timeout 10 "$B/cosod" central run \
	--db "$T/central.db" --listen "$URL" --http "127.0.0.1"

# --- a tampered row is served as stored ----------------------------------------
# The leaf is made from the row, the leaf hash read from the tree: they
# no longer agree, and an auditor sees it.  (The row is changed under the
# running central: `run' refuses to start on a log changed before.)
cp "$T/central.db" "$T/tampered.db"
cp "$T/central.db.key" "$T/tampered.db.key"
DB="$T/tampered.db" start_http
sqlite3 -cmd ".timeout 5000" "$T/tampered.db" \
	"UPDATE changesets SET received_ms = received_ms + 1 WHERE position = 2"
same "$(get '/api/v1/entries?start=2&count=1')" 200 "tampered entry"
same "$(jq -r '.entries[0].received_ms' "$T/body")" \
	"$(($(jq -r '.entries[2].received_ms' "$T/entries.json") + 1))" \
	"the tampered receive time is served"
same "$(jq -r '.entries[0].leaf_hash' "$T/body" | b64hex)" "${LH[2]}" \
	"the stored leaf hash is served unchanged"
if [ "$({ printf '\0'; jq -r '.entries[0].leaf' "$T/body" | base64 -d; } |
	sha256sum | cut -d' ' -f1)" != "${LH[2]}" ]; then ok; else
	bad "the tampered leaf still matches its stored hash"
fi
stop_central
finish
