#!/bin/sh
# tests/cli/test_console.sh BUILD: `coso admin console grant|end` and
# `coso console sign` of the real `coso` binary, without a central: the
# signed change-sets they leave in the outbox (decoded by `coso
# inspect`), bad input refused with exit 2 and nothing signed, and the
# signature of a challenge checked against the device's public key.
# Prints "console-cli: N passed, M failed"; exits non-zero if any failed.
set -u
B=$(cd "${1:-build}" && pwd)
. "$(dirname "$0")/lib.sh"
COSO_HOME=$T/admin
export COSO_HOME
sql() { sqlite3 "$COSO_HOME/store.db" "$1"; }
# the outbox's change-set SEQ decoded as JSON
cs_json() {
	sql "SELECT writefile('$T/cs$1', bytes) FROM outbox WHERE seq = $1" \
		>/dev/null
	"$COSO" inspect --json "$T/cs$1"
}
outbox() { sql "SELECT count(*) FROM outbox"; }

cat >"$T/units.csv" <<'CSV'
code,name,level,parent_code,valid_from
20,Tỉnh Lạng Sơn,province,,2020-01-01
180,Huyện Tràng Định,district,20,2020-01-01
CSV
expect 0 "admin init" "$COSO" init --cadre admin --name "Ban Tổ chức"
expect 0 "units" "$COSO" admin units import "$T/units.csv"
expect 0 "cadre" "$COSO" admin cadre add --id cb-le --name "Lê Văn Bình"
expect 0 "sector" "$COSO" admin sector add --code kt --name "Kinh tế"
n0=$(outbox)

# --- grant: an office grant, then a leader's replacing it -------------
expect 0 "grant office" "$COSO" admin console grant cb-le --role office
same "$(outbox)" $((n0 + 1)) "one change-set"
cs_json $((n0 + 1)) >"$T/j1"
contains "$T/j1" '"table":"console_access"' "table 17"
contains "$T/j1" '"kind":"upsert"' "an upsert"
contains "$T/j1" '"cadre_id":"cb-le"' "cadre field"
contains "$T/j1" '"role":2' "office role"
contains "$T/j1" '"valid_to":0' "open-ended"
expect 0 "grant leader" "$COSO" admin console grant cb-le --role leader \
	--unit 180 --until 31/12/2026
cs_json $((n0 + 2)) >"$T/j2"
contains "$T/j2" '"role":1' "leader role"
contains "$T/j2" '"unit":"180"' "leader's unit"
contains "$T/j2" '"valid_to":20261231' "until as a date"
# the same row: named after the cadre
r1=$(sed -n 's/.*"row":"\([0-9a-f]*\)".*/\1/p' "$T/j1")
r2=$(sed -n 's/.*"row":"\([0-9a-f]*\)".*/\1/p' "$T/j2")
same "$r1" "$r2" "one row per cadre"
[ -n "$r1" ] && ok || bad "row id read"
expect 0 "grant by sector" "$COSO" admin console grant cb-le \
	--role leader --sector kt
cs_json $((n0 + 3)) >"$T/j2b"
contains "$T/j2b" '"sector":"kt"' "leader's sector"
contains "$T/j2b" '"unit":null' "no unit"

# --- refused: nothing signed -----------------------------------------
n1=$(outbox)
expect 2 "unknown cadre" "$COSO" admin console grant ghost --role office
contains "$T/err" "ghost" "names the cadre"
expect 2 "office with unit" "$COSO" admin console grant cb-le \
	--role office --unit 180
contains "$T/err" "a unit or a sector is for a leader" "office unit msg"
expect 2 "leader without scope" "$COSO" admin console grant cb-le \
	--role leader
contains "$T/err" "give --unit or --sector" "leader scope msg"
expect 2 "leader with both" "$COSO" admin console grant cb-le \
	--role leader --unit 180 --sector kt
expect 2 "unknown unit" "$COSO" admin console grant cb-le --role leader \
	--unit 999
expect 2 "unknown sector" "$COSO" admin console grant cb-le \
	--role leader --sector xh
expect 2 "bad role" "$COSO" admin console grant cb-le --role boss
contains "$T/err" "leader or office" "bad role msg"
expect 2 "bad date" "$COSO" admin console grant cb-le --role office \
	--until 31/02/2026
expect 1 "no role" "$COSO" admin console grant cb-le
expect 1 "no cadre" "$COSO" admin console end
expect 1 "bad subcommand" "$COSO" admin console revoke cb-le
same "$(outbox)" "$n1" "nothing signed by refusals"

# --- end: a delete of the same row --------------------------------------
expect 0 "end" "$COSO" admin console end cb-le
cs_json $((n1 + 1)) >"$T/j3"
contains "$T/j3" '"kind":"delete"' "a delete"
contains "$T/j3" "\"row\":\"$r1\"" "of the cadre's row"
expect 2 "end unknown" "$COSO" admin console end ghost
same "$(outbox)" $((n1 + 1)) "end signed once"
expect 0 "chain verifies" "$COSO" log

# --- sign: KEYHEX.SIG over the documented bytes ------------------------
ch=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
expect 0 "sign" "$COSO" console sign --origin http://127.0.0.1:8080 "$ch"
sig=$(cat "$T/out")
key=${sig%%.*}
same "${#key}" 64 "key hex"
same "$key" "$(tail -n 1 "$COSO_HOME/device.pub" | base64 -d |
	od -An -tx1 -v | tr -d ' \n' | tail -c 64)" "the device's own key"
printf 'coso-console-login/v1\nhttp://127.0.0.1:8080\n%s\n' "$ch" >"$T/msg"
if python3 - "$key" "${sig#*.}" "$T/msg" <<'PY'; then ok; else bad "signature"; fi
import base64, sys, ctypes
pk = bytes.fromhex(sys.argv[1]); sg = base64.b64decode(sys.argv[2])
msg = open(sys.argv[3], 'rb').read()
na = ctypes.CDLL("libsodium.so.23")
assert na.sodium_init() >= 0
rc = na.crypto_sign_verify_detached(sg, msg, ctypes.c_ulonglong(len(msg)), pk)
bad = bytearray(msg); bad[-2] ^= 1
rc2 = na.crypto_sign_verify_detached(sg, bytes(bad),
    ctypes.c_ulonglong(len(bad)), pk)
sys.exit(0 if rc == 0 and rc2 != 0 else 1)
PY
expect 2 "short challenge" "$COSO" console sign --origin http://h:1 abc
contains "$T/err" "not valid" "bad challenge msg"
expect 2 "origin with newline" "$COSO" console sign --origin \
	"$(printf 'http://a\nb')" "$ch"
expect 1 "no origin" "$COSO" console sign "$ch"

echo "console-cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
