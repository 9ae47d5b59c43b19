#!/bin/sh
# Inheritance across fork, clone (threads) and exec, and thread groups set
# atomically.
# kernel: bench
# shellcheck source=tests/lib/testlib.sh
. /usr/local/lib/testlib.sh
T=contid-test

mkfifo /tmp/gate
$T gate /tmp/gate sh -c '
	cat /proc/self/containerid
	sh -c "cat /proc/self/containerid"
	contid-test threads 3 >/tmp/thr &
	t=$!
	while [ ! -s /tmp/thr ]; do sleep 0.05; done
	cat /proc/$t/task/*/containerid | sort -u
	ls /proc/$t/task | wc -l
	kill $t
' >/tmp/out &
p=$!
echo 700 >/proc/$p/containerid
echo go >/tmp/gate
wait $p
check_eq "kept across exec, inherited by fork+exec, by every thread" "$(tr -s ' ' </tmp/out)" "700
700
700
3"

# A multi-threaded target: every thread gets the ID, whichever thread's
# file is written.
$T threads 4 >/tmp/thr4 &
mt=$!
wait_for_file /tmp/thr4
check_eq "the target has 4 threads" "$(ls /proc/$mt/task | wc -l)" 4
echo 800 >/proc/$mt/containerid
check_eq "all threads have the ID" "$(cat /proc/$mt/task/*/containerid | sort -u)" 800

$T threads 3 >/tmp/thr3 &
mt2=$!
wait_for_file /tmp/thr3
tid=$(ls /proc/$mt2/task | grep -v "^$mt2\$" | head -1)
echo 801 >/proc/$mt2/task/$tid/containerid
check_eq "writing a non-leader thread sets the whole group" "$(cat /proc/$mt2/task/*/containerid | sort -u)" 801
audit_sync
check_eq "one record for the group" "$(count_records $mt2 'contid=801 res=1')" 1
expect_refused "the group is set once, through any thread" EEXIST $mt2 802 \
	$T write /proc/$mt2/containerid 802

kill $mt $mt2
finish
