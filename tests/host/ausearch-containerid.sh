#!/usr/bin/env bash
# ausearch and aureport of the patched audit userspace against an audit.log
# fragment with the records of docs/records.md: --containerid selects the
# events of a container (or of the host), a refused attempt to set an ID is
# no event of the ID it names (--containerid-attempts finds it), "unset"
# needs evidence that a task had no ID, the CONTAINER record is found by
# the writer's pid, uid and result like other records, the records of one
# event stay together, -i prints the unset ID as "unset", and the events of
# nested containers (outer=) are found by each enclosing ID but counted by
# aureport under their innermost IDs only.
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
# 108: auditd stops (its own record), more than the end of event timeout
#      after 107: the input goes on past 107, which has no CONTAINER_INFO.
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
type=DAEMON_END msg=audit(1700000009.000:108): op=terminate auid=-1 uid=-1 ses=-1 pid=-1 subj=? res=success
EOF

# shellcheck source=tests/lib/hostcheck.sh
. "$ROOT/tests/lib/hostcheck.sh"

# serials FILE ARGS...: the serials of the events that ausearch selects in
# FILE, and "/N" with the number of events it prints, e.g. "101 102 /2".
serials() {
	local in=$1 out
	shift
	out=$("$ausearch" -if "$in" "$@" 2>/dev/null || true)
	printf '%s /%s\n' \
		"$(grep -o 'msg=audit([0-9.]*:[0-9]*)' <<<"$out" | sed 's/.*:\([0-9]*\))/\1/' |
			sort -un | paste -sd ' ')" \
		"$(grep -c '^----$' <<<"$out" || true)"
}

