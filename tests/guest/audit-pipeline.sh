#!/bin/sh
# The guest's audit pipeline works: auditd is running and receives the
# kernel's records.
# kernel: bench
# shellcheck source=tests/lib/testlib.sh
. /usr/local/lib/testlib.sh

status=$(auditctl -s)
check_match "audit is enabled" "$status" '^enabled 1$'
check_match "auditd is registered" "$status" '^pid [1-9][0-9]*$'

marker="pipeline-marker-$$"
check "auditctl -m succeeds" auditctl -m "$marker"
check "audit_sync" audit_sync
check_match "marker in the log" "$(grep "$marker" "$AUDIT_LOG")" 'type=USER msg=audit\(.*text='"$marker"

key="pipe$$"
check "add a syscall rule" auditctl -a exit,always -F arch=b64 -S mkdirat -S mkdir -F dir=/tmp -k "$key"
mkdir /tmp/pipeline-dir
audit_sync
check_match "syscall event logged" "$(ausearch -k "$key" 2>/dev/null)" 'type=SYSCALL .*key="'"$key"'"'
check_match "its PATH record names the directory" "$(ausearch -k "$key" 2>/dev/null)" 'type=PATH .*name="/tmp/pipeline-dir"|name="pipeline-dir"'
check "delete the rule" auditctl -d exit,always -F arch=b64 -S mkdirat -S mkdir -F dir=/tmp -k "$key"
finish
