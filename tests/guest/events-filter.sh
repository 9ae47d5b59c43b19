#!/bin/sh
# The containerid rule field on the exit, exclude and user lists, and the
# CONTAINER_INFO record in the events it selects.
# kernel: bench
# shellcheck source=tests/lib/testlib.sh
. /usr/local/lib/testlib.sh
T=contid-test
mkdir -p /tmp/ev /tmp/ne /tmp/ex /tmp/u
# create FILE...: create files with one open(2) each (touch would add a
# utimensat(2) event).
create() {
	for _f in "$@"; do
		: >"$_f"
	done
}

# --- exit list, "=" ----------------------------------------------------------
check "rule: exit, dir, perm, containerid=1001" \
	auditctl -a exit,always -F dir=/tmp/ev -F perm=wa -F containerid=1001 -k ev1
in_container 1001 sh -c ': >/tmp/ev/a'
in_container 1002 sh -c ': >/tmp/ev/b'
create /tmp/ev/c
audit_sync
stamps=$(stamps_of 'type=SYSCALL .*key="ev1"')
check_eq "one event for container 1001's file" "$(echo "$stamps" | grep -c .)" 1
recs=$(records_of "$stamps")
check_match "it has the SYSCALL record" "$recs" 'type=SYSCALL .*comm="sh"'
check_match "it has the PATH record of the file" "$recs" 'type=PATH .*name="/tmp/ev/a"'
check_eq "it has one CONTAINER_INFO op=task contid=1001" \
	"$(count_of 'type=CONTAINER_INFO msg=audit\([0-9.:]+\): op=task contid=1001' "$recs")" 1
check_eq "CONTAINER_INFO directly follows SYSCALL" \
	"$(printf '%s\n' "$recs" | grep -A1 'type=SYSCALL' | sed -n 2p | grep -c 'type=CONTAINER_INFO')" 1
check_eq "no event for the same action in container 1002" "$(count_of 'name="/tmp/ev/b"')" 0
check_eq "no event for the same action on the host" "$(count_of 'name="/tmp/ev/c"')" 0

# --- exit list, "!=" and unset -----------------------------------------------
check "rule: containerid!=1001" \
	auditctl -a exit,always -F dir=/tmp/ne -F perm=wa -F containerid!=1001 -k ne
check "rule: contid=unset" \
	auditctl -a exit,always -F dir=/tmp/u -F perm=wa -F contid=unset -k un
in_container 1001 sh -c ': >/tmp/ne/a; : >/tmp/u/a'
in_container 1002 sh -c ': >/tmp/ne/b; : >/tmp/u/b'
create /tmp/ne/c /tmp/u/c
audit_sync
check_eq "!=: nothing for container 1001" "$(count_of 'name="/tmp/ne/a"')" 0
s=$(stamps_of 'name="/tmp/ne/b"')
check_eq "!=: container 1002's event carries its ID" \
	"$(count_of 'op=task contid=1002' "$(records_of "$s")")" 1
s=$(stamps_of 'name="/tmp/ne/c"')
check_eq "!=: the host's event, without CONTAINER_INFO" \
	"$(count_of 'key="ne"' "$(records_of "$s")"):$(count_of 'type=CONTAINER_INFO' "$(records_of "$s")")" "1:0"
check_eq "unset: the host's action only" \
	"$(count_of 'name="/tmp/u/a"'):$(count_of 'name="/tmp/u/b"'):$(count_of 'name="/tmp/u/c"')" "0:0:1"

# --- the exclude list --------------------------------------------------------
check "rule: exit, dir /tmp/ex" auditctl -a exit,always -F dir=/tmp/ex -F perm=wa -k ex
check "rule: exclude containerid=1003" auditctl -a exclude,always -F containerid=1003
in_container 1003 sh -c ': >/tmp/ex/a; auditctl -m excluded-1003'
in_container 1002 sh -c ': >/tmp/ex/b; auditctl -m kept-1002'
create /tmp/ex/c
audit_sync
check_eq "exclude: no record of container 1003's events" \
	"$(count_of 'name="/tmp/ex/a"'):$(count_of 'excluded-1003'):$(count_of 'CONTAINER_INFO.* contid=1003')" "0:0:0"
check_eq "exclude: other containers and the host are kept" \
	"$(count_of 'name="/tmp/ex/b"'):$(count_of 'kept-1002'):$(count_of 'name="/tmp/ex/c"')" "1:1:1"
check "exclude: rule deleted" auditctl -d exclude,always -F containerid=1003
in_container 1003 sh -c ': >/tmp/ex/d'
audit_sync
s=$(stamps_of 'name="/tmp/ex/d"')
check_eq "exclude: container 1003 is logged again" \
	"$(count_of 'op=task contid=1003' "$(records_of "$s")")" 1

