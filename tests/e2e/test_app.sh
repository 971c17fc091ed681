#!/usr/bin/env bash
# test_app.sh BUILD: the cadre's app (`cosod field run --ui`) over curl,
# against a real central on loopback: the local server's guards (the
# launch's secret, Host, Origin), the first run and the enrollment, a
# visit recorded through the API landing in the store's rows and in
# `coso visit list', bad input refused with a JSON error and nothing
# stored, a draft kept across a restart, the unlock, and the agent
# syncing by itself when the central comes back.
NAME=e2e-app
. "$(dirname "$0")/lib.sh"

PORT=$(free_port)
UP=$(free_port)
while [ "$UP" = "$PORT" ]; do UP=$(free_port); done
UA=$(free_port)
while [ "$UA" = "$PORT" ] || [ "$UA" = "$UP" ]; do UA=$(free_port); done
URL="tcp://127.0.0.1:$PORT"
H="http://127.0.0.1:$UP"
DATA="$ROOT/deploy/data/lang-son-2024.csv"
DEV="$T/dev"
JAR="$T/jar"
PASS="mật khẩu 2026"

# --- the province: admin, central, units, the cadre and a token ----------
run_ok "admin init" coso --store "$T/admin" init --cadre admin --name "Ban"
cp "$T/out" "$T/admin.pub"
run_ok "central init" cosod central init --db "$T/central.db" \
	--admin-key "$T/admin.pub" --origin langson.example/coso/sync
cp "$T/out" "$T/central.pub"
run_ok "admin pin" coso --store "$T/admin" pin --central "$URL" \
	--central-key "$T/central.pub"
run_ok "admin units" coso --store "$T/admin" admin units import "$DATA"
run_ok "admin villages" coso --store "$T/admin" admin units import \
	"$ROOT/deploy/data/lang-son-villages.csv"
run_ok "cadre" coso --store "$T/admin" admin cadre add --id cb-a \
	--name "Lò Thị Mai"
run_ok "assign" coso --store "$T/admin" admin assign --cadre cb-a \
	--unit 06043 --role in-charge --from 2025-01-01
start_central
run_ok "admin sync" coso --store "$T/admin" sync

