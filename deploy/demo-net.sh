#!/bin/sh
# demo-net.sh BUILD: coso on a network of separate hosts (as root).
#
# The central, the provincial office (the admin device and the auditor)
# and three field devices each live in their own network namespace, each
# with its own address, joined by veth links to a switch (a bridge in a
# sixth namespace).  Two devices have a good link; Nông Thị Hà's, in Quốc
# Khánh, is a 2G link: 64 kbit/s, 300 ms +- 100 ms of latency and lost
# packets (tc netem; on a kernel without netem, the kernel's tbf for the
# rate with tail drops at its queue, and chaosproxy in the device's
# namespace for the latency).
#
# The devices record visits with no signal (their links down), their
# field agents (`cosod field run`) start, the signal returns and the
# agents deliver everything on their own.  While the 2G device's backlog
# is on its way, the 2G link goes down for 15 s and comes back; the agent
# finishes alone.  Then the counts are checked against the central
# (every visit recorded is a row, every change-set created is one log
# entry, nothing twice) and the auditor verifies the central's log over
# HTTP from the office's host, replays it and compares the state's
# digest.  Exit 0 only if every count and the audit are right.
#
# Everything it makes (namespaces, links, processes, files) is removed on
# exit; COSO_DEMO_KEEP=1 keeps the files, COSO_DEMO_SABOTAGE=1 breaks the
# central's state before the checks to watch them fail.  Not part of
# `make test'.
set -eu
B=$(cd "$1" && pwd)
DATA=$(cd "$(dirname "$0")/data" && pwd)
if [ "$(id -u)" != 0 ]; then
	echo "demo-net: needs root (ip netns, tc): sudo make demo-net" >&2
	exit 2
fi
for t in ip tc sqlite3; do
	command -v "$t" >/dev/null || {
		echo "demo-net: \`$t' not found (deploy/install-deps.sh)" >&2
		exit 2
	}
done
T0=$(date +%s)
D=$(mktemp -d /tmp/coso-demo-net.XXXXXX)
# Namespace names carry the pid: two runs never share one.
P="coso$$"
NS_SW="$P-switch"
NS_C="$P-central"
NS_O="$P-office"
NETS=""
PIDS=""
export LANG=vi_VN.UTF-8
DAY=$(date +%Y-%m-%d)
NET=10.216.0
CIP=$NET.1
URL="tcp://$CIP:7450"
HTTP="$CIP:7451"
DEVS="cb-017 cb-023 cb-031"
SLOW=cb-031

cleanup() {
	rc=$?
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	for n in $NETS; do
		# Only what this script started runs there.
		for p in $(ip netns pids "$n" 2>/dev/null); do
			kill -9 "$p" 2>/dev/null || true
		done
		ip netns del "$n" 2>/dev/null || true
	done
	if [ -n "${COSO_DEMO_KEEP:-}" ] || [ "$rc" != 0 ]; then
		echo "demo-net: files kept in $D"
	else
		rm -rf "$D"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '\n== [%3ds] %s\n' $(($(date +%s) - T0)) "$*"; }
say() { printf '   %s\n' "$*"; }
die() {
	printf 'demo-net: FAILED: %s\n' "$*" >&2
	exit 1
}
q() { sqlite3 -batch -noheader -readonly -cmd ".timeout 5000" "$@"; }
in_ns() {
	_n=$1
	shift
	ip netns exec "$_n" "$@"
}
ns_of() { echo "$P-$1"; }
ip_of() {
	case $1 in
	cb-017) echo "$NET.11" ;;
	cb-023) echo "$NET.12" ;;
	cb-031) echo "$NET.13" ;;
	esac
}
name_of() {
	case $1 in
	cb-017) echo "Hoàng Thị Mai" ;;
	cb-023) echo "Lương Văn Tùng" ;;
	cb-031) echo "Nông Thị Hà" ;;
	esac
}
unit_of() {
	case $1 in
	cb-017) echo 06043 ;;
	cb-023) echo 06160 ;;
	cb-031) echo 06004 ;;
	esac
}
# coso_at HOST STORE ARGS...: the CLI on that host, on that store.
coso_at() {
	_n=$1 _s=$2
	shift 2
	in_ns "$_n" "$B/coso" --store "$D/$_s" "$@"
}
# The central's count of accepted change-sets signed by a cadre's keys.
central_count() {
	q "$D/central.db" "SELECT count(*) FROM changesets c JOIN authors a
		ON a.key_id = c.author WHERE a.cadre_id = '$1'
		AND c.verdict = 1"
}
outbox() { q "$D/$1/store.db" "SELECT count(*) FROM outbox"; }
pending() { q "$D/$1/store.db" "SELECT count(*) FROM outbox WHERE acked = 0"; }

