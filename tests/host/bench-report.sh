#!/usr/bin/env bash
# scripts/bench's arithmetic: from a set of figures whose medians, spreads
# and ratios are known, `scripts/bench --report` prints those numbers, and
# a directory without figures is refused.
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
. "$(dirname "$0")/../../scripts/lib/common.sh"

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
echo "mode=icount boots=1 rounds=3 scale=1 elapsed=5" >"$dir/meta"
cat >"$dir/figures.txt" <<'EOF'
stock fork 300
stock fork 100
stock fork 200
unloaded fork 198
unloaded fork 200
unloaded fork 202
loaded fork 202
loaded fork 204
loaded fork 206
id fork 210
id fork 220
stock null 100
stock null 100
loaded null 100
id null 150
loaded null-audited 1000
id null-audited 1040
loaded open-watched-drain 2000
id open-watched-drain 2100
loaded rules-uid-10 100
loaded rules-containerid-10 250
loaded set-1000 500000
unloaded mem-task-object 0
loaded mem-task-object 0
id mem-task-object 56
no-tasks unload 2000000
tasks-10000 unload 30000000
id unload-tasks 10000
EOF

out=$("$ROOT/scripts/bench" --report="$dir" 2>&1)
failed=0
expect() {
	if ! grep -qF -- "$1" <<<"$out"; then
		echo "FAIL: missing: $1"
		failed=1
	fi
}
# medians of odd and even counts; spread = lowest and highest value over
# the baseline's median
expect "| fork | 200 | 1.000 (0.990-1.010) | 1.020 (1.010-1.030) | 1.075 (1.050-1.100) |"
expect "| null | 100 | n/a | 1.000 (1.000-1.000) | 1.500 (1.500-1.500) |"
expect "| null-audited | auditd | n/a | 961538 | n/a | n/a | 1.040 (1.040-1.040) |"
expect "| open-watched | drain | n/a | 476190 | n/a | n/a | 1.050 (1.050-1.050) |"
expect "| 10 | n/a | n/a | 2.500 (2.500-2.500) | n/a | n/a |"
expect "| 1000 | 500.0 | 500 |"
expect "| a thread with an ID: the module's cache | 56 |"
expect "| ... kmalloc caches, against a thread without one | n/a |"
expect "| 0 | 2.00 |"
expect "| 10000 (10000 threads) | 30.00 |"
expect "mode icount, 1 boot(s) per kernel, 3 round(s) per boot"
grep -q '<svg' "$dir/ratios.svg" || { echo "FAIL: no chart"; failed=1; }
grep -q '>fork ID<' "$dir/ratios.svg" || { echo "FAIL: the chart has no bar for fork ID"; failed=1; }

rm "$dir/figures.txt"
if "$ROOT/scripts/bench" --report="$dir" >/dev/null 2>&1; then
	echo "FAIL: a directory without figures was accepted"
	failed=1
fi
[ $failed -eq 0 ] || { echo "$out"; exit 1; }
echo "bench report: every figure as expected"
