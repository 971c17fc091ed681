#!/bin/sh
# Runs each cmocka test program given; fails if any fails.
# cmocka prints its [  PASSED  ] / [  FAILED  ] lines on stderr.
failed=0
for t in "$@"; do
	echo "== $t"
	if ! "$t"; then
		echo "FAILED: $t"
		failed=$((failed + 1))
	fi
done
if [ "$failed" -ne 0 ]; then
	echo "$failed test program(s) failed"
	exit 1
fi
