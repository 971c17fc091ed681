#!/bin/sh
# check-receipt-openssl.sh: rebuilds the golden receipt (FORMAT.md,
# "Receipts"; tests/unit/test_wire.c) with OpenSSL's Ed25519, independently
# of libsodium and of coso, and compares every byte.
set -eu
seed=9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60
cs_id=b82ff8085fea3b18d8b3bd99e81cb471eddbc91731456824b9e6530bcbae93a1
want=01${cs_id}00000000000000070000019ac29c147b01\
88e20be55ccbe30edda7fc6c6bda8ad89aa2bf6f75cce31c7576e21ff89dcf2e\
ae47d622e875478998c4cde9bdc5c3ae7814638fd2d4b8144372c322e2d4d304
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410).
printf '302e020100300506032b657004220420%s' "$seed" | xxd -r -p >"$T/key.der"
openssl pkey -inform DER -in "$T/key.der" -out "$T/key.pem"
# version 1 | cs id | leaf index 7 | received_ms 1764201600123 | verdict 1
body=$(printf '01%s%016x%016x01' "$cs_id" 7 1764201600123)
{ printf 'coso/receipt/v1\000'; printf '%s' "$body" | xxd -r -p; } >"$T/msg"
openssl pkeyutl -sign -rawin -inkey "$T/key.pem" -in "$T/msg" -out "$T/sig"
got=$body$(xxd -p -c 64 "$T/sig")
[ "$got" = "$want" ] || { echo "receipt: differs from OpenSSL's"; exit 1; }
echo "receipt: golden receipt matches OpenSSL"
