#!/bin/sh
# The end of a container: when the last task that holds an ID is reaped,
# one AUDIT_CONTAINER record op=drop (the auid and ses of the writer that
# made the container), never while a task still holds the ID (a zombie
# does), exactly once when many tasks or threads exit at once, inner
# before outer for nested containers, none for a set that was refused, and
# one for every container that still had tasks when the module is
# unloaded.  On the test kernel: the record is made where the last task is
# reaped, with tasklist_lock held, and lockdep is the instrument.
# shellcheck source=tests/lib/testlib.sh
. /usr/local/lib/testlib.sh
T=contid-test

# drops ID: how many op=drop records name container ID, once the log has
# caught up.
drops() {
	audit_sync
	container_records any | grep -ac " op=drop .*contid=$1 res=1"
}

# drop_record ID: the op=drop record of container ID, without the
# interpreted fields that the ENRICHED log format appends.
drop_record() {
	container_records any | grep -a " op=drop .*contid=$1 res=1" | cut -d"$(printf '\035')" -f1
}

# wait_drop ID: wait up to 10 s for the op=drop record of container ID.
wait_drop() {
	_i=0
	while [ "$(drops "$1")" = 0 ] && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
}

# pids_of ID: the processes whose ID is ID.
pids_of() {
	for _f in /proc/[0-9]*/containerid; do
		[ "$(cat "$_f" 2>/dev/null)" = "$1" ] && { _p=${_f#/proc/}; echo "${_p%/containerid}"; }
	done
}

# zombie PID: wait until PID has exited but is not reaped.
zombie() {
	_i=0
	until grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -lt 100 ] || return 1
		sleep 0.1
	done
}

me_auid=$(cat /proc/self/loginuid)
me_ses=$(cat /proc/self/sessionid)

# --- a container of one task ------------------------------------------------
# The task exits as the child of a process that never reaps it (sleep,
# exec'd by its parent shell): it stays a zombie, holding the ID, until
# that process is gone and init reaps it.
rm -f /tmp/ce.gate
mkfifo /tmp/ce.gate
sh -c "$T gate /tmp/ce.gate true & echo \$! >/tmp/ce.pid; exec sleep 1000" &
holder=$!
wait_for_file /tmp/ce.pid
p=$(cat /tmp/ce.pid)
echo 9001 >/proc/"$p"/containerid
check_eq "one task: it has the ID" "$(contid "$p")" 9001
check_eq "one task: no drop while it runs" "$(drops 9001)" 0
echo go >/tmp/ce.gate
zombie "$p"
check_eq "one task: it has exited and is not reaped" "$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' /proc/"$p"/status 2>/dev/null)" Z
check_eq "one task: no drop while it is a zombie (it still holds the ID)" "$(drops 9001)" 0
kill $holder
wait $holder
wait_drop 9001
check_eq "one task: one drop once it is reaped" "$(drops 9001)" 1
check_match "one task: the record names the writer's auid and ses, the ID" \
	"$(drop_record 9001)" "type=(CONTAINER|UNKNOWN\[1020\]) msg=audit\([0-9.:]+\): op=drop auid=$me_auid ses=$me_ses contid=9001 res=1\$"
stamp=$(drop_record 9001 | sed -n 's/.*msg=audit(\([0-9.:]*\)).*/\1/p')
check_eq "one task: the drop is an event of its own (no other record has its serial)" \
	"$(records_of "$stamp" | grep -c .)" 1

# The ID is free again: a new container of the same ID has its own end.
sleep 1000 &
p=$!
echo 9001 >/proc/$p/containerid
kill $p
wait $p
check_eq "reused ID: one more drop, for the new container" "$(drops 9001)" 2

# --- many tasks, exiting at once ----------------------------------------------
rm -f /tmp/ce.ready
in_container_bg 9002 sh -c 'i=0; while [ $i -lt 20 ]; do sleep 1000 & i=$((i + 1)); done; echo ready >/tmp/ce.ready; wait'
sh9002=$CPID
wait_for_file /tmp/ce.ready 60
sleeps=$(pids_of 9002 | grep -v "^$sh9002\$")
check_eq "many tasks: 20 forked processes hold the ID" "$(echo "$sleeps" | grep -c .)" 20
last=$(echo "$sleeps" | tail -1)
# shellcheck disable=SC2046  # one kill(1) for 19 processes: they exit in parallel
kill -9 $(echo "$sleeps" | grep -v "^$last\$")
i=0
while [ "$(pids_of 9002 | grep -c .)" -gt 2 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
check_eq "many tasks: 19 of them gone, no drop while two tasks remain" "$(drops 9002)" 0
kill -9 "$last"
wait $sh9002
check_eq "many tasks: one drop when the last is reaped" "$(drops 9002)" 1

# Threads: a process of 8 threads exits, its threads in parallel.
$T threads 8 >/tmp/ce.thr &
mt=$!
wait_for_file /tmp/ce.thr
echo 9003 >/proc/$mt/containerid
check_eq "threads: every thread holds the ID" "$(cat /proc/$mt/task/*/containerid | sort -u)" 9003
kill -9 $mt
wait $mt
check_eq "threads: one drop for the thread group" "$(drops 9003)" 1

# Ten containers end in one kill(1).
pids=
for n in 0 1 2 3 4 5 6 7 8 9; do
	sleep 1000 &
	echo $((9100 + n)) >/proc/$!/containerid
	pids="$pids $!"
done
# shellcheck disable=SC2086
kill -9 $pids
# shellcheck disable=SC2086
wait $pids
audit_sync
n=0
for n10 in 0 1 2 3 4 5 6 7 8 9; do
	[ "$(container_records any | grep -ac " op=drop .*contid=$((9100 + n10)) res=1")" = 1 ] && n=$((n + 1))
done
check_eq "ten containers ending at once: one drop each" "$n" 10

# --- nested: the inner container ends first -----------------------------------
rm -f /tmp/ce.inner
in_container_bg 9200 sh -c 'sleep 1000 & echo 9201 >/proc/$!/containerid && echo $! >/tmp/ce.inner; wait $!; exec sleep 1001'
outer_sh=$CPID
wait_for_file /tmp/ce.inner
inner=$(cat /tmp/ce.inner)
check_eq "nested: the inner task has the nested ID" "$(contid "$inner")" 9201
kill "$inner"
wait_drop 9201
check_eq "nested: the inner container's end is logged" "$(drops 9201)" 1
check_match "nested: ... with the chain it was nested in" "$(drop_record 9201)" \
	"op=drop auid=$me_auid ses=$me_ses contid=9201 res=1 outer=9200\$"
echo "INFO: record: $(drop_record 9201)"
check_eq "nested: the outer container still has a task: no drop" "$(drops 9200)" 0
kill $outer_sh
wait $outer_sh
check_eq "nested: the outer one ends with its last task" "$(drops 9200)" 1

# --- a refused set makes no container ---------------------------------------
sh -c 'sleep 1000 & wait' &
busy=$!
child=$(wait_child_of $busy)
expect_refused "refused (EBUSY): the target has a child" EBUSY $busy 9300 $T write /proc/$busy/containerid 9300
kill "$child"
wait $busy
check_eq "refused: no drop for an ID no task ever held" "$(drops 9300)" 0

# --- module unload ------------------------------------------------------------
sleep 1000 &
held=$!
echo 9400 >/proc/$held/containerid
check "unload with a container that has a task" rmmod audit_contid
check_eq "unload: the container's end is logged" "$(drops 9400)" 1
check "load the module again" insmod /lib/modules/audit_contid.ko
kill $held
wait $held
check_eq "unload: nothing more when its task is reaped later" "$(drops 9400)" 1

finish
