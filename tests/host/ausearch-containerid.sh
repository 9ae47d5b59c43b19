#!/usr/bin/env bash
# ausearch and aureport of the patched audit userspace against an audit.log
# fragment with the records of docs/records.md: --containerid selects the
# events of a container (or of the host), the CONTAINER record is found by
# the writer's pid, uid and result like other records, the records of one
# event stay together, and -i prints the unset ID as "unset".
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
. "$(dirname "$0")/../../scripts/lib/common.sh"

"$ROOT/scripts/build-audit"
ausearch=$BUILD/audit/root/sbin/ausearch
aureport=$BUILD/audit/root/sbin/aureport
work=$BUILD/ausearch-containerid
rm -rf "$work"
mkdir -p "$work"
log=$work/audit.log

# 101: the host's orchestrator (pid 596) sets the ID of process 707.  The
#      CONTAINER record is logged during the write, before its SYSCALL.
# 102: process 708 of container 123456 creates a file (rule key k1).
# 103: a host process removes a file (key k1): no CONTAINER_INFO record.
# 104: process 921 of container 5 kills process 929 of container 7.
# 105: a message from userspace (auditctl -m) sent in container 42.
# 106: a refused write by a writer whose syscalls are not audited, so the
#      CONTAINER record is the whole event; the target is in 123456.
# 107: a message from userspace sent on the host.
cat >"$log" <<'EOF'
type=CONTAINER msg=audit(1700000000.100:101): op=set pid=596 uid=0 auid=0 tty=pts0 ses=1 opid=707 old-contid=18446744073709551615 contid=123456 res=1
type=SYSCALL msg=audit(1700000000.100:101): arch=c000003e syscall=1 success=yes exit=7 a0=1 a1=55d0c8a3e2a0 a2=7 a3=0 items=0 ppid=512 pid=596 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 comm="sh" exe="/usr/bin/dash" key=(null)
type=PROCTITLE msg=audit(1700000000.100:101): proctitle=7368002D63006563686F20313233343536203E2F70726F632F3730372F636F6E7461696E65726964
type=SYSCALL msg=audit(1700000000.200:102): arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=7ffd3c1b2e6f a2=941 a3=1b6 items=2 ppid=707 pid=708 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm="touch" exe="/usr/bin/touch" key="k1"
type=CONTAINER_INFO msg=audit(1700000000.200:102): op=task contid=123456
type=CWD msg=audit(1700000000.200:102): cwd="/"
type=PATH msg=audit(1700000000.200:102): item=0 name="/tmp/" inode=3 dev=00:1e mode=041777 ouid=0 ogid=0 rdev=00:00 nametype=PARENT cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0
type=PATH msg=audit(1700000000.200:102): item=1 name="/tmp/f1" inode=12 dev=00:1e mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=CREATE cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0
type=PROCTITLE msg=audit(1700000000.200:102): proctitle=746F756368002F746D702F6631
type=SYSCALL msg=audit(1700000001.300:103): arch=c000003e syscall=263 success=yes exit=0 a0=ffffff9c a1=5613a8e4f4c0 a2=0 a3=0 items=2 ppid=512 pid=590 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 comm="rm" exe="/usr/bin/rm" key="k1"
type=CWD msg=audit(1700000001.300:103): cwd="/root"
type=PATH msg=audit(1700000001.300:103): item=0 name="/tmp/" inode=3 dev=00:1e mode=041777 ouid=0 ogid=0 rdev=00:00 nametype=PARENT cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0
type=PATH msg=audit(1700000001.300:103): item=1 name="/tmp/h1" inode=14 dev=00:1e mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=DELETE cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0
type=PROCTITLE msg=audit(1700000001.300:103): proctitle=726D002F746D702F6831
type=SYSCALL msg=audit(1700000002.400:104): arch=c000003e syscall=62 success=yes exit=0 a0=3a1 a1=f a2=0 a3=7f2b9c1d4a80 items=0 ppid=920 pid=921 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm="kill" exe="/usr/bin/kill" key="sig"
type=CONTAINER_INFO msg=audit(1700000002.400:104): op=task contid=5
type=OBJ_PID msg=audit(1700000002.400:104): opid=929 oauid=4294967295 ouid=0 oses=4294967295 ocomm="sleep"
type=CONTAINER_INFO msg=audit(1700000002.400:104): op=target opid=929 contid=7
type=PROCTITLE msg=audit(1700000002.400:104): proctitle=6B696C6C002D5445524D00393239
type=USER msg=audit(1700000003.500:105): pid=950 uid=0 auid=4294967295 ses=4294967295 msg='text=hello exe="/usr/sbin/auditctl" hostname=? addr=? terminal=? res=success'
type=CONTAINER_INFO msg=audit(1700000003.500:105): op=task contid=42
type=CONTAINER msg=audit(1700000004.600:106): op=set pid=901 uid=0 auid=1000 tty=(none) ses=3 opid=708 old-contid=123456 contid=? res=0
type=USER msg=audit(1700000005.700:107): pid=960 uid=0 auid=0 ses=1 msg='text=on-host exe="/usr/sbin/auditctl" hostname=? addr=? terminal=pts0 res=success'
EOF

failed=0
pass() { echo "PASS: $1"; }
fail() {
	echo "FAIL: $1: $2"
	failed=1
}

# serials ARGS...: the serials of the events that ausearch selects, and
# "/N" with the number of events it prints, e.g. "101 102 /2".
serials() {
	local out
	out=$("$ausearch" -if "$log" "$@" 2>/dev/null || true)
	printf '%s /%s\n' \
		"$(grep -o 'msg=audit([0-9.]*:[0-9]*)' <<<"$out" | sed 's/.*:\([0-9]*\))/\1/' |
			sort -un | paste -sd ' ')" \
		"$(grep -c '^----$' <<<"$out" || true)"
}