# add_host NAME IP: a namespace with eth0 linked to the switch (port
# p-NAME); the link starts up.
add_host() {
	_n="$P-$1"
	ip netns add "$_n"
	NETS="$NETS $_n"
	ip link add eth0 netns "$_n" type veth peer name "p-$1" netns "$NS_SW"
	ip -n "$_n" addr add "$2/24" dev eth0
	ip -n "$_n" link set lo up
	ip -n "$_n" link set eth0 up
	ip -n "$NS_SW" link set "p-$1" master br0 up
}

# shape_2g: the 2G link of $SLOW, both directions.  Sets VIA to what the
# device dials (the central itself, or chaosproxy in its namespace).
shape_2g() {
	_n=$(ns_of "$SLOW")
	VIA=$URL
	if tc -n "$_n" qdisc add dev eth0 root netem delay 300ms 100ms \
		loss 2% rate 64kbit 2>/dev/null; then
		tc -n "$NS_SW" qdisc add dev "p-$SLOW" root netem delay 300ms \
			100ms loss 2% rate 64kbit
		say "2G: tc netem delay 300ms 100ms loss 2% rate 64kbit, both ways"
		return
	fi
	# No netem in this kernel: tbf is the 64 kbit/s bottleneck, its
	# queue of 400 ms drops what overflows (TCP sees real loss); the
	# latency is added by chaosproxy between the device and its link.
	tc -n "$_n" qdisc add dev eth0 root tbf rate 64kbit burst 1600 \
		latency 400ms
	tc -n "$NS_SW" qdisc add dev "p-$SLOW" root tbf rate 64kbit \
		burst 1600 latency 400ms
	[ -x "$B/chaosproxy" ] || die "no $B/chaosproxy (make $B/chaosproxy)"
	in_ns "$_n" "$B/chaosproxy" --listen 127.0.0.1:7450 --to "$CIP:7450" \
		--latency-ms 200 --jitter-ms 200 --seed 7 2>"$D/proxy.log" &
	PIDS="$PIDS $!"
	VIA="tcp://127.0.0.1:7450"
	say "2G: this kernel has no netem: tc tbf rate 64kbit (queue 400 ms," \
		"tail drops) both ways, + 200..400 ms latency (chaosproxy)"
}

step "Mạng / the network: switch, central, office, three devices (ip netns)"
ip netns add "$NS_SW"
NETS="$NS_SW"
ip -n "$NS_SW" link add br0 type bridge
ip -n "$NS_SW" link set br0 up
add_host central "$CIP"
add_host office "$NET.2"
for c in $DEVS; do add_host "$c" "$(ip_of "$c")"; done
shape_2g
for n in $NETS; do say "$n"; done
for c in $DEVS; do
	say "$c ($(name_of "$c")): $(ip_of "$c"), xã $(unit_of "$c")$(
		[ "$c" = "$SLOW" ] && echo ", 2G")"
done

step "Văn phòng tỉnh / the office: admin device, central key, units, cadres"
coso_at "$NS_O" admin init --cadre admin --name "Ban Tổ chức Tỉnh ủy" \
	>"$D/admin.pub"
in_ns "$NS_C" "$B/cosod" central init --db "$D/central.db" \
	--admin-key "$D/admin.pub" --origin "langson.example/coso/demo-net" \
	>"$D/central.pub" 2>"$D/central-init.log"
coso_at "$NS_O" admin pin --central "$URL" --central-key "$D/central.pub" \
	>/dev/null
say "central key (every device pins it): $(sed -n 2p "$D/central.pub" | cut -c1-24)…"
coso_at "$NS_O" admin admin units import "$DATA/lang-son-2024.csv" >/dev/null
for c in $DEVS; do
	coso_at "$NS_O" admin admin cadre add --id "$c" --name "$(name_of "$c")"
	coso_at "$NS_O" admin admin assign --cadre "$c" --unit "$(unit_of "$c")" \
		--role in-charge --from 2025-01-01 --decision "1434-QĐ/TU" >/dev/null
	coso_at "$NS_O" admin admin token --cadre "$c" >"$D/token-$c" 2>/dev/null
done
say "3 cadres assigned, 3 enrollment tokens issued"

step "Trung tâm chạy trên máy riêng / the central runs on its own host ($URL)"
# Off loopback, the HTTP API needs a bearer token (docs/central.md).
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$D/http.token"
in_ns "$NS_C" "$B/cosod" central run --db "$D/central.db" --listen "$URL" \
	--http "$HTTP" --http-token "$D/http.token" 2>"$D/central.log" &
