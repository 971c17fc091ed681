#!/bin/sh
# demo.sh BUILD: what coso does today, end to end on this machine.
#
# A cadre's key is made and sealed with a passphrase; a visit to Xã Đào
# Viên is signed as a change-set; the change-set is shown and verified;
# one altered byte, a wrong key and a wrong passphrase are each refused.
set -eu
B=$(cd "$1" && pwd)
D=$(mktemp -d /tmp/coso-demo.XXXXXX)
trap 'rm -rf "$D"' EXIT
step() { printf '\n== %s\n' "$*"; }

step "A cadre's device key, sealed with a passphrase (Argon2id)"
printf 'mật khẩu của cán bộ\n' >"$D/pass"
"$B/coso" key generate --out "$D/cadre.key" --passphrase-file "$D/pass"
ls -l "$D/cadre.key" "$D/cadre.key.pub" | sed "s|$D/||"

step "A visit to Xã Đào Viên, signed as change-set 1 of the cadre's chain"
"$B/mkcs" visit "$D/cadre.key" "$D/visit.cs" "$D/pass"
echo "$(wc -c <"$D/visit.cs") bytes: 85 header + body + 64 signature"

step "coso inspect: the signature verifies; the body decodes by the schema"
"$B/coso" inspect --key "$D/cadre.key.pub" "$D/visit.cs"

step "One byte of the body altered: refused"
cp "$D/visit.cs" "$D/altered.cs"
printf 'X' | dd of="$D/altered.cs" bs=1 seek=150 conv=notrunc 2>/dev/null
if "$B/coso" inspect --key "$D/cadre.key.pub" "$D/altered.cs"; then
	echo "demo: an altered change-set was accepted" >&2
	exit 1
fi

step "Checked against another cadre's key: refused"
"$B/coso" key generate --out "$D/other.key" >/dev/null
if "$B/coso" inspect --key "$D/other.key.pub" "$D/visit.cs"; then
	echo "demo: a change-set verified under the wrong key" >&2
	exit 1
fi

step "The device key with a wrong passphrase: refused"
printf 'đoán bừa\n' >"$D/wrong"
if "$B/coso" key public --passphrase-file "$D/wrong" "$D/cadre.key"; then
	echo "demo: a wrong passphrase unlocked the key" >&2
	exit 1
fi
printf '\ndemo: done\n'
