#!/usr/bin/env bash
# test_systemd.sh BUILD: the units of deploy/systemd/ and the central's
# readiness notification.
#
# Every unit passes `systemd-analyze verify' with nothing to say (an
# unknown key or a missing program is printed, and fails here), and
# `systemd-analyze security --offline=yes' scores the services' exposure
# (written to $B/systemd-exposure.txt; the central and the auditor must
# stay at or under 2.0, "OK").  The units name /usr/bin/..., which a
# build tree does not have: they are checked as copies naming the built
# programs.  Then the central is started with NOTIFY_SOCKET pointing at a
# unix datagram socket of this test's: it must send READY=1 once it
# listens, and STOPPING=1 at SIGTERM, and nothing when NOTIFY_SOCKET is
# unset or empty.
NAME=e2e-systemd
. "$(dirname "$0")/lib.sh"

U=$ROOT/deploy/systemd
PY=$(test -x /usr/bin/python3 && echo /usr/bin/python3 || echo python3)
command -v systemd-analyze >/dev/null 2>&1 || {
	echo "$NAME: systemd-analyze not found (deploy/install-deps.sh)" >&2
	exit 1
}

# --- the units -----------------------------------------------------------
mkdir -p "$T/units"
for f in "$U"/*.service "$U"/*.timer; do
	sed -e "s#/usr/bin/#$B/#g" -e "s#/usr/libexec/coso/#$U/#g" "$f" \
		>"$T/units/$(basename "$f")"
done
n=0
for f in "$T"/units/*; do
	n=$((n + 1))
	if systemd-analyze verify --man=no "$f" >"$T/verify" 2>&1 &&
		[ ! -s "$T/verify" ]; then ok; else
		bad "systemd-analyze verify $(basename "$f"):"
		cat "$T/verify"
	fi
done
same "$n" 5 "five units: central, field, audit, its timer, its alert"
grep -q '^Type=notify$' "$U/coso-central.service" && ok ||
	bad "coso-central.service is not Type=notify"
grep -q '^OnFailure=coso-audit-alert.service$' "$U/coso-audit.service" &&
	ok || bad "coso-audit.service has no OnFailure= alert"
grep -q '^OnCalendar=hourly$' "$U/coso-audit.timer" && ok ||
	bad "coso-audit.timer is not hourly"
for k in 'ProtectSystem=strict' 'NoNewPrivileges=yes' 'PrivateTmp=yes' \
	'SystemCallFilter=@system-service' 'StateDirectory=coso' \
	'ConfigurationDirectory=coso'; do
	grep -q "^$k\$" "$U/coso-central.service" && ok ||
		bad "coso-central.service lacks $k"
done
grep -q '^MemoryMax=' "$U/coso-central.service" && ok ||
	bad "coso-central.service has no MemoryMax="

# exposure SERVICE MAX: the overall exposure, at most MAX.
: >"$B/systemd-exposure.txt"
exposure() {
	systemd-analyze security --offline=yes --man=no \
		"$T/units/$1.service" >"$T/sec" 2>&1
	_s=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' \
		"$T/sec")
	printf '%s %s\n' "$1.service" "${_s:-?}" >>"$B/systemd-exposure.txt"
	if [ -n "$_s" ] && awk -v s="$_s" -v m="$2" 'BEGIN { exit !(s <= m) }'
	then ok; else
		bad "$1.service: exposure ${_s:-unknown}, wanted at most $2"
		tail -3 "$T/sec"
	fi
}
exposure coso-central 2.0
exposure coso-audit 2.0
exposure coso-audit-alert 7.0
exposure coso-field 7.5
echo "$NAME: exposure: $(tr '\n' ' ' <"$B/systemd-exposure.txt")"

# --- READY=1 and STOPPING=1 over NOTIFY_SOCKET --------------------------
PORT=$(free_port)
URL="tcp://127.0.0.1:$PORT"
run_ok "admin init" coso --store "$T/admin" init --cadre admin --name Admin
cp "$T/out" "$T/admin.pub"
run_ok "central init" cosod central init --db "$T/central.db" \
	--admin-key "$T/admin.pub" --origin langson.example/coso/sync

# A datagram listener: each message as one line (newlines as '|') in
# $T/notify.out; it exits after STOPPING=1 or 60 s.
SOCK=$T/notify.sock
cat >"$T/listen.py" <<'P'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(60)
with open(sys.argv[2], "a") as out:
    out.write("bound\n")
    out.flush()
    try:
        while True:
            m = s.recv(4096).decode()
            out.write(m.replace("\n", "|") + "\n")
            out.flush()
            if "STOPPING=1" in m.split("\n"):
                break
    except socket.timeout:
        pass
P
"$PY" "$T/listen.py" "$SOCK" "$T/notify.out" &
LISTENER=$!
PIDS="$PIDS $LISTENER"
i=0
while ! grep -q bound "$T/notify.out" 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done

# wait_line PATTERN SECONDS: until a message matches.
wait_line() {
	_i=0
	while [ $_i -lt $(($2 * 10)) ]; do
		grep -q -- "$1" "$T/notify.out" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}
NOTIFY_SOCKET=$SOCK start_central
if wait_line 'READY=1' 10; then ok; else bad "no READY=1 from the central"; fi
# READY=1 is sent only once the port accepts connections.
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then ok; else
	bad "READY=1 sent but the central does not listen"
fi
same "$(grep -c 'READY=1' "$T/notify.out")" 1 "READY=1 sent once"
kill -TERM "$CENTRAL"
wait "$CENTRAL"
same "$?" 0 "the central stops cleanly at SIGTERM"
if wait_line 'STOPPING=1' 10; then ok; else bad "no STOPPING=1 at SIGTERM"; fi
wait "$LISTENER" 2>/dev/null
same "$(sed -n 2p "$T/notify.out")" "READY=1|STATUS=serving|" \
	"first message: READY=1 and a status"
same "$(sed -n 3p "$T/notify.out")" "STOPPING=1|" "second: STOPPING=1"

# Without systemd (unset or empty), and with a socket nobody listens on:
# the central serves all the same; a dead socket is only a warning.
for v in unset empty dead; do
	case $v in
	unset) start_central ;;
	empty) NOTIFY_SOCKET= start_central ;;
	dead) NOTIFY_SOCKET=$T/nobody.sock start_central ;;
	esac
	if kill -0 "$CENTRAL" 2>/dev/null; then ok; else
		bad "NOTIFY_SOCKET $v: the central did not serve"
	fi
	kill -TERM "$CENTRAL"
	wait "$CENTRAL"
	same "$?" 0 "NOTIFY_SOCKET $v: clean stop"
done
grep -q "systemd: cannot notify \`$T/nobody.sock'" "$T/central.log" && ok ||
	bad "a dead NOTIFY_SOCKET is not reported: $(tail -2 "$T/central.log")"
finish
