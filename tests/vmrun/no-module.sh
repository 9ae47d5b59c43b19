#!/usr/bin/env bash
# --no-module boots without loading audit_contid; by default it is loaded.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
script=$(mktemp)
trap 'rm -f "$script"' EXIT
echo 'if [ -d /sys/module/audit_contid ]; then echo loaded; else echo absent; fi' >"$script"
out=$("$root/scripts/vm-run" --no-module "$script")
[ "$out" = absent ] || { echo "--no-module: expected 'absent', got '$out'"; exit 1; }
out=$("$root/scripts/vm-run" "$script")
[ "$out" = loaded ] || { echo "default: expected 'loaded', got '$out'"; exit 1; }
