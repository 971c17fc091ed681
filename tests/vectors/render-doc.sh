#!/bin/sh
# render-doc.sh: prints the vectors file as the Markdown block FORMAT.md
# carries (hex wrapped at 64 digits); --check compares FORMAT.md with it.
set -eu
V=tests/vectors/changesets.txt
render() {
	echo '```'
	grep -v '^#' "$V" | sed '/./!d' | while read -r k v; do
		[ "$k" = name ] && echo
		printf '%s\n' "$k" | tr -d '\n'
		printf '%s\n' "$v" | fold -w 64 | sed 's/^/ /;2,$s/^/         /'
	done | sed '1d'
	echo '```'
}
if [ "${1:-}" = "--check" ]; then
	want=$(grep -v '^#' "$V" | tr -d ' \n')
	got=$(sed -n '/^<!-- vectors -->$/,/^<!-- end vectors -->$/p' \
		proto/FORMAT.md | grep -v '^<!--' | grep -v '^```' | tr -d ' \n')
	[ "$want" = "$got" ] || { echo "FORMAT.md vectors differ from $V"; exit 1; }
	echo "FORMAT.md: test vectors match $V"
else
	render
fi