CENTRAL=$!
PIDS="$PIDS $CENTRAL"
i=0
until in_ns "$NS_C" ss -Htln "sport = :7450" | grep -q .; do
	kill -0 "$CENTRAL" 2>/dev/null || die "the central stopped: $(cat "$D/central.log")"
	[ "$i" -lt 100 ] || die "the central does not listen on $URL"
	i=$((i + 1))
	sleep 0.1
done
coso_at "$NS_O" admin sync >/dev/null ||
	die "the office could not sync with the central"
say "office synced across the switch: $(q "$D/central.db" \
	"SELECT count(*) FROM changesets") log entries"

step "Không có sóng / no signal: devices enroll and record visits offline"
for c in $DEVS; do ip -n "$(ns_of "$c")" link set eth0 down; done
for c in $DEVS; do
	n=$(ns_of "$c")
	central=$URL
	[ "$c" = "$SLOW" ] && central=$VIA
	coso_at "$n" "$c" init --cadre "$c" --name "$(name_of "$c")" \
		--central "$central" --central-key "$D/central.pub" >/dev/null
	coso_at "$n" "$c" units import "$DATA/lang-son-2024.csv" >/dev/null
	coso_at "$n" "$c" enroll --token-file "$D/token-$c" >/dev/null
done
# visits DEVICE N: N visits of varied text; counts them in RECORDED.
RECORDED=0
visits() {
	_i=0
	while [ "$_i" -lt "$2" ]; do
		coso_at "$(ns_of "$1")" "$1" visit add --unit "$(unit_of "$1")" \
			--date "$DAY" --purpose "Đi cơ sở lần $_i: thôn $((_i % 7 + 1))" \
			--situation "$(situation "$_i")" \
			--difficulties "Đường vào thôn $((_i % 5 + 1)) sạt lở $((_i * 7 % 90 + 10)) m." \
			--proposal "Hỗ trợ $((_i % 9 + 2)) tấn xi măng cho thôn $((_i % 7 + 1))." \
			>/dev/null || die "$1: visit $_i not recorded"
		_i=$((_i + 1))
		RECORDED=$((RECORDED + 1))
	done
}
situation() {
	_k=0 _s=""
	while [ "$_k" -lt 6 ]; do
		_s="$_s Hộ số $(($1 * 13 + _k * 7)) có $(($1 % 4 + _k + 2)) khẩu, trồng $(($1 * 3 + _k)) sào lúa và $((_k * 11 + $1 % 17)) gốc hồi; con em đi học đủ, đường về bản lầy lội $((_k + $1 % 3 + 1)) km mùa mưa."
		_k=$((_k + 1))
	done
	printf '%s' "$_s"
}
visits cb-017 6
visits cb-023 5
# A week in the mountains: the 2G device's backlog.
visits "$SLOW" 60
for c in $DEVS; do
	say "$c: $(outbox "$c") change-sets waiting ($(q "$D/$c/store.db" \
		"SELECT sum(length(bytes)) FROM outbox WHERE acked = 0") bytes)"
done

step "Tác tử đồng bộ / field agents start on each device (cosod field run)"
for c in $DEVS; do
	in_ns "$(ns_of "$c")" "$B/cosod" field run --store "$D/$c" \
		--interval 2 --max-backoff 4 --timeout 30 2>"$D/field-$c.log" &
	PIDS="$PIDS $!"
done
sleep 2
say "no signal yet: every agent fails its round and backs off"

# progress: one line of central/created per device.
progress() {
	_l=""
	for _c in $DEVS; do
		_l="$_l  $_c $(central_count "$_c")/$(outbox "$_c")"
	done
	printf '   [%3ds]%s\n' $(($(date +%s) - T0)) "$_l"
}

step "Có sóng / the signal returns: the agents deliver on their own"
for c in $DEVS; do ip -n "$(ns_of "$c")" link set eth0 up; done
# Wait for the 2G device's upload to be on the wire: bytes the central
# has not acknowledged yet in a connection towards it.
NS3=$(ns_of "$SLOW")
inflight() {
	in_ns "$NS3" ss -Htn state established "dst $CIP" |
		awk '{ s += $2 } END { print s + 0 }'
}
i=0 seen=0
while [ "$i" -lt 600 ]; do
	f=$(inflight)
	if [ "$f" -gt 0 ]; then
		seen=$f
		break
	fi
	[ "$(pending "$SLOW")" != 0 ] || break
	[ $((i % 20)) != 0 ] || progress
	i=$((i + 1))
	sleep 0.1
done
progress
if [ "$seen" -gt 0 ]; then
	step "Mất sóng giữa chừng / the 2G link goes down mid-upload ($seen bytes in flight)"
else
	step "Mất sóng / the 2G link goes down (the upload was not seen in flight)"