# start_app: cosod field run --ui; its printed URL in $APPURL.
start_app() {
	: >"$T/app.out"
	"$B/cosod" field run --store "$DEV" --interval 2 --max-backoff 1 \
		--ui "127.0.0.1:$UP" >"$T/app.out" 2>>"$T/app.log" &
	APP=$!
	PIDS="$PIDS $APP"
	_i=0
	while [ $_i -lt 50 ] && ! grep -q '?k=' "$T/app.out"; do
		sleep 0.1
		_i=$((_i + 1))
	done
	APPURL=$(sed -n 's/^coso app: open //p' "$T/app.out")
	SECRET=${APPURL##*k=}
}
stop_app() {
	kill -TERM "$APP" 2>/dev/null
	wait "$APP" 2>/dev/null
}

# api METHOD PATH [JSON]: the status; the body in $T/body.  With the
# cookie and the app's Origin, as the page sends them.
api() {
	_m=$1 _p=$2
	shift 2
	if [ $# -gt 0 ]; then
		curl -s -o "$T/body" -w '%{http_code}' -X "$_m" -b "$JAR" \
			-H "Origin: $H" -H 'Content-Type: application/json' \
			--data-binary "$1" "$H/api/$_p"
	else
		curl -s -o "$T/body" -w '%{http_code}' -X "$_m" -b "$JAR" \
			-H "Origin: $H" "$H/api/$_p"
	fi
}
jbody() { jq -r "$1" "$T/body"; }
rows() { sqlite3 "$DEV/store.db" "$1"; }

run_code 2 "a non-loopback --ui refused" cosod field run --store "$DEV" \
	--ui "10.1.2.3:$UP"
same "$(grep -c 'not a loopback address' "$T/err")" 1 "non-loopback: said"
run_code 1 "--ui-any alone is a usage error" cosod field run --store "$DEV" \
	--ui-any
start_app
same "$(printf %s "$SECRET" | tr -d '0-9a-f' | wc -c)${#SECRET}" 064 \
	"URL carries a 64-hex-digit secret"

# --- the guards ---------------------------------------------------------
same "$(curl -s -o "$T/body" -w '%{http_code}' "$H/api/state")" 401 \
	"no cookie: 401"
same "$(jbody .error.code)" no_session "no cookie: no_session"
same "$(curl -s -o /dev/null -w '%{http_code}' "$H/?k=$(printf '0%.0s' \
	$(seq 64))")" 403 "wrong secret in the URL: 403"
same "$(curl -s -o /dev/null -w '%{http_code}' -c "$JAR" "$H/?k=$SECRET")" \
	303 "the printed URL: 303 to /"
same "$(grep -c "coso_k	$SECRET" "$JAR")" 1 "the cookie holds the secret"
same "$(curl -s -D - -o /dev/null "$H/?k=$SECRET" | tr -d '\r' |
	grep -ci '^set-cookie: coso_k=.*; HttpOnly; SameSite=Strict')" 1 \
	"cookie HttpOnly, SameSite=Strict"
same "$(api GET state)" 200 "with the cookie: 200"
same "$(jbody .state)" new "first run: state new"
same "$(curl -s -o "$T/body" -w '%{http_code}' -b "$JAR" \
	-H "Host: evil.example:$UP" "$H/api/state")" 421 "wrong Host: 421"
same "$(jbody .error.code)" bad_host "wrong Host: bad_host"
same "$(curl -s -o "$T/body" -w '%{http_code}' -b "$JAR" \
	-H "Host: 127.0.0.1.evil.example:$UP" "$H/")" 421 \
	"rebinding name, even for a page: 421"
same "$(curl -s -o "$T/body" -w '%{http_code}' -X POST -b "$JAR" \
	-H 'Content-Type: application/json' --data '{}' "$H/api/sync")" 403 \
	"POST without Origin: 403"
same "$(curl -s -o "$T/body" -w '%{http_code}' -X POST -b "$JAR" \
	-H 'Origin: http://evil.example' -H 'Content-Type: application/json' \
	--data '{"name":"x","cadre_id":"x","passphrase":"12345678"}' \
	"$H/api/setup")" 403 "POST with a foreign Origin: 403"
same "$(jbody .error.code)" bad_origin "foreign Origin: bad_origin"
same "$(test -e "$DEV/store.db" && echo yes || echo no)" no \
	"refused setup made no store"
same "$(curl -s -o "$T/index" -w '%{http_code}' "$H/")" 200 \
	"the page itself is served"
same "$(cmp -s "$T/index" "$ROOT/web/app/index.html" && echo same)" same \
	"index.html as embedded, byte for byte"

# --- first run: create, pin, enroll -----------------------------------
same "$(api POST setup '{"name":"Lò Thị Mai","cadre_id":"cb-a","passphrase":"ngắn"}')" \
	400 "short passphrase refused"
same "$(jbody .error.code)" passphrase_short "short passphrase: its code"
same "$(api POST setup "{\"name\":\"Lò Thị Mai\",\"cadre_id\":\"cb-a\",\"passphrase\":\"$PASS\"}")" \
	201 "setup: 201"
same "$(head -c 16 "$DEV/device.pub")" "coso public key " "device key made"
same "$(api POST setup "{\"name\":\"X\",\"cadre_id\":\"cb-x\",\"passphrase\":\"$PASS\"}")" \
	409 "a second setup: 409"
same "$(api POST central "$(jq -n --arg u "$URL" --rawfile k "$T/central.pub" \
	'{url: $u, key: $k}')")" 200 "central pinned"
same "$(api GET home)/$(jbody .enroll_queued)" 200/false "nothing queued yet"
same "$(api POST enroll '{"token":"1234"}')" 400 "a short token refused"
same "$(jbody .error.code)" bad_token "short token: bad_token"

# --- the office's app on the admin device issues the token as a QR code -
"$B/cosod" field run --store "$T/admin" --interval 60 --ui "127.0.0.1:$UA" \
	>"$T/admin-app.out" 2>>"$T/admin-app.log" &
ADMIN_APP=$!
PIDS="$PIDS $ADMIN_APP"
_i=0
while [ $_i -lt 50 ] && ! grep -q '?k=' "$T/admin-app.out"; do
	sleep 0.1
	_i=$((_i + 1))
done
AURL=$(sed -n 's/^coso app: open //p' "$T/admin-app.out")
curl -s -o /dev/null -c "$T/ajar" "$AURL"
aapi() {
	curl -s -o "$T/body" -w '%{http_code}' -X "$1" -b "$T/ajar" \
		-H "Origin: http://127.0.0.1:$UA" \
		-H 'Content-Type: application/json' ${3:+--data-binary "$3"} \
		"http://127.0.0.1:$UA/api/$2"
}
same "$(aapi GET home)" 200 "admin app: home"
same "$(jbody .role)" admin "admin app: an admin key"
same "$(aapi POST admin/tokens '{"cadre_id":"cb-a","days":7}')" 201 \
	"admin app: token issued"
jbody .token >"$T/token"
same "$(grep -c '^[0-9a-f]\{64\}$' "$T/token")" 1 "token: 64 hex digits"
jbody .qr_png | sed 's/^data:image\/png;base64,//' | base64 -d >"$T/token.png"
same "$(zbarimg --raw -q "$T/token.png" 2>/dev/null)" "$(cat "$T/token")" \
	"its QR code holds the token"
same "$(aapi GET admin/tokens)" 200 "admin app: tokens"
same "$(jbody '[.items[] | select(.cadre_id == "cb-a")] | length')" 1 \
	"the token listed, for cb-a"
if wait_synced "$T/admin" 30; then ok; else
	bad "the admin app's agent sent the token by itself"; fi
kill -TERM "$ADMIN_APP"
wait "$ADMIN_APP" 2>/dev/null

printf 'not an image' >"$T/junk.png"
same "$(curl -s -o "$T/body" -w '%{http_code}' -X POST -b "$JAR" \
	-H "Origin: $H" -H 'Content-Type: image/png' \
	--data-binary @"$T/junk.png" "$H/api/enroll/qr")" 400 \
	"not a QR image: 400"
same "$(jbody .error.code)" no_qr "not a QR image: no_qr"
same "$(curl -s -o "$T/body" -w '%{http_code}' -X POST -b "$JAR" \
	-H "Origin: $H" -H 'Content-Type: image/png' \
	--data-binary @"$T/token.png" "$H/api/enroll/qr")" 200 \
	"enroll by the QR image"
_i=0
while [ $_i -lt 100 ] && [ "$(rows 'SELECT count(*) FROM assignments')" = 0 ]; do
	sleep 0.2
	_i=$((_i + 1))
done
[ "$(rows 'SELECT count(*) FROM units')" -gt 0 ] &&
	[ "$(rows 'SELECT count(*) FROM assignments')" = 1 ] && ok ||
	bad "the agent enrolled and pulled the units and the assignment"
same "$(api GET home)" 200 "home"
same "$(jbody .enrolled)" true "home: enrolled"
same "$(jbody .role)" field "home: a field key"

same "$(jbody '.units[0].code')" 06043 "home: the assigned commune"
same "$(jbody '[.units[0].children[].code] | join(",")')" "06043-01,06043-02,06043-03" \
	"home: the commune's villages under it"
same "$(api POST admin/cadres '{"cadre_id":"cb-z","name":"Z"}')" 403 \
	"a field device: no admin operation"
same "$(jbody .error.code)" not_admin "field device: not_admin"

# --- the central goes down; a visit through the API -------------------
stop_central
VISIT='{"unit":"06043","date":"02/12/2026","purpose":"Nắm tình hình bản",
 "situation":"Ổn định","proposals":["Làm đường"],
 "outcomes":[{"text":"Cấp giống","quantity":"2,5","quantity_unit":"tấn",
 "amount":"1.500.000"}]}'
