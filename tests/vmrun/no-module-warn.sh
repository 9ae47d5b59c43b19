#!/usr/bin/env bash
# vm-run --kernel=bench --no-module boots without loading audit_contid, and
# a kernel WARN during the run fails the run even when the script succeeds.  (That the
# module is loaded by default and that vm-run exits with the script's
# status is checked by tests/run on its guest batch.)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
script=$(mktemp)
trap 'rm -f "$script"' EXIT
cat >"$script" <<'SH'
if [ -d /sys/module/audit_contid ]; then echo module loaded; else echo module absent; fi
insmod /lib/modules/test/splat_trigger.ko || true
echo script done
exit 0
SH
rc=0
out=$("$root/scripts/vm-run" --kernel=bench --no-module "$script" 2>&1) || rc=$?
echo "$out"
grep -qx 'module absent' <<<"$out" || { echo "--no-module: the module was loaded"; exit 1; }
[ "$rc" -ne 0 ] || { echo "vm-run succeeded although the kernel warned"; exit 1; }
grep -q 'script done' <<<"$out" || { echo "script did not run"; exit 1; }
grep -q 'kernel reported a problem' <<<"$out" || { echo "no splat report"; exit 1; }
grep -q 'splat_trigger: deliberate warning' <<<"$out" || { echo "the warning is not shown"; exit 1; }
