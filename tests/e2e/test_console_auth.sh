#!/usr/bin/env bash
# test_console_auth.sh BUILD: who may open the office's console, against
# a real central.  The office grants access by signed change-sets
# (`coso admin console grant|end`); the central keeps passphrases of its
# own (`cosod central console passwd`).  Sign-in by passphrase and by a
# challenge signed with `coso console sign`; a wrong passphrase, a
# replayed challenge, a revoked key, an ended grant, a cross-origin or
# wrong-Host POST and too many failures are refused with their codes;
# the cookie's flags; sign-out ends the session.
NAME=e2e-console-auth
. "$(dirname "$0")/lib.sh"

PORT=$(free_port)
HPORT=$(free_port)
while [ "$HPORT" = "$PORT" ]; do HPORT=$(free_port); done
URL="tcp://127.0.0.1:$PORT"
H="http://127.0.0.1:$HPORT"
DATA="$ROOT/deploy/data/lang-son-2024.csv"
PASS='mật khẩu văn phòng 2026'

# post PATH BODY [CURL ARGS...]: status; body in $T/body, head in $T/head.
post() {
	_p=$1 _b=$2
	shift 2
	curl -s -o "$T/body" -D "$T/head" -w '%{http_code}' -X POST \
		-H 'Content-Type: application/json' --data-binary "$_b" "$@" \
		"$H$_p"
}
# get PATH [CURL ARGS...]
get() {
	_p=$1
	shift
	curl -s -o "$T/body" -D "$T/head" -w '%{http_code}' "$@" "$H$_p"
}
# signed CADRE STORE: a sign-in body with a fresh challenge signed there.
signed() {
	get /console/api/challenge >/dev/null
	_ch=$(jq -r .challenge "$T/body")
	_s=$(coso --store "$2" console sign --origin "$H" "$_ch")
	jq -cn --arg c "$1" --arg ch "$_ch" --arg k "${_s%%.*}" \
		--arg s "${_s#*.}" '{cadre:$c,challenge:$ch,key:$k,sig:$s}'
}
cookie_of() { sed -n 's/^Set-Cookie: coso_console=\([0-9a-f]*\);.*/\1/p' \
	"$T/head" | tr -d '\r'; }

run_ok "admin init" coso --store "$T/admin" init --cadre admin \
	--name "Ban Tổ chức Tỉnh ủy"
cp "$T/out" "$T/admin.pub"
run_ok "central init" cosod central init --db "$T/central.db" \
	--admin-key "$T/admin.pub" --origin langson.example/coso/console
cp "$T/out" "$T/central.pub"
run_ok "admin pin" coso --store "$T/admin" pin --central "$URL" \
	--central-key "$T/central.pub"
run_ok "units" coso --store "$T/admin" admin units import "$DATA"
for c in vp le x; do
	run_ok "cadre $c" coso --store "$T/admin" admin cadre add \
		--id "cb-$c" --name "Cán bộ $c"
done
for c in le x; do
	coso --store "$T/admin" admin token --cadre "cb-$c" >"$T/token-$c"
	run_ok "init $c" coso --store "$T/$c" init --cadre "cb-$c" \
		--name "Cán bộ $c" --central "$URL" --central-key "$T/central.pub"
	run_ok "enroll $c" coso --store "$T/$c" enroll --token-file "$T/token-$c"
done
run_ok "grant office" coso --store "$T/admin" admin console grant cb-vp \
	--role office
run_ok "grant leader" coso --store "$T/admin" admin console grant cb-le \
	--role leader --unit 180 --until 31/12/2099
run_ok "grant x" coso --store "$T/admin" admin console grant cb-x \
	--role office
CENTRAL_ARGS="--http 127.0.0.1:$HPORT --log-level info" start_central
wait_port "$HPORT" 10 || bad "no HTTP"
run_ok "admin sync" coso --store "$T/admin" sync
for c in le x; do run_ok "sync $c" coso --store "$T/$c" sync; done
same "$(sqlite3 "$T/central.db" "SELECT count(*) FROM console_access
	WHERE deleted = 0")" 3 "three grants merged"

