# tests/lib.sh: what the end-to-end tests (tests/e2e/lib.sh) and the fault
# scenarios (tests/fault/lib.sh) share; sourced by both, after they set
# B (the programs), T (the temp dir), PIDS (killed at exit) and bad().
# bash: the ports are probed through /dev/tcp.

# free_port: a loopback port nothing listens on, below the kernel's
# ephemeral range (a port the kernel may hand to an outgoing connection,
# as the proxy and the agents make hundreds, cannot be listened on).
free_port() {
	_lo=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null)
	_lo=${_lo:-32768}
	while :; do
		_p=$((10000 + $(od -An -N2 -tu2 /dev/urandom) % (_lo - 10000)))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$_p") 2>/dev/null; then
			echo "$_p"
			return
		fi
	done
}

# wait_port PORT SECONDS: until something listens on it.
wait_port() {
	_i=0
	while [ $_i -lt $(($2 * 20)) ]; do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.05
		_i=$((_i + 1))
	done
	return 1
}

# start_central: `cosod central run' on CDB (default $T/central.db)
# listening on CURL (default $URL, the end-to-end tests' name), in the
# background, its output added to $T/central.log; CENTRAL is its pid.
# CENTRAL_ARGS are more options; CENTRAL_NOFILE=SOFT:HARD starts it under
# that open-file limit.  A central that does not listen within 10 s, or
# has exited, is a failure (bad) and returns 1.
start_central() {
	_url=${CURL:-$URL}
	${CENTRAL_NOFILE:+prlimit --nofile="$CENTRAL_NOFILE" --} \
		"$B/cosod" central run --db "${CDB:-$T/central.db}" \
		--listen "$_url" ${CENTRAL_ARGS:-} >>"$T/central.log" 2>&1 &
	CENTRAL=$!
	PIDS="$PIDS $CENTRAL"
	if wait_port "${_url##*:}" 10 && kill -0 "$CENTRAL" 2>/dev/null; then
		return 0
	fi
	bad "central did not come up: $(tail -1 "$T/central.log")"
	return 1
}
