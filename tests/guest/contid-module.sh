#!/bin/sh
# The module's absence, unload with IDs set and tasks forking, and reload.
# shellcheck source=tests/lib/testlib.sh
. /usr/local/lib/testlib.sh
T=contid-test

sleep 1000 &
s=$!
check "rmmod" rmmod audit_contid
check "the file exists without the module" test -e /proc/$s/containerid
check_eq "write without the module: EOPNOTSUPP" "$($T write /proc/$s/containerid 5)" EOPNOTSUPP
check_eq "read without the module: EOPNOTSUPP" "$($T read /proc/$s/containerid)" EOPNOTSUPP
check "insmod" insmod /lib/modules/audit_contid.ko
check_eq "works again after insmod" "$($T write /proc/$s/containerid 5)" ok

# IDs on single- and multi-threaded tasks, and a container that forks
# and execs continuously while the module goes away.
$T threads 4 >/tmp/thr &
mt=$!
wait_for_file /tmp/thr
echo 10 >/proc/$mt/containerid
mkfifo /tmp/gate
$T gate /tmp/gate sh -c 'while :; do sh -c true; done' &
churn=$!
echo 11 >/proc/$churn/containerid
echo go >/tmp/gate
sleep 1
check_eq "the churning container has its ID" "$(contid $churn)" 11
check "rmmod while IDs are set and tasks fork" rmmod audit_contid
check "insmod after that" insmod /lib/modules/audit_contid.ko
check_eq "IDs set before unload are gone (single thread)" "$(contid $s)" "$UNSET"
check_eq "... (every thread)" "$(cat /proc/$mt/task/*/containerid | sort -u)" "$UNSET"
check_eq "... (the churning container)" "$(contid $churn)" "$UNSET"
check_eq "IDs can be set again after reload" "$($T write /proc/$mt/containerid 12)" ok
check_eq "... on every thread" "$(cat /proc/$mt/task/*/containerid | sort -u)" 12

for i in 1 2 3 4 5; do
	rmmod audit_contid || fail "unload cycle $i" "rmmod failed"
	insmod /lib/modules/audit_contid.ko || fail "unload cycle $i" "insmod failed"
done
pass "five unload/reload cycles while a container forks"
kill $churn $mt $s
wait 2>/dev/null
finish