# --- messages from userspace and the user list -------------------------------
check "rule: user,never containerid=1004" auditctl -a user,never -F containerid=1004
in_container 1004 auditctl -m user-msg-1004
in_container 1002 auditctl -m user-msg-1002
auditctl -m user-msg-host
audit_sync
check_eq "user list: container 1004's message is dropped" "$(count_of 'user-msg-1004')" 0
s=$(stamps_of 'user-msg-1002')
recs=$(records_of "$s")
check_match "a container's message: USER record" "$recs" "type=USER .*msg='text=user-msg-1002"
check_eq "a container's message: with CONTAINER_INFO op=task contid=1002" \
	"$(count_of 'type=CONTAINER_INFO .*op=task contid=1002' "$recs")" 1
s=$(stamps_of 'user-msg-host')
check_eq "the host's message: no CONTAINER_INFO" \
	"$(count_of 'type=CONTAINER_INFO' "$(records_of "$s")")" 0

# --- auditctl -l round trip ---------------------------------------------------
rules=$(auditctl -l)
check_match "-l: exit rule" "$rules" '^-a always,exit .*-F dir=/tmp/ev -F perm=wa -F containerid=1001 -F key=ev1$'
check_match "-l: != rule" "$rules" '-F containerid!=1001 -F key=ne$'
check_match "-l: unset" "$rules" '-F containerid=unset -F key=un$'
check_match "-l: user list" "$rules" '^-a never,user -F containerid=1004$'
check "-d: the same rule deletes it" \
	auditctl -d exit,always -F dir=/tmp/ev -F perm=wa -F containerid=1001 -k ev1
check_eq "-l: gone" "$(auditctl -l | grep -c 'containerid=1001 -F key=ev1')" 0
check "the largest ID round-trips" \
	auditctl -a exit,always -F dir=/tmp/ev -F perm=wa -F containerid=18446744073709551614 -k big
check_match "-l: largest ID" "$(auditctl -l)" '-F containerid=18446744073709551614 -F key=big$'

# --- refusals ------------------------------------------------------------------
if out=$(auditctl -a task,always -F containerid=5 2>&1); then
	fail "auditctl: task list refused" "accepted: $out"
else
	check_match "auditctl: task list refused" "$out" 'containerid must be used with exclude, user, or exit filter'
fi
out=$(auditctl -a exit,always -S getpid -F containerid=12abc 2>&1)
check_match "auditctl: not a number" "$out" 'value should be number for containerid'
out=$(auditctl -a exit,always -S getpid -F containerid=18446744073709551616 2>&1)
check_match "auditctl: too large" "$out" 'value is too large for field: containerid'
out=$(auditctl -a exit,always -S getpid -F 'containerid&5' 2>&1)
check_match "auditctl: bit operators" "$out" 'containerid does not take the & or &= operators'
# The kernel's own checks, without auditctl's.
check_eq "kernel: task list" "$($T audit-rule add 1 8 5)" EINVAL
check_eq "kernel: filesystem list" "$($T audit-rule add 6 8 5)" EINVAL
check_eq "kernel: io_uring list" "$($T audit-rule add 7 8 5)" EINVAL
check_eq "kernel: a 4-byte value" "$($T audit-rule add 4 4 5)" EINVAL
check_eq "kernel: a 16-byte value" "$($T audit-rule add 4 16 5)" EINVAL
check_eq "kernel: exit list, 8 bytes" "$($T audit-rule add 4 8 77)" ok
check_match "kernel: the raw rule lists back" "$(auditctl -l)" '^-a always,exit -S all -F containerid=77$'
check_eq "kernel: deleted by value" "$($T audit-rule del 4 8 77)" ok
check_eq "kernel: deleting it again" "$($T audit-rule del 4 8 77)" ENOENT

# --- review with ausearch ----------------------------------------------------------
out=$(ausearch --containerid 1001 2>/dev/null)
check_match "ausearch --containerid 1001: its file event" "$out" 'name="/tmp/ev/a"'
check_eq "ausearch --containerid 1001: no other container's or the host's" \
	"$(printf '%s\n' "$out" | grep -cE 'name="/tmp/(ev|ne|u|ex)/[bcd]"')" 0
out=$(ausearch -i --containerid 1002 -m USER 2>/dev/null)
check_match "ausearch -i --containerid 1002 -m USER: message and CONTAINER_INFO" \
	"$out" "type=CONTAINER_INFO .*op=task contid=1002"
check_match "ausearch -i renders the unset ID" "$(ausearch -i -m container 2>/dev/null)" 'old-contid=unset'
check_match "ausearch -m container_info" "$(ausearch -m container_info 2>/dev/null)" 'type=CONTAINER_INFO'

auditctl -D >/dev/null
finish