# --- passphrases: the central's own, from stdin, hashed ---------------
printf '%s\n' "$PASS" >"$T/pass"
run_ok "passwd" cosod central console passwd cb-vp --db "$T/central.db" \
	<"$T/pass"
run_code 1 "passwd of two cadres" cosod central console passwd cb-vp cb-x \
	--db "$T/central.db" <"$T/pass"
run_code 2 "passwd unknown cadre" cosod central console passwd \
	--db "$T/central.db" ghost <"$T/pass"
printf 'short\n' | cosod central console passwd --db "$T/central.db" cb-x \
	>/dev/null 2>"$T/err"
same "$?" 2 "a short passphrase refused"
run_code 1 "passwd without --db" cosod central console passwd cb-vp
h=$(sqlite3 "$T/central.db" "SELECT hash FROM console_secrets WHERE
	cadre_id = 'cb-vp'")
same "${h:0:10}" '$argon2id$' "an argon2id hash"
same "$(sqlite3 "$T/central.db" "SELECT count(*) FROM console_secrets")" 1 \
	"one passphrase stored"
if grep -qF "$PASS" "$T/central.db" "$T/central.log"; then
	bad "the passphrase in the database or the log"; else ok; fi
run_ok "list" cosod central console list --db "$T/central.db" --json
same "$(jq -c '[.[] | [.cadre, .role, .unit, .valid_to, .state,
	.has_passphrase]]' "$T/out")" '[["cb-le","leader","180",20991231,"active",false],["cb-vp","office",null,0,"active",true],["cb-x","office",null,0,"active",false]]' \
	"console list"

# on a terminal: asked twice with the echo off; two that differ store
# nothing
tty_passwd() {
	python3 - "$1" "$2" "$B/cosod" central console passwd \
		--db "$T/central.db" cb-x <<'PY'
import os, pty, sys
answers = [sys.argv[1].encode(), sys.argv[2].encode()]
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[3], sys.argv[3:])
seen = b""
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
    if answers and seen.rstrip().endswith(b":"):
        os.write(fd, answers.pop(0) + b"\n")
        seen += b"|"
_, st = os.waitpid(pid, 0)
sys.stdout.write(seen.decode("utf-8", "replace"))
sys.exit(os.WEXITSTATUS(st))
PY
}
tty_passwd "một hai ba bốn" "một hai ba năm" >"$T/tty" 2>&1
same "$?" 2 "two passphrases that differ"
grep -q "the two passphrases differ" "$T/tty" && ok || bad "differ msg"
same "$(sqlite3 "$T/central.db" "SELECT count(*) FROM console_secrets
	WHERE cadre_id = 'cb-x'")" 0 "nothing stored"
tty_passwd "một hai ba bốn" "một hai ba bốn" >"$T/tty" 2>&1
same "$?" 0 "passwd on a terminal"
grep -q "new console passphrase:" "$T/tty" && ok || bad "the prompt"
if grep -q "một hai" "$T/tty"; then bad "the passphrase echoed"; else ok; fi
same "$(sqlite3 "$T/central.db" "SELECT count(*) FROM console_secrets
	WHERE cadre_id = 'cb-x'")" 1 "stored from the terminal"
xtty=$(jq -cn '{cadre:"cb-x",passphrase:"một hai ba bốn"}')

# --- sign-in by passphrase -----------------------------------------------
body=$(jq -cn --arg p "$PASS" '{cadre:"cb-vp",passphrase:$p}')
same "$(post /console/api/login "$xtty" -H "Origin: $H")" 200 \
	"the terminal's passphrase signs in"
same "$(post /console/api/login "$body" -H "Origin: $H")" 200 "login"
same "$(jq -c '[.cadre, .name, .role, .unit, .sector]' "$T/body")" \
	'["cb-vp","Cán bộ vp","office",null,null]' "the session's cadre"
setc=$(grep -i '^Set-Cookie:' "$T/head" | tr -d '\r')
for f in "HttpOnly" "SameSite=Strict" "Path=/"; do
	case "$setc" in *"; $f"*) ok ;; *) bad "cookie lacks $f: $setc" ;; esac