fi
ip -n "$NS3" link set eth0 down
say "$SLOW: $(central_count "$SLOW") of $(outbox "$SLOW") at the central"
# Nông Thị Hà keeps working while she has no signal.
visits "$SLOW" 3
i=0
while [ "$i" -lt 15 ]; do
	[ $((i % 5)) != 0 ] || progress
	i=$((i + 1))
	sleep 1
done
progress

step "Có sóng lại / the 2G link is back: the agent finishes on its own"
ip -n "$NS3" link set eth0 up
i=0
while :; do
	left=0
	for c in $DEVS; do left=$((left + $(pending "$c"))); done
	[ "$left" != 0 ] || break
	[ "$i" -lt 3000 ] || die "still $left change-sets pending after 300 s"
	[ $((i % 30)) != 0 ] || progress
	i=$((i + 1))
	sleep 0.1
done
progress
# What the 2G bottleneck dropped (tail drops of tbf, or netem's loss).
drops() {
	tc -s -n "$1" qdisc show dev "$2" |
		sed -n 's/.*dropped \([0-9]*\).*/\1/p' | head -1
}
say "2G link: $(drops "$NS3" eth0) packets dropped uplink," \
	"$(drops "$NS_SW" "p-$SLOW") downlink"
# The agents' own words: every round that sent something or failed
# (its summary line follows the round's pull: waited for, 30 s at most).
i=0
until grep -q "gửi [1-9]" "$D/field-$SLOW.log" || [ "$i" -ge 300 ]; do
	i=$((i + 1))
	sleep 0.1
done
for c in $DEVS; do
	say "--- $c: the agent's log (rounds with nothing to send left out)"
	grep -v "gửi 0 gói" "$D/field-$c.log" |
		sed 's/\(([^)]*)\):.*/\1/; s/^/     /'
done

step "Đối chiếu / the counts at the central"
BAD=0
# COSO_DEMO_SABOTAGE=1 removes one visit from the central first, to
# watch the checks fail.
if [ -n "${COSO_DEMO_SABOTAGE:-}" ]; then
	sqlite3 -cmd ".timeout 5000" "$D/central.db" \
		"DELETE FROM visits WHERE id = (SELECT min(id) FROM visits)"
	say "(sabotage: one visit deleted from the central's database)"
fi
check() {
	if [ "$1" = "$2" ]; then
		say "ok   $3: $1"
	else
		say "FAIL $3: $1, expected $2"
		BAD=$((BAD + 1))
	fi
}
for c in $DEVS; do
	check "$(central_count "$c")" "$(outbox "$c")" \
		"$c: accepted at the central = created on the device"
done
check "$(central_count admin)" "$(outbox admin)" \
	"admin: accepted at the central = created on the office's device"
check "$(q "$D/central.db" "SELECT count(*) FROM visits")" "$RECORDED" \
	"visits at the central = visits recorded"
CREATED=$(($(outbox admin) + $(outbox cb-017) + $(outbox cb-023) + $(outbox "$SLOW")))
# The central's own entries: the admin's registration, one per enrollment.
check "$(q "$D/central.db" "SELECT count(*) FROM changesets")" \
	"$((CREATED + 1 + 3))" "log entries = created + the central's own 4"
check "$(q "$D/central.db" "SELECT count(*) FROM changesets WHERE verdict <> 1")" \
	0 "quarantined"
check "$(q "$D/central.db" "SELECT count(*) - count(DISTINCT id) FROM changesets")" \
	0 "duplicate ids in the log"
for c in $DEVS; do
	check "$(q "$D/$c/store.db" "SELECT count(*) FROM receipts")" \
		"$(outbox "$c")" "$c: receipts signed by the central"
done

step "Kiểm toán từ văn phòng / the auditor, from the office's host, over HTTP: verify, rebuild"
in_ns "$NS_O" "$B/coso-audit" --central "http://$HTTP" \
	--central-key "$D/central.pub" --token "$D/http.token" \
	--state "$D/audit" verify || {
	say "FAIL coso-audit verify"
	BAD=$((BAD + 1))
}
# The state too: the log replayed on the office's host, its digest
# against the central's.
in_ns "$NS_O" "$B/coso-audit" --central "http://$HTTP" \
	--central-key "$D/central.pub" --token "$D/http.token" \
	--state "$D/audit" rebuild || {
	say "FAIL coso-audit rebuild"
	BAD=$((BAD + 1))
}

if [ "$BAD" != 0 ]; then
	die "$BAD checks failed"
fi
printf '\ndemo-net: ok: 3 devices, %d visits recorded and at the central, %d log entries, audit verified and rebuilt, %d s\n' \
	"$RECORDED" "$((CREATED + 4))" $(($(date +%s) - T0))
