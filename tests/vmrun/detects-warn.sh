#!/usr/bin/env bash
# A kernel WARN during the run fails it, even when the script succeeds.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
script=$(mktemp)
trap 'rm -f "$script"' EXIT
cat >"$script" <<'SH'
insmod /lib/modules/test/splat_trigger.ko || true
echo script done
exit 0
SH
rc=0
out=$("$root/scripts/vm-run" "$script" 2>&1) || rc=$?
echo "$out"
[ "$rc" -ne 0 ] || { echo "vm-run succeeded although the kernel warned"; exit 1; }
grep -q 'script done' <<<"$out" || { echo "script did not run"; exit 1; }
grep -q 'kernel reported a problem' <<<"$out" || { echo "no splat report"; exit 1; }
grep -q 'splat_trigger: deliberate warning' <<<"$out" || { echo "the warning is not shown"; exit 1; }