same "$(api POST visits "$VISIT")" 201 "visit recorded: 201"
VID=$(jbody .id)
same "$(rows "SELECT count(*) FROM visits WHERE hex(id) = upper('$VID') \
	AND purpose = 'Nắm tình hình bản' AND date = 20261202")" 1 \
	"the visit's row in the store"
same "$(rows "SELECT quantity, amount_vnd FROM outcomes o JOIN visits v \
	ON v.id = o.visit WHERE hex(v.id) = upper('$VID')")" "2500|1500000" \
	"its outcome, numbers read as Vietnamese"
coso --store "$DEV" visit list >"$T/list" 2>&1
same "$(grep -c "${VID: -8}" "$T/list")" 1 "coso visit list shows it"
same "$(api GET "visits/$VID")" 200 "visit detail"
same "$(jbody '.visit.purpose')" "Nắm tình hình bản" "detail: purpose"
same "$(jbody '.outcomes | length')" 1 "detail: one outcome"

# --- bad input: refused, nothing stored -------------------------------
n0=$(rows 'SELECT count(*) FROM visits')
o0=$(rows 'SELECT count(*) FROM outbox')
same "$(api POST visits '{"unit":"06043","date":"31/02/2026","purpose":"x"}')" \
	400 "31/02/2026 refused"
