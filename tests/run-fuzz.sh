#!/bin/sh
# run-fuzz.sh SECONDS TARGET...: runs each libFuzzer target for SECONDS on
# a scratch copy of its seed corpus (tests/fuzz/corpus/NAME), so the
# repository's corpus is not rewritten.  Fails on the first crash.
set -eu
secs=$1
shift
total=0
for bin in "$@"; do
	name=$(basename "$bin" | sed 's/^fuzz_//')
	work=$(mktemp -d)
	if [ -d "tests/fuzz/corpus/$name" ]; then
		cp -r "tests/fuzz/corpus/$name/." "$work/"
	fi
	log=$(mktemp)
	if ! "$bin" -max_total_time="$secs" -max_len=300000 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$work/" "$work" \
		>"$log" 2>&1; then
		tail -40 "$log"
		echo "fuzz: $name FAILED; artifacts in $work"
		exit 1
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	echo "fuzz: $name ${secs}s, ${execs:-?} executions, no crash"
	total=$((total + ${execs:-0}))
	rm -rf "$work" "$log"
done
echo "fuzz: $total executions in all"
