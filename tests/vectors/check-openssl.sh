#!/bin/sh
# check-openssl.sh [VECTORS]: checks every golden vector's signature and id
# with OpenSSL and sha256sum, independently of libsodium and of coso.
set -eu
V=${1:-tests/vectors/changesets.txt}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0
awk -v dir="$T" '/^name /{n++} n>0 && !/^#/ && NF {print > (dir "/vec" n)}' "$V"
for f in "$T"/vec*; do
	cp "$f" "$T/v"
	seed=$(grep '^seed ' "$f" | cut -d' ' -f2)
	cs=$(grep '^changeset ' "$f" | cut -d' ' -f2)
	id=$(grep '^id ' "$f" | cut -d' ' -f2)
	# PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410).
	printf '302e020100300506032b657004220420%s' "$seed" | xxd -r -p \
		>"$T/key.der"
	openssl pkey -inform DER -in "$T/key.der" -out "$T/key.pem"
	len=$((${#cs} / 2))
	printf '%s' "$cs" | xxd -r -p >"$T/cs.bin"
	# Signed message: context with its NUL, then all bytes but the sig.
	{ printf 'coso/changeset/v1\000'; head -c $((len - 64)) "$T/cs.bin"; } \
		>"$T/msg"
	tail -c 64 "$T/cs.bin" >"$T/sig"
	openssl pkeyutl -sign -rawin -inkey "$T/key.pem" -in "$T/msg" \
		-out "$T/sig.openssl"
	cmp -s "$T/sig" "$T/sig.openssl" || {
		echo "vector $f: signature differs from OpenSSL's"; exit 1; }
	got=$(sha256sum "$T/cs.bin" | cut -d' ' -f1)
	[ "$got" = "$id" ] || { echo "vector $f: id differs"; exit 1; }
	n=$((n + 1))
done
[ "$n" -ge 3 ] || { echo "only $n vectors"; exit 1; }
echo "vectors: $n signatures and ids match OpenSSL and sha256sum"