same "$(jbody .error.code)/$(jbody .error.field)" bad_date/date \
	"31/02/2026: bad_date on date"
same "$(api POST visits '{"unit":"06043","date":"02/12/2026","purpose":"  "}')" \
	400 "empty purpose refused"
same "$(jbody .error.code)/$(jbody .error.field)" required/purpose \
	"empty purpose: required on purpose"
big=$(head -c 102400 /dev/zero | tr '\0' 'a')
same "$(api POST visits "{\"unit\":\"06043\",\"date\":\"02/12/2026\",\"purpose\":\"$big\"}")" \
	400 "100 kB of text refused"
same "$(jbody .error.code)/$(jbody .error.field)" too_long/purpose \
	"100 kB: too_long on purpose"
same "$(jbody '.error.message.vi | length > 0')" true \
	"errors say it in Vietnamese"
same "$(api POST visits '{"unit":"06043","date":"02/12/2026","purpose":"x",
 "outcomes":[{"text":"y","quantity":"1.500"}]}')" 400 \
	"ambiguous quantity refused"
same "$(jbody .error.code)" ambiguous_number "1.500: ambiguous_number"
same "$(api POST visits '{not json')" 400 "not JSON refused"
same "$(rows 'SELECT count(*) FROM visits')/$(rows 'SELECT count(*) FROM outbox')" \
	"$n0/$o0" "nothing stored nor signed by the refusals"

# --- a draft survives a restart; the key is asked again ---------------
same "$(api PUT drafts/visit '{"form":{"purpose":"Đang gõ dở"}}')" 200 \
	"draft saved"
stop_app
start_app
same "$(api GET state)" 401 "the old cookie is refused after a restart"
curl -s -o /dev/null -c "$JAR" "$H/?k=$SECRET"
same "$(api GET state)" 200 "the new URL's cookie"
same "$(jbody .state)" locked "sealed key: locked"
same "$(api GET drafts/visit)" 200 "the draft is still there"
same "$(jbody .form.purpose)" "Đang gõ dở" "the draft's text"
same "$(api POST visits "$VISIT")" 423 "locked: no signed write"
same "$(api POST unlock '{"passphrase":"sai"}')" 401 "wrong passphrase: 401"
same "$(api POST unlock "{\"passphrase\":\"$PASS\"}")" 200 "unlocked"
same "$(api POST visits "${VISIT/bản/bản lần 2}")" 201 "a second visit"
VID2=$(jbody .id)
same "$(api GET 'visits?limit=1')" 200 "a page of one visit"
same "$(jbody '.items | length')/$(jbody .total)/$(jbody '.items[0].id')" \
	"1/2/$VID2" "the newest first, and the total"
same "$(api GET 'visits?limit=1&offset=1')/$(jbody '.items[0].id')" \
	"200/$VID" "the next page: the first visit"
same "$(api GET home)" 200 "home while the central is down"
same "$(jbody .pending)" 2 "home: two pending"
same "$(jbody .online)" false "home: offline"

# --- the central comes back: synced with no click ---------------------
start_central
_i=0
while [ $_i -lt 150 ]; do
	api GET home >/dev/null
	[ "$(jbody .pending)/$(jbody .online)" = 0/true ] && break
	sleep 0.2
	_i=$((_i + 1))
done
same "$(jbody .pending)" 0 "home: nothing pending, no sync asked"
same "$(jbody .online)" true "home: online"
same "$(central_count visits)" 2 "central: both visits"
same "$(api GET visits)" 200 "visits list"
same "$(jbody '[.items[].status] | unique | join(",")')" accepted \
	"both accepted"
same "$(api POST receipts/verify '{}')" 200 "receipts verified"
same "$(jbody .ok)/$(jbody .bad)" "$(jbody .total)/0" \
	"every receipt verifies"
same "$(grep -c "$SECRET" "$T/app.log")" 0 "the secret is not in the log"

stop_app
finish
