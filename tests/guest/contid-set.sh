#!/bin/sh
# Setting an ID on a fresh task, reading it back, its AUDIT_CONTAINER
# record, and every kind of bad input.
# kernel: bench
# shellcheck source=tests/lib/testlib.sh
. /usr/local/lib/testlib.sh
T=contid-test

sleep 1000 &
t=$!
check_eq "a new task reads as unset" "$(contid $t)" "$UNSET"
check_eq "/proc/PID/task/TID/containerid reads the same" "$(cat /proc/$t/task/$t/containerid)" "$UNSET"

if echo 123456 >/proc/$t/containerid; then
	pass "write from the shell succeeds"
else
	fail "write from the shell succeeds" "echo failed"
fi
check_eq "the ID reads back" "$(contid $t)" 123456
check_eq "through task/TID too" "$(cat /proc/$t/task/$t/containerid)" 123456
audit_sync
rec=$(container_records $t | tail -1)
check_match "AUDIT_CONTAINER record has every field" "$rec" \
	"op=set pid=$$ uid=0 auid=[0-9]+ tty=[^ ]+ ses=[0-9]+ opid=$t old-contid=$UNSET contid=123456 res=1"
check_eq "ausearch -m 1020 finds it" "$(ausearch -m 1020 2>/dev/null | grep -c "opid=$t ")" 1
check_eq "ausearch -m container finds it" "$(ausearch -m container 2>/dev/null | grep -c "type=CONTAINER .*opid=$t ")" 1
stamp=$(echo "$rec" | sed -n 's/.*msg=audit(\([0-9.:]*\)).*/\1/p')
check_match "the write's SYSCALL record shares the serial" \
	"$(grep -a "audit($stamp)" "$AUDIT_LOG" | grep -a 'type=SYSCALL')" "syscall=1 .*pid=$$ "

# A successful set names the target's namespaces, as /proc/PID/ns shows
# them: here a target in new mount, uts, ipc, net and pid namespaces.
ns_of() {
	for _n in mnt uts ipc pid net user cgroup time; do
		_l=$(readlink "/proc/$1/ns/$_n" 2>/dev/null) || continue
		_i=${_l#*[}
		printf ' %sns=%s' "$_n" "${_i%]}"
	done
}
check_match "the record of the host task names its namespaces" \
	"$(echo "$rec" | cut -d"$(printf '\035')" -f1)" \
	"contid=123456 res=1$(ns_of $t)\$"
unshare -m -u -i -n -p -f sleep 1000 &
ush=$!
nst=$(wait_child_of $ush)
echo 123457 >/proc/"$nst"/containerid
audit_sync
want=$(ns_of "$nst")
check_match "a task in namespaces of its own: each inode number is its own" \
	"$(container_records "$nst" | tail -1 | cut -d"$(printf '\035')" -f1)" "contid=123457 res=1$want\$"
echo "INFO: record: $(container_records "$nst" | tail -1 | cut -d"$(printf '\035')" -f1)"
host_ns=" $(ns_of $$) "
differ=0
for f in $want; do
	case "$host_ns" in *" $f "*) ;; *) differ=$((differ + 1)) ;; esac
done
check_eq "... and differs from the host's for mnt, uts, ipc, net and pid" "$differ" 5
check_eq "a refused set names no namespaces" \
	"$($T write /proc/"$nst"/containerid 1 >/dev/null; audit_sync; container_records "$nst" | tail -1 | grep -c 'mntns=')" 0
kill -9 "$nst" $ush 2>/dev/null
wait $ush 2>/dev/null

# Reads are one value and a newline, with file offsets honoured.
check_eq "partial read" "$(dd if=/proc/$t/containerid bs=1 count=3 2>/dev/null)" 123

# Bad input: EINVAL, recorded, and the ID is unchanged.
sleep 1000 &
u=$!
expect_refused "garbage" EINVAL $u "?" $T write /proc/$u/containerid abc
expect_refused "trailing garbage" EINVAL $u "?" $T write /proc/$u/containerid '12x'
expect_refused "leading space" EINVAL $u "?" $T write /proc/$u/containerid ' 12'
expect_refused "negative" EINVAL $u "?" $T write /proc/$u/containerid '-1'
expect_refused "overflow" EINVAL $u "?" $T write /proc/$u/containerid 18446744073709551616
expect_refused "empty" EINVAL $u "?" $T write /proc/$u/containerid ''
expect_refused "just a newline" EINVAL $u "?" $T write /proc/$u/containerid '\n'
expect_refused "two newlines" EINVAL $u "?" $T write /proc/$u/containerid '5\n\n'
expect_refused "the unset value" EINVAL $u "?" $T write /proc/$u/containerid "$UNSET"
expect_refused "partial write (offset 1)" EINVAL $u "?" $T write /proc/$u/containerid 77 --offset 1
check_eq "bad input changed nothing" "$(contid $u)" "$UNSET"

check_eq "a trailing newline and a plus sign are fine" "$($T write /proc/$u/containerid '+42\n')" ok
check_eq "value with newline reads back" "$(contid $u)" 42

# Set once.
expect_refused "re-set" EEXIST $u 43 $T write /proc/$u/containerid 43
expect_refused "re-set to the same value" EEXIST $u 42 $T write /proc/$u/containerid 42
check_eq "re-set changed nothing" "$(contid $u)" 42
check_match "refusal record names old and new ID" "$(container_records $u | tail -1)" \
	"opid=$u old-contid=42 contid=42 res=0"

# Privilege: CAP_AUDIT_CONTROL for writing and for reading.
sleep 1000 &
v=$!
expect_refused "write without CAP_AUDIT_CONTROL" EPERM $v 5 $T drop-cap $T write /proc/$v/containerid 5
check_eq "the refused write changed nothing" "$(contid $v)" "$UNSET"
check_eq "read without CAP_AUDIT_CONTROL: EPERM" "$($T drop-cap $T read /proc/$v/containerid)" EPERM
check_eq "0 is a valid ID" "$($T write /proc/$v/containerid 0)" ok
check_eq "0 reads back" "$(contid $v)" 0

# A process that has exited: ENOENT from /proc, no record needed.
sleep 0 &
g=$!
wait $g
check_eq "exited process: ENOENT" "$($T write /proc/$g/containerid 9)" ENOENT

kill $t $u $v
finish
