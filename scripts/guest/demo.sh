#!/bin/sh
# The demo scenario, run in the guest by scripts/demo.
set -e
echo "== kernel $(uname -r), module: $(lsmod | grep -o '^audit_contid')"
mkfifo /tmp/gate
# A "container": its first process waits at a gate until its ID is set,
# then starts a small process tree.
contid-test gate /tmp/gate sh -c 'sleep 1 & cat /proc/self/containerid; wait' >/tmp/ctr.out &
ctr=$!
echo "== orchestrator: echo 123456 > /proc/$ctr/containerid"
echo 123456 >/proc/$ctr/containerid
echo go >/tmp/gate
wait $ctr
echo "== the container's shell read its own ID: $(cat /tmp/ctr.out)"
echo "== a process cannot set its own ID:"
contid-test write /proc/self/containerid 5 || true
auditctl -m demo-done >/dev/null
i=0
while ! grep -q demo-done /var/log/audit/audit.log && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
echo "== AUDIT_CONTAINER records (ausearch -m 1020 -i):"
ausearch -m 1020 -i 2>/dev/null | grep -v '^----'
echo "== the raw records:"
grep -a 'UNKNOWN\[1020\]\|type=CONTAINER ' /var/log/audit/audit.log