expect_in() { # expect_in FILE NAME "SERIALS... /EVENTS" ARGS...
	local in=$1 name=$2 want=$3 got
	shift 3
	got=$(serials "$in" "$@")
	if [ "$got" = "$want" ]; then
		pass "$name"
	else
		fail "$name" "ausearch -if ${in##*/} $* selected '$got', expected '$want'"
	fi
}
expect() { # expect NAME "SERIALS... /EVENTS" ARGS...
	expect_in "$log" "$@"
}
expect_line() { # expect_line FILE NAME REGEX ARGS...: ausearch -if FILE ARGS prints a line matching REGEX
	local in=$1 name=$2 re=$3 out
	shift 3
	out=$("$ausearch" -if "$in" "$@" 2>/dev/null)
	if grep -q -- "$re" <<<"$out"; then
		pass "$name"
	else
		fail "$name" "$out"
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
expect_line "$log" "-i: old-contid=unset" '^type=CONTAINER .* opid=707 old-contid=unset contid=123456 res=yes' -i -a 101
expect_line "$log" "-i: a set contid is printed as it is" '^type=CONTAINER_INFO .* op=target opid=929 contid=7 $' -i -a 104
# The kernel never logs contid=18446744073709551615 (writing it is refused
# with contid=?), but the interpretation is per field name: check it with
# a record made up for the purpose.
sed -n 's/old-contid=18446744073709551615 contid=123456/old-contid=5 contid=18446744073709551615/p' \
	"$log" >"$work/made-up.log"
expect_line "$work/made-up.log" "-i: contid=unset" ' old-contid=5 contid=unset ' -i

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

# Attempts to set an ID.  Any process with CAP_AUDIT_CONTROL, inside a
# container or not, can write any ID: the contid of a refused attempt is
# only what the writer wrote, not a container that took part.
# 201: a root writer on the host (pid 600) tries to move process 810, whose
#      ID 7 was set on it, into 123456: refused (EEXIST).
# 202: a writer inside container 5 (pid 931) tries to move the host's
#      process 820 into 123456: refused (EXDEV).
# 203: the host's orchestrator (pid 596) sets the ID of process 830 to 777.
# 204: process 935 of container 5 kills the host's process 72 (an OBJ_PID
#      record without CONTAINER_INFO: the target has no ID).
attempts=$work/attempts.log
cat >"$attempts" <<'EOF'
type=CONTAINER msg=audit(1700000010.100:201): op=set pid=600 uid=0 auid=1000 tty=pts1 ses=5 opid=810 old-contid=7 contid=123456 res=0
type=SYSCALL msg=audit(1700000010.100:201): arch=c000003e syscall=1 success=no exit=-17 a0=1 a1=55d0c8a3e2a0 a2=7 a3=0 items=0 ppid=590 pid=600 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts1 ses=5 comm="sh" exe="/usr/bin/dash" key=(null)
type=PROCTITLE msg=audit(1700000010.100:201): proctitle=7368002D63006563686F20313233343536203E2F70726F632F3831302F636F6E7461696E65726964
type=CONTAINER msg=audit(1700000011.200:202): op=set pid=931 uid=0 auid=4294967295 tty=(none) ses=4294967295 opid=820 old-contid=18446744073709551615 contid=123456 res=0
type=SYSCALL msg=audit(1700000011.200:202): arch=c000003e syscall=1 success=no exit=-18 a0=1 a1=5608e51a02c0 a2=7 a3=0 items=0 ppid=921 pid=931 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm="sh" exe="/bin/busybox" key=(null)
type=CONTAINER_INFO msg=audit(1700000011.200:202): op=task contid=5
type=PROCTITLE msg=audit(1700000011.200:202): proctitle=7368002D63006563686F20313233343536203E2F70726F632F3832302F636F6E7461696E65726964
type=CONTAINER msg=audit(1700000012.300:203): op=set pid=596 uid=0 auid=0 tty=pts0 ses=1 opid=830 old-contid=18446744073709551615 contid=777 res=1
type=SYSCALL msg=audit(1700000012.300:203): arch=c000003e syscall=1 success=yes exit=4 a0=1 a1=55d0c8a3e2a0 a2=4 a3=0 items=0 ppid=512 pid=596 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 comm="sh" exe="/usr/bin/dash" key=(null)
type=PROCTITLE msg=audit(1700000012.300:203): proctitle=7368002D63006563686F20373737203E2F70726F632F3833302F636F6E7461696E65726964
type=SYSCALL msg=audit(1700000013.400:204): arch=c000003e syscall=62 success=yes exit=0 a0=48 a1=f a2=0 a3=7f2b9c1d4a80 items=0 ppid=921 pid=935 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm="kill" exe="/bin/busybox" key="sig"
type=CONTAINER_INFO msg=audit(1700000013.400:204): op=task contid=5
type=OBJ_PID msg=audit(1700000013.400:204): opid=72 oauid=0 ouid=0 oses=1 ocomm="sleep"
type=PROCTITLE msg=audit(1700000013.400:204): proctitle=6B696C6C002D5445524D003732
EOF
expect_in "$attempts" "--containerid N: no refused attempt that names N" " /0" --containerid 123456
expect_in "$attempts" "--containerid N: a successful set to N" "203 /1" --containerid 777
expect_in "$attempts" "--containerid: old-contid of a refused attempt" "201 /1" --containerid 7
expect_in "$attempts" "--containerid: the writer's container" "202 204 /2" --containerid 5
expect_in "$attempts" "--containerid unset: host writers and targets" "201 202 203 204 /4" --containerid unset
expect_in "$attempts" "--containerid-attempts N: refused and successful" "201 202 /2" --containerid-attempts 123456
expect_in "$attempts" "--containerid-attempts N --success no" "201 202 /2" --containerid-attempts 123456 --success no
expect_in "$attempts" "--containerid-attempts N --success yes" " /0" --containerid-attempts 123456 --success yes
expect_in "$attempts" "--containerid-attempts: a successful set" "203 /1" --containerid-attempts 777
expect_in "$attempts" "--containerid-attempts: not the old-contid" " /0" --containerid-attempts 7
expect_in "$attempts" "--containerid-attempts with --containerid" "202 /1" --containerid-attempts 123456 --containerid 5
expect_in "$attempts" "-m container: every attempt" "201 202 203 /3" -m container
expect_in "$attempts" "-m container --containerid N: not an attempt into N" " /0" -m container --containerid 123456

# "unset" needs evidence that a task had no ID: a record after its SYSCALL
# or OBJ_PID record that is not CONTAINER_INFO, or, for a message from
# userspace, the input going on past the end of event timeout.  An event
# cut at the end of the input proves nothing.
cut=$work/cut.log
grep -F ':107)' "$log" >"$cut"
expect_in "$cut" "--containerid unset: not a message at the end of the input" " /0" --containerid unset
expect_in "$cut" "a message at the end of the input is still printed" "107 /1" -m user
grep -F -e ':107)' -e ':108)' "$log" >"$cut"
expect_in "$cut" "--containerid unset: a message with the input going on" "107 /1" --containerid unset
grep -F ':102)' "$log" | grep '^type=SYSCALL' >"$cut"
grep -F ':108)' "$log" >>"$cut"
expect_in "$cut" "--containerid unset: not a SYSCALL record that ends its event" " /0" --containerid unset
grep -F ':104)' "$log" | grep -v -e '^type=CONTAINER_INFO .* op=target' -e '^type=PROCTITLE' >"$cut"
expect_in "$cut" "--containerid unset: not an OBJ_PID record that ends its event" " /0" --containerid unset
expect_in "$cut" "--containerid of the task of a cut event" "104 /1" --containerid 5

rc=0
err=$("$ausearch" -if "$log" --containerid-attempts 12x 2>&1 >/dev/null) || rc=$?
if [ "$rc" = 1 ] && grep -qF "Invalid container ID 12x: expected a decimal number up to 18446744073709551615, or unset" <<<"$err"; then
	pass "--containerid-attempts '12x' is refused"
else
	fail "--containerid-attempts '12x' is refused" "exit $rc, '$err'"
fi
rc=0
err=$("$ausearch" -if "$log" --containerid-attempts 2>&1 >/dev/null) || rc=$?
if [ "$rc" = 1 ] && grep -qF "Argument is required for --containerid-attempts" <<<"$err"; then
	pass "--containerid-attempts without a value is refused"
else
	fail "--containerid-attempts without a value is refused" "exit $rc, '$err'"
fi

# report NAME "COUNT  ID;..." FILE ARGS...: the lines of an aureport summary.
report() {
	local name=$1 want got in=$3
	want=$(tr ';' '\n' <<<"$2" | sort)
	shift 3
	got=$("$aureport" -if "$in" "$@" 2>/dev/null | sed -n '/^=*$/,$p' | grep -E '^[0-9]+  ' | sort || true)
	if [ "$got" = "$want" ]; then
		pass "$name"
	else
		fail "$name" "aureport -if ${in##*/} $* gave '$got', expected '$want'"
	fi
}
report "aureport --containerid: no refused attempt under the ID it names" \
	"4  18446744073709551615;2  5;1  7;1  777" "$attempts" --containerid
report "aureport --containerid-attempts: the IDs written" \
	"2  123456;1  777" "$attempts" --containerid-attempts
report "aureport --containerid-attempts --failed: the refused ones" \
	"2  123456" "$attempts" --containerid-attempts --failed
report "aureport --containerid-attempts --success: the successful ones" \
	"1  777" "$attempts" --containerid-attempts --success
report "aureport --containerid-attempts: a write that is no ID counts for ?" \
	"1  123456;1  ?" "$log" --containerid-attempts


# Nested containers: a container runtime inside a container gives its own
# containers IDs, and the kernel adds outer=, the IDs of the enclosing
# containers, innermost first, ending with the one the host made, to the
# op=task CONTAINER_INFO record and, as the writer's chain (where the new
# ID is nested, the writer's own ID first), to the CONTAINER record.
# Containers that the host made have no outer=.  --containerid N finds the
# events of the containers nested in N; aureport counts an event under its
# innermost IDs only.
# 301: process 931 of container 8101, nested in 8100, creates a file.
# 302: process 950 of container 5, nested in 2001, nested in 1.
# 303: process 901 of container 8100 (made by the host) moves its process
#      930 from 8100 into a new container 8101, nested in 8100.
# 304: a writer of container 2001 (syscalls not audited: the CONTAINER
#      record is the whole event) moves its process 941 from 2001 into 5.
# 305: a writer of container 5 (not audited) tries to move the host's
#      process 72 into 8101: refused (EXDEV).
# 306: process 902 of container 8100 itself, no outer=.
# 307: process 932 of container 8101 kills process 951 of container 5; the
#      op=target record carries no outer=.
nested=$work/nested.log
cat >"$nested" <<'EOF'
type=SYSCALL msg=audit(1700000020.100:301): arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=7ffd3c1b2e6f a2=941 a3=1b6 items=2 ppid=930 pid=931 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm="touch" exe="/usr/bin/touch" key="k2"
type=CONTAINER_INFO msg=audit(1700000020.100:301): op=task contid=8101 outer=8100
type=CWD msg=audit(1700000020.100:301): cwd="/"
type=PATH msg=audit(1700000020.100:301): item=0 name="/tmp/" inode=3 dev=00:1e mode=041777 ouid=0 ogid=0 rdev=00:00 nametype=PARENT cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0
type=PATH msg=audit(1700000020.100:301): item=1 name="/tmp/n1" inode=15 dev=00:1e mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=CREATE cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0
type=PROCTITLE msg=audit(1700000020.100:301): proctitle=746F756368002F746D702F6E31
type=SYSCALL msg=audit(1700000020.200:302): arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=7ffd3c1b2e6f a2=941 a3=1b6 items=2 ppid=949 pid=950 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm="touch" exe="/usr/bin/touch" key="k2"
type=CONTAINER_INFO msg=audit(1700000020.200:302): op=task contid=5 outer=2001,1
type=CWD msg=audit(1700000020.200:302): cwd="/"
type=PATH msg=audit(1700000020.200:302): item=0 name="/tmp/" inode=3 dev=00:1e mode=041777 ouid=0 ogid=0 rdev=00:00 nametype=PARENT cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0
type=PATH msg=audit(1700000020.200:302): item=1 name="/tmp/n2" inode=16 dev=00:1e mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=CREATE cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0
type=PROCTITLE msg=audit(1700000020.200:302): proctitle=746F756368002F746D702F6E32
type=CONTAINER msg=audit(1700000020.300:303): op=set pid=901 uid=0 auid=0 tty=(none) ses=1 opid=930 old-contid=8100 contid=8101 res=1 outer=8100
type=SYSCALL msg=audit(1700000020.300:303): arch=c000003e syscall=1 success=yes exit=5 a0=1 a1=55d0c8a3e2a0 a2=5 a3=0 items=0 ppid=900 pid=901 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 comm="sh" exe="/usr/bin/dash" key=(null)
type=CONTAINER_INFO msg=audit(1700000020.300:303): op=task contid=8100
type=PROCTITLE msg=audit(1700000020.300:303): proctitle=7368002D63006563686F2038313031203E2F70726F632F3933302F636F6E7461696E65726964
type=CONTAINER msg=audit(1700000020.400:304): op=set pid=940 uid=0 auid=4294967295 tty=(none) ses=4294967295 opid=941 old-contid=2001 contid=5 res=1 outer=2001,1
type=CONTAINER msg=audit(1700000020.500:305): op=set pid=945 uid=0 auid=4294967295 tty=(none) ses=4294967295 opid=72 old-contid=18446744073709551615 contid=8101 res=0 outer=5,2001,1
type=SYSCALL msg=audit(1700000020.600:306): arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=7ffd3c1b2e6f a2=941 a3=1b6 items=2 ppid=901 pid=902 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm="touch" exe="/usr/bin/touch" key="k2"
type=CONTAINER_INFO msg=audit(1700000020.600:306): op=task contid=8100
type=CWD msg=audit(1700000020.600:306): cwd="/"
type=PATH msg=audit(1700000020.600:306): item=0 name="/tmp/" inode=3 dev=00:1e mode=041777 ouid=0 ogid=0 rdev=00:00 nametype=PARENT cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0
type=PATH msg=audit(1700000020.600:306): item=1 name="/tmp/n3" inode=17 dev=00:1e mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=CREATE cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0
type=PROCTITLE msg=audit(1700000020.600:306): proctitle=746F756368002F746D702F6E33
type=SYSCALL msg=audit(1700000020.700:307): arch=c000003e syscall=62 success=yes exit=0 a0=3b7 a1=f a2=0 a3=7f2b9c1d4a80 items=0 ppid=930 pid=932 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm="kill" exe="/usr/bin/kill" key="sig"
type=CONTAINER_INFO msg=audit(1700000020.700:307): op=task contid=8101 outer=8100
type=OBJ_PID msg=audit(1700000020.700:307): opid=951 oauid=4294967295 ouid=0 oses=4294967295 ocomm="sleep"
type=CONTAINER_INFO msg=audit(1700000020.700:307): op=target opid=951 contid=5
type=PROCTITLE msg=audit(1700000020.700:307): proctitle=6B696C6C002D5445524D00393531
EOF
expect_in "$nested" "nested: --containerid of the outer container" "301 303 306 307 /4" --containerid 8100
expect_in "$nested" "nested: --containerid of the nested container" "301 303 307 /3" --containerid 8101
expect_in "$nested" "nested: --containerid of no container of the chain" " /0" --containerid 8102
expect_in "$nested" "nested: --containerid of the middle of a depth-2 chain" "302 304 305 /3" --containerid 2001
expect_in "$nested" "nested: --containerid of the host's container of a depth-2 chain" "302 304 305 /3" --containerid 1
expect_in "$nested" "nested: --containerid of the innermost container" "302 304 305 307 /4" --containerid 5
expect_in "$nested" "nested: a task record without outer= is only its container's" "306 /1" -k k2 --containerid 8100 -p 902
expect_in "$nested" "nested: a task record without outer= is not of a nested container" "301 /1" -k k2 --containerid 8101
expect_in "$nested" "nested: a successful set is an event of the containers around the new ID" "304 /1" -m container --containerid 1 --success yes
expect_in "$nested" "nested: a refused attempt is an event of its writer's containers" "305 /1" -m container --containerid 1 --success no
expect_in "$nested" "nested: the writer's own ID is the first of its chain" "304 305 /2" -m container --containerid 5
expect_in "$nested" "nested: a refused attempt is no event of the ID it names" "301 303 307 /3" --containerid 8101
expect_in "$nested" "nested: a refused attempt with outer= is still the target's" "305 /1" --containerid unset
expect_in "$nested" "nested: a target's record has no chain" " /0" -a 307 --containerid 2001
expect_in "$nested" "nested: --containerid-attempts is about the ID written" "303 305 /2" --containerid-attempts 8101
expect_in "$nested" "nested: --containerid-attempts is not about outer=" " /0" --containerid-attempts 8100
expect_in "$nested" "nested: -p and --success of a CONTAINER record with outer=" "305 /1" -p 945 --success no
expect_line "$nested" "nested: -i prints outer= as it is" '^type=CONTAINER_INFO .* op=task contid=5 outer=2001,1 *$' -i -a 302
expect_line "$nested" "nested: -i prints a CONTAINER record's outer= as it is" '^type=CONTAINER .* old-contid=unset contid=8101 res=no outer=5,2001,1 *$' -i -a 305
report "nested: aureport --containerid counts under the innermost IDs only" \
	"3  8101;2  8100;4  5;1  2001;1  18446744073709551615" "$nested" --containerid
grep -F ':302)' "$nested" >"$work/depth2.log"
report "nested: aureport --containerid counts a depth-2 task once" \
	"1  5" "$work/depth2.log" --containerid
report "nested: aureport --containerid-attempts counts the IDs written" \
	"2  8101;1  5" "$nested" --containerid-attempts

# A container's end and its mapping records.
# 401: the hook (pid 610, on the host) sets the ID 4711 of process 620.
# 402: the hook's mapping record of that set (VIRT_CONTROL virt=container).
# 403: the end of container 4711 (op=drop: no task).
# 404: the end of container 9201, nested in 9200.
# 405: a libvirt VIRT_CONTROL record (no virt=container) that says contid=.
# 406: the poststop mapping record of 4711, sent from a task of 77.
# 407: auditd stops, past the end of event timeout.
ends=$work/ends.log
cat >"$ends" <<'EOF'
type=CONTAINER msg=audit(1700000030.100:401): op=set pid=610 uid=0 auid=4294967295 tty=(none) ses=4294967295 opid=620 old-contid=18446744073709551615 contid=4711 res=1 mntns=4026532066 utsns=4026532067 ipcns=4026532068 pidns=4026532069 netns=4026532070 userns=4026531837 cgroupns=4026531835 timens=4026531834
type=SYSCALL msg=audit(1700000030.100:401): arch=c000003e syscall=1 success=yes exit=5 a0=3 a1=7ffc1 a2=5 a3=0 items=0 ppid=600 pid=610 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm="contid" exe="/usr/local/bin/contid" key=(null)
type=VIRT_CONTROL msg=audit(1700000030.110:402): pid=610 uid=0 auid=4294967295 ses=4294967295 msg='virt=container op=start reason=create vm="r1" uuid=r1 vm-pid=620 contid=4711 contid-from=annotation runtime="runc" bundle="/tmp/oci/r1" exe="/usr/local/bin/contid" hostname=? addr=? terminal=? res=success'
type=CONTAINER msg=audit(1700000035.000:403): op=drop auid=4294967295 ses=4294967295 contid=4711 res=1
type=CONTAINER msg=audit(1700000035.100:404): op=drop auid=1000 ses=3 contid=9201 res=1 outer=9200
type=VIRT_CONTROL msg=audit(1700000035.200:405): pid=700 uid=0 auid=4294967295 ses=4294967295 msg='virt=lxc resrc=x reason=start vm="guest" uuid=c7a5fdbd-edaf-9455-926a-d65c16db1809 vm-pid=701 contid=4711 exe="/usr/sbin/libvirtd" hostname=? addr=? terminal=? res=success'
type=VIRT_CONTROL msg=audit(1700000036.000:406): pid=710 uid=0 auid=4294967295 ses=4294967295 msg='virt=container op=stop reason=delete vm="r1" uuid=r1 vm-pid=? contid=4711 contid-from=annotation runtime="runc" bundle="/tmp/oci/r1" exe="/usr/local/bin/contid" hostname=? addr=? terminal=? res=success'
type=CONTAINER_INFO msg=audit(1700000036.000:406): op=task contid=77
type=DAEMON_END msg=audit(1700000049.000:407): op=terminate auid=-1 uid=-1 ses=-1 pid=-1 subj=? res=success
EOF
expect_in "$ends" "drop: --containerid finds the set, the mapping, the end and the stop" "401 402 403 406 /4" --containerid 4711
expect_in "$ends" "drop: a nested container's end is its own and its outer's" "404 /1" --containerid 9201
expect_in "$ends" "drop: ... found by the outer ID" "404 /1" --containerid 9200
expect_in "$ends" "drop: -m container --success yes" "401 403 404 /3" -m container --success yes
expect_in "$ends" "drop: -ul and --session of the end" "404 /1" -m container -ul 1000 --session 3
expect_in "$ends" "drop: no attempt to set the ID" "401 /1" --containerid-attempts 4711
expect_in "$ends" "mapping: the sender's pid" "401 402 /2" -p 610
expect_in "$ends" "mapping: -m virt_control" "402 405 406 /3" -m virt_control
expect_in "$ends" "mapping: a record of another kind names no container" " /0" -a 405 --containerid 4711
expect_in "$ends" "mapping: the sender's own ID" "406 /1" --containerid 77
expect_in "$ends" "mapping: the sender on the host" "401 402 405 /3" --containerid unset
expect_line "$ends" "mapping: -i renders the ID" "^type=VIRT_CONTROL .*vm=r1 uuid=r1 vm-pid=620 contid=4711 " -i -a 402
expect_line "$ends" "set: -i shows each namespace as the links in /proc/PID/ns do" \
	'old-contid=unset contid=4711 res=yes mntns=mnt:\[4026532066\] utsns=uts:\[4026532067\] ipcns=ipc:\[4026532068\] pidns=pid:\[4026532069\] netns=net:\[4026532070\] userns=user:\[4026531837\] cgroupns=cgroup:\[4026531835\] timens=time:\[4026531834\] *$' -i -a 401
report "drop and mapping: aureport --containerid" \
	"4  4711;1  9201;1  77;3  18446744073709551615" "$ends" --containerid

# Packets: the CONTAINER_INFO op=net record after NETFILTER_PKT lists the
# IDs of the packet's network namespace.
# 501: a namespace shared by containers 7101 and 7102.
# 502: 7103's namespace, whose list is full (unlisted=2).
# 503: a namespace whose every ID is unlisted (contid=?).
# 504: a namespace where no task has an ID: no CONTAINER_INFO.
packets=$work/packets.log
cat >"$packets" <<'EOF'
type=NETFILTER_PKT msg=audit(1700000040.100:501): mark=0x0 saddr=127.0.0.1 daddr=127.0.0.11 proto=17
type=CONTAINER_INFO msg=audit(1700000040.100:501): op=net netns=4026532069 contid=7101,7102
type=NETFILTER_PKT msg=audit(1700000040.200:502): mark=0x0 saddr=127.0.0.1 daddr=127.0.0.13 proto=17
type=CONTAINER_INFO msg=audit(1700000040.200:502): op=net netns=4026532097 contid=7103 unlisted=2
type=NETFILTER_PKT msg=audit(1700000040.300:503): mark=0x0 saddr=127.0.0.1 daddr=127.0.0.14 proto=17
type=CONTAINER_INFO msg=audit(1700000040.300:503): op=net netns=4026532101 contid=? unlisted=3
type=NETFILTER_PKT msg=audit(1700000040.400:504): mark=0x0 saddr=127.0.0.1 daddr=127.0.0.19 proto=17
EOF
expect_in "$packets" "packets: found for the first ID of the list" "501 /1" --containerid 7101
expect_in "$packets" "packets: found for the second ID of the list" "501 /1" --containerid 7102
expect_in "$packets" "packets: a list of one, with unlisted tasks" "502 /1" --containerid 7103
expect_in "$packets" "packets: not found for an ID that is not listed" " /0" --containerid 7104
expect_in "$packets" "packets: unlisted= is no ID" " /0" --containerid 2
expect_in "$packets" "packets: no packet is an event of the host" " /0" --containerid unset
expect_in "$packets" "packets: -m netfilter_pkt" "501 502 503 504 /4" -m netfilter_pkt
expect_in "$packets" "packets: -m netfilter_pkt with --containerid" "502 /1" -m netfilter_pkt --containerid 7103
expect_line "$packets" "packets: -i prints the list as it is, the namespace as /proc/PID/ns does" \
	'^type=CONTAINER_INFO .* op=net netns=net:\[4026532069\] contid=7101,7102 *$' -i -a 501
report "packets: aureport --containerid counts a packet for each ID of its list" \
	"1  7101;1  7102;1  7103" "$packets" --containerid

checks_done
