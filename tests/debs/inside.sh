#!/bin/bash
# tests/debs/inside.sh PORT HPORT: run by tests/debs/run.sh as root in the
# bare Debian 12 root: installs the packages in /root/debs and runs the
# central, a device and the auditor from them.  Prints one FAIL line per
# failed check and "debs-inside: N passed, M failed".
set -u
PORT=$1 HPORT=$2
URL=tcp://127.0.0.1:$PORT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
same() { if [ "$1" = "$2" ]; then ok; else bad "$3: \`$1' != \`$2'"; fi; }
check() {
	_d=$1
	shift
	if "$@"; then ok; else bad "$_d"; fi
}
finish() {
	echo "debs-inside: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit $?
}
# The unit's ExecStart= line, its continuation lines joined.
execstart() {
	sed -n '/^ExecStart=/,/[^\\]$/p' "$1" | sed 's/^ExecStart=//; s/\\$//' |
		tr '\n' ' '
}
# settle PRED SECONDS: until PRED holds.
settle() {
	_i=0
	while [ $_i -lt $(($2 * 10)) ]; do
		eval "$1" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}
export DEBIAN_FRONTEND=noninteractive LANGUAGE=en

echo "== apt-get install"
apt-get update -qq || { bad "apt-get update"; finish; }
apt-get install -y -q --no-install-recommends /root/debs/*.deb jq ||
	{ bad "apt-get install of the three packages"; finish; }

echo "== what the packages made"
for f in /usr/bin/coso /usr/bin/cosod /usr/bin/coso-audit; do
	check "$f is not installed" test -x "$f"
done
for m in man1/coso.1.gz man8/cosod.8.gz man1/coso-audit.1.gz; do
	check "no man page $m" test -s "/usr/share/man/$m"
done
for u in system/coso-central.service system/coso-audit.service \
	system/coso-audit.timer system/coso-audit-alert.service; do
	check "no unit $u" test -s "/lib/systemd/$u"
done
check "no user unit" test -s /usr/lib/systemd/user/coso-field.service
check "the alert script" test -x /usr/libexec/coso/coso-audit-alert
same "$(getent passwd coso | cut -d: -f6,7)" "/var/lib/coso:/usr/sbin/nologin" \
	"the coso system user"
check "coso is a system user" test "$(id -u coso)" -lt 1000
same "$(stat -c '%U:%G %a' /var/lib/coso)" "coso:coso 750" "/var/lib/coso"
same "$(stat -c '%U:%G %a' /etc/coso/tls)" "root:coso 750" "/etc/coso/tls"
check "/etc/coso/cosod.conf" grep -q '^COSOD_LISTEN=' /etc/coso/cosod.conf
check "the messages in Vietnamese" test -s \
	/usr/share/locale/vi/LC_MESSAGES/coso.mo
out=$(LANGUAGE=vi coso --store /nowhere status 2>&1)
case $out in *"không có kho"*) ok ;; *) bad "no Vietnamese: $out" ;; esac

echo "== the central, as the unit runs it"
coso --store /root/admin init --cadre admin --name "Ban Tổ chức" \
	>/root/admin.pub || bad "admin init"
runuser -u coso -- cosod central init --db /var/lib/coso/central.db \
	--admin-key "$(cat /root/admin.pub)" --origin langson.example/coso \
	>/root/central.pub || bad "central init as coso"
same "$(stat -c '%U %a' /var/lib/coso/central.db.key)" "coso 600" \
	"the central's key"
cat >/etc/coso/cosod.conf <<E
COSOD_LISTEN=$URL
COSOD_HTTP=127.0.0.1:$HPORT
COSOD_OPTS="--log-level info"
E
cmd=$(execstart /lib/systemd/system/coso-central.service)
case $cmd in "/usr/bin/cosod central run "*) ok ;;
*) bad "ExecStart: $cmd" ;; esac
(
	set -a
	. /etc/coso/cosod.conf
	set +a
	# As systemd's User=coso: the same process, no su in between.
	eval "exec setpriv --reuid coso --regid coso --init-groups -- $cmd" \
		>/root/central.log 2>&1
) &
CENTRAL=$!
check "the central listens" settle \
	"(exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null" 20
same "$(cat /proc/$CENTRAL/comm) $(stat -c %U /proc/$CENTRAL)" "cosod coso" \
	"the central runs as coso"

echo "== a device"
A="coso --store /root/admin"
$A pin --central "$URL" --central-key /root/central.pub || bad "admin pin"
$A admin units import /root/lang-son-2024.csv >/dev/null || bad "units"
$A admin cadre add --id cb-a --name "Cán bộ A" || bad "cadre"
$A admin token --cadre cb-a >/root/token 2>/dev/null || bad "token"
$A admin assign --cadre cb-a --unit 06043 --role in-charge \
	--from 2025-01-01 || bad "assign"
$A sync >/dev/null || bad "admin sync"
D="coso --store /root/a"
$D init --cadre cb-a --name "Cán bộ A" --central "$URL" \
	--central-key /root/central.pub >/dev/null || bad "device init"
$D units import /root/lang-son-2024.csv >/dev/null || bad "device units"
$D enroll "$(cat /root/token)" || bad "enroll"
for i in 1 2 3; do
	$D visit add --unit 06043 --date 2025-11-0$i \
		--purpose "Đào Viên lần $i" >/dev/null || bad "visit $i"
done
cosod field run --store /root/a --interval 1 --max-backoff 1 \
	>/root/field.log 2>&1 &
AGENT=$!
pending() { $D status --json | jq -r .pending; }
check "the field agent syncs" settle '[ "$(pending)" = 0 ]' 60
kill -TERM $AGENT
wait $AGENT
runuser -u coso -- cosod central stats --db /var/lib/coso/central.db \
	--json >/root/stats.json || bad "stats"
same "$(jq -r .records.visits /root/stats.json)" 3 "the central: 3 visits"
same "$(jq -r .quarantined /root/stats.json)" 0 "nothing quarantined"

echo "== the auditor, as its unit runs it"
runuser -u coso -- cosod central vkey --db /var/lib/coso/central.db \
	>/etc/coso/central.vkey || bad "vkey"
cat >/etc/coso/audit.conf <<E
COSO_AUDIT_CENTRAL=http://127.0.0.1:$HPORT
COSO_AUDIT_OPTS=--json
E
mkdir -p /var/lib/coso-audit
cmd=$(execstart /lib/systemd/system/coso-audit.service)
(
	set -a
	. /etc/coso/audit.conf
	set +a
	eval "exec $cmd" >/root/audit.json 2>/root/audit.err
)
same "$?" 0 "coso-audit verify: all holds"
same "$(jq -r .ok /root/audit.json)" true "coso-audit: ok"
check "the audit saw the log" test "$(jq -r '.tree_size // 0' \
	/root/audit.json)" -ge 4
same "$(jq -r .anomalies /root/audit.json)" "[]" "no anomaly"

kill -TERM $CENTRAL
wait $CENTRAL
same "$?" 0 "the central stops at SIGTERM"

echo "== purge keeps the log"
apt-get purge -y -q coso-central >/dev/null || bad "purge coso-central"
check "central.db kept" test -s /var/lib/coso/central.db
check "central.db.key kept" test -s /var/lib/coso/central.db.key
check "coso still installed" test -x /usr/bin/cosod
finish