done
grep -qi '^Cache-Control: no-store' "$T/head" && ok || bad "no-store"
VP=$(cookie_of)
same "${#VP}" 64 "a 32-byte session id"
same "$(get /console/api/session -H "Cookie: coso_console=$VP")" 200 \
	"session"
same "$(jq -r .role "$T/body")" office "office role"
exp=$(jq -r .expires "$T/body")
now=$(($(date +%s) * 1000))
[ "$exp" -gt $((now + 29 * 60000)) ] && [ "$exp" -le $((now + 31 * 60000)) ] \
	&& ok || bad "idle expiry $exp not 30 min after $now"
same "$(get /console/api/session)" 401 "no cookie"
same "$(get /console/api/session -H "Cookie: coso_console=${VP//?/0}")" \
	401 "another id"
bad_pw=$(jq -cn '{cadre:"cb-vp",passphrase:"sai mật khẩu"}')
same "$(post /console/api/login "$bad_pw" -H "Origin: $H")" 401 \
	"wrong passphrase"
same "$(jq -r '.error | type' "$T/body")" string "a JSON error"
grep -q "sign-in of cadre cb-vp refused: wrong passphrase" \
	"$T/central.log" && ok || bad "the refusal not logged"
if grep -qF "sai mật khẩu" "$T/central.log"; then
	bad "a passphrase logged"; else ok; fi
same "$(post /console/api/login '{"cadre":"cb-vp"}' -H "Origin: $H")" 400 \
	"neither way"
same "$(post /console/api/login '{"cadre":"cb-vp","passphrase":"a","x":1}' \
	-H "Origin: $H")" 400 "an unknown member"
same "$(post /console/api/login "$(head -c 5000 /dev/zero | tr '\0' a)" \
	-H "Origin: $H")" 413 "a body over 4 KiB"
same "$(get /console/api/login)" 405 "GET of login"

# --- origin and host ---------------------------------------------------
same "$(post /console/api/login "$body" -H "Origin: http://evil.example")" \
	403 "cross-origin POST"
same "$(post /console/api/login "$body")" 403 "POST without Origin"
same "$(post /console/api/logout '{}' -H "Origin: http://evil.example" \
	-H "Cookie: coso_console=$VP")" 403 "cross-origin logout"
same "$(get /console/api/session -H "Cookie: coso_console=$VP")" 200 \
	"still signed in"
same "$(post /console/api/login "$body" -H "Host: evil.example:$HPORT" \
	-H "Origin: http://evil.example:$HPORT")" 421 "a rebound Host"
same "$(post /console/api/login "$body" -H "Host: localhost:$HPORT" \
	-H "Origin: http://localhost:$HPORT")" 200 "localhost is loopback"

# --- sign-in by a signed challenge -------------------------------------
sb=$(signed cb-le "$T/le")
same "$(post /console/api/login "$sb" -H "Origin: $H")" 200 "signed login"
LE=$(cookie_of)
same "$(get /console/api/session -H "Cookie: coso_console=$LE")" 200 \
	"leader session"
same "$(jq -c '[.cadre, .role, .unit, .sector]' "$T/body")" \
	'["cb-le","leader","180",null]' "the leader's subtree"
same "$(post /console/api/login "$sb" -H "Origin: $H")" 401 \
	"replayed challenge"
grep -q "used" "$T/body" && ok || bad "the replay's reason"
sb2=$(signed cb-le "$T/le")
same "$(post /console/api/login "$sb2" -H "Host: localhost:$HPORT" \
	-H "Origin: http://localhost:$HPORT")" 401 \
	"signed for another origin"
sb3=$(signed cb-vp "$T/le")
same "$(post /console/api/login "$sb3" -H "Origin: $H")" 401 \
	"another cadre's key"
ch=$(get /console/api/challenge >/dev/null; jq -r .challenge "$T/body")
same "${#ch}" 64 "a 32-byte challenge"

