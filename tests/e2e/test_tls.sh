#!/usr/bin/env bash
# test_tls.sh BUILD: devices and the central over tls+tcp:// with a
# certificate, end to end.
#
# A CA and a server certificate are made with openssl (names:
# DNS:central.coso.test and IP:127.0.0.1); the central listens on
# tls+tcp://127.0.0.1:PORT with them.  A device that is given the CA and
# the certificate's DNS name syncs, by `coso sync' and by its field
# agent, and its visits arrive.  Refused, each with a sentence that says
# why and nothing sent: no CA, another CA, a name the certificate does
# not carry, and the bare IP address (nng 1.5.2 with mbedtls 2.28 never
# matches an IP address entry: docs/operations.md, "TLS").
NAME=e2e-tls
. "$(dirname "$0")/lib.sh"

PORT=$(free_port)
URL="tls+tcp://127.0.0.1:$PORT"
DATA="$ROOT/deploy/data/lang-son-2024.csv"
CN=central.coso.test

# --- certificates ------------------------------------------------------
# mkca NAME: a self-signed CA, $T/NAME.pem and $T/NAME.key.
mkca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$T/$1.key" -out "$T/$1.pem" -days 30 \
		-subj "/O=coso test/CN=$1" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign 2>>"$T/openssl.log"
}
# mkcert CA NAME: a server certificate for $CN and 127.0.0.1 signed by CA.
mkcert() {
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$T/$2.key" -out "$T/$2.csr" -subj "/O=coso test/CN=$CN" \
		2>>"$T/openssl.log" &&
		printf '%s\n' "subjectAltName=DNS:$CN,IP:127.0.0.1" \
			"extendedKeyUsage=serverAuth" >"$T/$2.ext" &&
		openssl x509 -req -in "$T/$2.csr" -CA "$T/$1.pem" \
			-CAkey "$T/$1.key" -CAcreateserial -days 30 \
			-extfile "$T/$2.ext" -out "$T/$2.pem" 2>>"$T/openssl.log"
}
run_ok "CA" mkca ca
run_ok "server certificate" mkcert ca server
run_ok "another CA" mkca rogue
run_ok "openssl verifies the chain" openssl verify -CAfile "$T/ca.pem" \
	"$T/server.pem"

# --- the central over TLS ------------------------------------------------
run_ok "admin init" coso --store "$T/admin" init --cadre admin \
	--name "Ban Tổ chức Tỉnh ủy"
cp "$T/out" "$T/admin.pub"
run_ok "central init" cosod central init --db "$T/central.db" \
	--admin-key "$T/admin.pub" --origin langson.example/coso/sync
cp "$T/out" "$T/central.pub"
run_code 1 "tls+tcp:// without a certificate" cosod central run \
	--db "$T/central.db" --listen "$URL"
grep -q -- "--tls-cert FILE and --tls-key FILE" "$T/err" && ok ||
	bad "no word of --tls-cert: $(cat "$T/err")"
CENTRAL_ARGS="--tls-cert $T/server.pem --tls-key $T/server.key" start_central
# The port speaks TLS with the certificate made above.
openssl s_client -connect "127.0.0.1:$PORT" -servername "$CN" \
	-CAfile "$T/ca.pem" -verify_hostname "$CN" </dev/null \
	>"$T/s_client" 2>&1
grep -q "Verify return code: 0 (ok)" "$T/s_client" && ok ||
	bad "openssl s_client: $(grep -m1 'Verify return' "$T/s_client")"

TLS=(--tls-ca "$T/ca.pem" --tls-server-name "$CN")
run_ok "admin pin" coso --store "$T/admin" pin --central "$URL" \
	--central-key "$T/central.pub"
run_ok "admin units" coso --store "$T/admin" admin units import "$DATA"
run_ok "cadre" coso --store "$T/admin" admin cadre add --id cb-a \
	--name "Cán bộ A"
coso --store "$T/admin" admin token --cadre cb-a >"$T/token" 2>/dev/null
run_ok "assign" coso --store "$T/admin" admin assign --cadre cb-a \
	--unit 06043 --role in-charge --from 2025-01-01
run_ok "admin sync over TLS" coso --store "$T/admin" sync "${TLS[@]}"
same "$(pending "$T/admin")" 0 "admin: everything acknowledged over TLS"

run_ok "device init" coso --store "$T/a" init --cadre cb-a \
	--name "Cán bộ A" --central "$URL" --central-key "$T/central.pub"
run_ok "device units" coso --store "$T/a" units import "$DATA"
run_ok "device enroll" coso --store "$T/a" enroll "$(cat "$T/token")"
for i in 1 2 3; do
	run_ok "visit $i" coso --store "$T/a" visit add --unit 06043 \
		--date 2025-11-0$i --purpose "Đào Viên qua TLS lần $i"
done
P0=$(pending "$T/a")
same "$P0" 3 "device: 3 visits pending"

# refused WHY PATTERN ARGS...: a sync that must fail, saying PATTERN,
# with nothing acknowledged and nothing arrived.
refused() {
	_why=$1 _pat=$2
	shift 2
	"$B/coso" --store "$T/a" sync "$@" >"$T/out" 2>"$T/err"
	_rc=$?
	if [ "$_rc" -ne 0 ]; then ok; else bad "$_why: sync succeeded"; fi
	grep -q -- "$_pat" "$T/err" && ok ||
		bad "$_why: no \`$_pat' in: $(cat "$T/err")"
	same "$(pending "$T/a")" "$P0" "$_why: nothing acknowledged"
}
refused "no CA" "needs the CA certificate.*--tls-ca FILE"
refused "another CA" "certificate was not accepted" \
	--tls-ca "$T/rogue.pem" --tls-server-name "$CN"
refused "a name not in the certificate" "certificate was not accepted" \
	--tls-ca "$T/ca.pem" --tls-server-name other.coso.test
refused "the IP address entry" "never matched.*--tls-server-name NAME" \
	--tls-ca "$T/ca.pem"
refused "a CA file that is not there" "cannot load the TLS CA" \
	--tls-ca "$T/none.pem" --tls-server-name "$CN"
same "$(central_count visits)" 0 "central: no visit yet"
# TLS options for a tcp:// central are refused, not ignored.
run_ok "plain init" coso --store "$T/plain" init --cadre cb-p --name P \
	--central "tcp://127.0.0.1:$PORT" --central-key "$T/central.pub"
run_code 2 "--tls-ca with tcp://" coso --store "$T/plain" sync \
	--tls-ca "$T/ca.pem"
grep -q "TLS settings given for a central that is not tls+tcp://" \
	"$T/err" && ok || bad "--tls-ca with tcp://: $(cat "$T/err")"

# The field agent with the CA: everything arrives, exactly once.
"$B/cosod" field run --store "$T/a" --interval 1 --max-backoff 1 \
	"${TLS[@]}" >>"$T/field.log" 2>&1 &
AGENT=$!
PIDS="$PIDS $AGENT"
if wait_synced "$T/a" 30; then ok; else
	bad "device not synced over TLS: $(tail -2 "$T/field.log")"
fi
kill -TERM "$AGENT"
wait "$AGENT" 2>/dev/null
same "$(central_count visits)" 3 "central: 3 visits over TLS"
same "$(sqlite3 "$T/central.db" \
	"SELECT count(*) FROM visits WHERE purpose LIKE '%qua TLS%'")" 3 \
	"central: the visits' own text"
run_ok "receipts verify" coso --store "$T/a" receipts verify --json
same "$(grep -o '"status":"ok"' "$T/out" | wc -l)" 3 \
	"device: a verified receipt per visit, received over TLS"
stop_central
finish
