#!/usr/bin/env bash
# kernel-doc over every C file and header the hook series touches: the
# series may add no warning of `scripts/kernel-doc -none -Wall` (upstream's
# own warnings in those files are left as they are; the comparison ignores
# line numbers, which the series shifts).
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
. "$(dirname "$0")/../../scripts/lib/common.sh"

work=$BUILD/kernel-doc
rm -rf "$work"
mkdir -p "$work"
warnings() { # FILE: its kernel-doc warnings, without line numbers
	perl "$KSRC/scripts/kernel-doc" -none -Wall "$1" 2>&1 |
		sed -e "s|^$1:[0-9]*: ||" -e 's|^[^ ]*:[0-9]*: ||' | sort
}
failed=0
checked=0
while IFS= read -r f; do
	case "$f" in *.c | *.h) ;; *) continue ;; esac
	checked=$((checked + 1))
	if git -C "$KSRC" cat-file -e "upstream:$f" 2>/dev/null; then
		git -C "$KSRC" show "upstream:$f" >"$work/orig"
		warnings "$work/orig" >"$work/before"
	else
		: >"$work/before"
	fi
	warnings "$KSRC/$f" >"$work/after"
	new=$(comm -13 "$work/before" "$work/after")
	if [ -n "$new" ]; then
		echo "FAIL: $f: new kernel-doc warnings:"
		printf '  %s\n' "$new"
		failed=1
	else
		echo "PASS: $f"
	fi
done < <(git -C "$KSRC" diff --name-only upstream HEAD)
[ "$checked" -gt 0 ] || { echo "FAIL: the series touches no C file?"; exit 1; }
exit "$failed"