# --- a revoked key is refused --------------------------------------------
xs=$(coso --store "$T/x" console sign --origin "$H" "$ch")
kid=$(printf %s "${xs%%.*}" | xxd -r -p | sha256sum | cut -d' ' -f1)
sx=$(signed cb-x "$T/x")
same "$(post /console/api/login "$sx" -H "Origin: $H")" 200 \
	"x signs in with its key"
run_ok "revoke x" coso --store "$T/admin" admin revoke --key "$kid"
run_ok "admin sync revoke" coso --store "$T/admin" sync
same "$(sqlite3 "$T/central.db" "SELECT revoked IS NOT NULL FROM authors
	WHERE hex(key_id) = upper('$kid')")" 1 "the key revoked at the central"
sx=$(signed cb-x "$T/x")
same "$(post /console/api/login "$sx" -H "Origin: $H")" 401 \
	"a revoked key refused"
grep -q "sign-in of cadre cb-x refused: key not a live key" \
	"$T/central.log" && ok || bad "the revoked key's refusal logged"

# --- rate limit: 5 failures a minute, then 429 even for the right one ---
printf '%s\n' "$PASS" | cosod central console passwd --db "$T/central.db" \
	cb-x >/dev/null
xbad=$(jq -cn '{cadre:"cb-x",passphrase:"không đúng"}')
codes=""
for i in 1 2 3 4 5 6; do
	codes="$codes $(post /console/api/login "$xbad" -H "Origin: $H")"
done
same "$codes" " 401 401 401 401 401 429" \
	"five wrong passphrases, then 429"
grep -qi '^Retry-After: [0-9]' "$T/head" && ok || bad "Retry-After"
xgood=$(jq -cn --arg p "$PASS" '{cadre:"cb-x",passphrase:$p}')
same "$(post /console/api/login "$xgood" -H "Origin: $H")" 429 \
	"blocked whatever the passphrase"
same "$(post /console/api/login "$body" -H "Origin: $H")" 200 \
	"another cadre not blocked"

# --- an ended grant: 403 for the session and for a new sign-in ---------
run_ok "end le" coso --store "$T/admin" admin console end cb-le
run_ok "admin sync end" coso --store "$T/admin" sync
same "$(get /console/api/session -H "Cookie: coso_console=$LE")" 403 \
	"ended grant"
same "$(get /console/api/session -H "Cookie: coso_console=$LE")" 401 \
	"its session closed"
sb4=$(signed cb-le "$T/le")
same "$(post /console/api/login "$sb4" -H "Origin: $H")" 403 \
	"sign-in after the end"
run_ok "list ended" cosod central console list --db "$T/central.db" --json
same "$(jq -r '.[] | select(.cadre == "cb-le") | .state' "$T/out")" ended \
	"listed as ended"

# --- sign-out -------------------------------------------------------------
same "$(post /console/api/logout '{}' -H "Origin: $H" \
	-H "Cookie: coso_console=$VP")" 200 "logout"
grep -i '^Set-Cookie: coso_console=;' "$T/head" | grep -q 'Max-Age=0' &&
	ok || bad "the cookie cleared"
same "$(get /console/api/session -H "Cookie: coso_console=$VP")" 401 \
	"signed out"

# --- the API's bearer token does not apply to the console's paths --------
same "$(post /console/api/login "$body" -H "Origin: $H")" 200 "a new session"
LIVE=$(cookie_of)
same "$(get /console/api/session -H "Cookie: coso_console=$LIVE")" 200 \
	"live before the restart"
stop_central
printf 'jeton-secret-0123456789\n' >"$T/token"
CENTRAL_ARGS="--http 127.0.0.1:$HPORT --http-token $T/token" start_central
wait_port "$HPORT" 10 || bad "no HTTP after restart"
same "$(get /api/v1/keys)" 401 "the API asks for its token"
same "$(get /api/v1/keys -H 'Authorization: Bearer jeton-secret-0123456789')" \
	200 "with it"
same "$(get /console/api/challenge)" 200 "the console does not"
same "$(get /console/api/session -H "Cookie: coso_console=$LIVE")" 401 \
	"a restart ends every session"
same "$(post /console/api/login "$body" -H "Origin: $H")" 200 \
	"sign-in after the restart"

finish
