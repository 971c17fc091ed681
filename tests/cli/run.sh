#!/bin/sh
# tests/cli/run.sh BUILD: runs the real `coso` binary and checks exit codes,
# outputs and files.  Prints "N passed, N failed"; fails if any failed.
set -u
B=$(cd "$1" && pwd)
. "$(dirname "$0")/lib.sh"

printf 'mật khẩu Lạng Sơn\n' >"$T/pass"
printf 'sai mật khẩu\n' >"$T/wrong"

expect 0 "key generate" "$COSO" key generate --out "$T/cadre.key" \
	--passphrase-file "$T/pass"
cp "$T/out" "$T/stdout.pub"
if cmp -s "$T/stdout.pub" "$T/cadre.key.pub"; then ok; else
	bad "stdout is not the public key file"; fi
contains "$T/cadre.key.pub" "coso public key " "public key tag"
[ "$(wc -l <"$T/cadre.key.pub")" -eq 2 ] && ok || bad "public key lines"
mode=$(stat -c %a "$T/cadre.key")
[ "$mode" = 600 ] && ok || bad "secret key mode $mode"
contains "$T/cadre.key" "coso secret key " "secret key tag"

expect 0 "key public" "$COSO" key public --passphrase-file "$T/pass" \
	"$T/cadre.key"
cmp -s "$T/out" "$T/cadre.key.pub" && ok || bad "key public output"
expect 2 "wrong passphrase" "$COSO" key public --passphrase-file \
	"$T/wrong" "$T/cadre.key"
contains "$T/err" "wrong passphrase" "wrong passphrase message"
expect 2 "no passphrase" "$COSO" key public "$T/cadre.key"
contains "$T/err" "passphrase required" "passphrase required message"
expect 2 "public file as secret" "$COSO" key public "$T/cadre.key.pub"
contains "$T/err" "wrong type of key file" "wrong type message"
sed 's/^\(.\{30\}\)./\1#/' "$T/cadre.key" >"$T/damaged.key"
expect 2 "damaged key" "$COSO" key public --passphrase-file "$T/pass" \
	"$T/damaged.key"
contains "$T/err" "cannot read key" "damaged key message"

# An empty passphrase would give a key that says "encrypted" and opens
# for anyone: refused, for a key file and for a store, nothing written.
: >"$T/empty"
expect 2 "empty passphrase" "$COSO" key generate --out "$T/e.key" \
	--passphrase-file "$T/empty"
contains "$T/err" "is empty" "empty passphrase message"
[ ! -e "$T/e.key" ] && ok || bad "key written with an empty passphrase"
expect 2 "empty passphrase init" "$COSO" --store "$T/e" init --cadre e \
	--name "Hà Văn E" --passphrase-file "$T/empty"
contains "$T/err" "passphrase: empty" "empty passphrase init message"
[ ! -e "$T/e/device.key" ] && ok || bad "store key with an empty passphrase"

before=$(sha256sum "$T/cadre.key")
expect 2 "no overwrite" "$COSO" key generate --out "$T/cadre.key"
contains "$T/err" "file exists" "overwrite message"
[ "$(sha256sum "$T/cadre.key")" = "$before" ] && ok || bad "key changed"
expect 1 "usage" "$COSO" key generate
expect 1 "unknown command" "$COSO" frobnicate

expect 0 "sign visit" "$B/mkcs" visit "$T/cadre.key" "$T/v.cs" "$T/pass"
expect 0 "inspect" "$COSO" inspect --key "$T/cadre.key.pub" "$T/v.cs"
contains "$T/out" "signature: good" "inspect verified"
contains "$T/out" "purpose: Kiểm tra đường bê tông Thôn 1" "inspect Vietnamese text"
contains "$T/out" "ops:       3" "inspect op count"
expect 0 "inspect json" "$COSO" inspect --json --key "$T/cadre.key.pub" \
	"$T/v.cs"
contains "$T/out" '"verified":true' "json verified"
contains "$T/out" '"seq":1,' "json seq"

# One byte of the body changed: refused, and the file is untouched.
cp "$T/v.cs" "$T/t.cs"
printf 'X' | dd of="$T/t.cs" bs=1 seek=120 conv=notrunc 2>/dev/null
expect 2 "tampered" "$COSO" inspect --key "$T/cadre.key.pub" "$T/t.cs"
contains "$T/err" "bad signature" "tampered message"
expect 0 "other key" "$COSO" key generate --out "$T/other.key"
expect 2 "wrong key" "$COSO" inspect --key "$T/other.key.pub" "$T/v.cs"
contains "$T/err" "signed by a different key" "wrong key message"
head -c 100 "$T/v.cs" >"$T/short.cs"
expect 2 "truncated" "$COSO" inspect "$T/short.cs"
contains "$T/err" "truncated" "truncated message"

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
