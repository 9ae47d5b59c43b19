#!/usr/bin/env bash
# vm-run prints the script's output and exits with the script's exit status.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
script=$(mktemp)
trap 'rm -f "$script"' EXIT
printf 'echo hello from the guest\nexit 7\n' >"$script"
rc=0
out=$("$root/scripts/vm-run" "$script" 2>&1) || rc=$?
echo "$out"
[ "$rc" -eq 7 ] || { echo "expected exit status 7, got $rc"; exit 1; }
grep -qx 'hello from the guest' <<<"$out" || { echo "script output missing"; exit 1; }
