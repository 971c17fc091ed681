#!/bin/sh
# assemble.sh OUT FRAGMENT...: joins the metric lines of each benchmark's
# fragment into one JSON object of metrics.
set -eu
out=$1
shift
{
	echo "{"
	cat "$@" | sed '$!s/$/,/' | sed 's/^/  /'
	echo "}"
} >"$out.tmp"
mv "$out.tmp" "$out"