expect() { # expect NAME "SERIALS... /EVENTS" ARGS...
	local name=$1 want=$2 got
	shift 2
	got=$(serials "$@")
	if [ "$got" = "$want" ]; then
		pass "$name"
	else
		fail "$name" "ausearch $* selected '$got', expected '$want'"
	fi
}

expect "--containerid 123456: set record, task record, old-contid" "101 102 106 /3" --containerid 123456
expect "--containerid with leading zeros" "101 102 106 /3" --containerid 000123456
expect "--containerid 5: the killer's container" "104 /1" --containerid 5
expect "--containerid 7: the killed task's container" "104 /1" --containerid 7
expect "--containerid 42: a message from userspace" "105 /1" --containerid 42
expect "--containerid unset: the host's events" "101 103 107 /3" --containerid unset
expect "--containerid 18446744073709551615 is unset" "101 103 107 /3" --containerid 18446744073709551615
expect "--containerid of no event" " /0" --containerid 99
expect "--containerid with -k" "103 /1" -k k1 --containerid unset
expect "-m container" "101 106 /2" -m container
expect "-m CONTAINER" "101 106 /2" -m CONTAINER
expect "-m container_info" "102 104 105 /3" -m container_info
expect "-p of the writer in a CONTAINER record" "106 /1" -p 901
expect "-p of the writer with its SYSCALL record" "101 /1" -p 596
expect "-p of the target is not the writer" " /0" -p 707
expect "-ul of the writer" "106 /1" -ul 1000
expect "--session of the writer" "106 /1" --session 3
expect "--success no: the refused write" "106 /1" --success no
expect "-tm of the writer" "101 103 107 /3" -tm pts0

# The records of an event stay one event: the CONTAINER record with the
# SYSCALL record that comes after it, a message with its CONTAINER_INFO.
out=$("$ausearch" -if "$log" -a 101 2>/dev/null)
if [ "$(grep -c '^----$' <<<"$out")" = 1 ] && [ "$(grep -c '^type=' <<<"$out")" = 3 ]; then
	pass "the CONTAINER record and its SYSCALL record are one event"
else
	fail "the CONTAINER record and its SYSCALL record are one event" "$out"
fi
out=$("$ausearch" -if "$log" -a 105 2>/dev/null)
if [ "$(grep -c '^----$' <<<"$out")" = 1 ] && [ "$(grep -c '^type=' <<<"$out")" = 2 ]; then
	pass "a message and its CONTAINER_INFO record are one event"
else
	fail "a message and its CONTAINER_INFO record are one event" "$out"
fi

# -i renders (u64)-1 as unset, and other IDs as they are.
out=$("$ausearch" -if "$log" -i -a 101 2>/dev/null)
if grep -q '^type=CONTAINER .* opid=707 old-contid=unset contid=123456 res=yes' <<<"$out"; then
	pass "-i: old-contid=unset"
else
	fail "-i: old-contid=unset" "$out"
fi
out=$("$ausearch" -if "$log" -i -a 104 2>/dev/null)
if grep -q '^type=CONTAINER_INFO .* op=target opid=929 contid=7 $' <<<"$out"; then
	pass "-i: a set contid is printed as it is"
else
	fail "-i: a set contid is printed as it is" "$out"
fi
# The kernel never logs contid=18446744073709551615 (writing it is refused
# with contid=?), but the interpretation is per field name: check it with
# a record made up for the purpose.
sed -n 's/old-contid=18446744073709551615 contid=123456/old-contid=5 contid=18446744073709551615/p' \
	"$log" >"$work/made-up.log"
out=$("$ausearch" -if "$work/made-up.log" -i 2>/dev/null)
if grep -q ' old-contid=5 contid=unset ' <<<"$out"; then
	pass "-i: contid=unset"
else
	fail "-i: contid=unset" "$out"
fi

# A bad value is refused with a message and exit status 1.
for bad in 12x -1 18446744073709551616 0x10 "" " 5"; do
	rc=0
	err=$("$ausearch" -if "$log" --containerid "$bad" 2>&1 >/dev/null) || rc=$?
	if [ "$rc" = 1 ] && grep -qF "Invalid container ID $bad: expected a decimal number up to 18446744073709551615, or unset" <<<"$err"; then
		pass "--containerid '$bad' is refused"
	else
		fail "--containerid '$bad' is refused" "exit $rc, '$err'"
	fi
done
rc=0
err=$("$ausearch" -if "$log" --containerid 2>&1 >/dev/null) || rc=$?
if [ "$rc" = 1 ] && grep -qF "Argument is required for --containerid" <<<"$err"; then
	pass "--containerid without a value is refused"
else
	fail "--containerid without a value is refused" "exit $rc, '$err'"
fi

# aureport --containerid: events per container ID, an event of several
# containers counting for each.
out=$("$aureport" -if "$log" --containerid 2>/dev/null | sed -n '/^=*$/,$p' | grep -E '^[0-9]+  ' | sort)
want=$(printf '%s\n' "1  42" "1  5" "1  7" "3  123456" "3  18446744073709551615" | sort)
if [ "$out" = "$want" ]; then
	pass "aureport --containerid"
else
	fail "aureport --containerid" "got '$out'"
fi
if "$aureport" -if "$log" --containerid -i 2>/dev/null | grep -qx '3  unset'; then
	pass "aureport --containerid -i prints unset"
else
	fail "aureport --containerid -i prints unset" "$("$aureport" -if "$log" --containerid -i 2>&1)"
fi

exit "$failed"
