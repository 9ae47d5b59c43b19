#!/bin/sh
# Races: concurrent writers on one target, writers against fork and exit,
# with fork/exit churn in the background.  vm-run checks that the kernel
# log stays clean and that kmemleak finds nothing afterwards.
# shellcheck source=tests/lib/testlib.sh
. /usr/local/lib/testlib.sh
T=contid-test

sleep 1000 &
t=$!
check_eq "8 racing writers: exactly one wins" "$($T race $t 8)" "ok=1 EEXIST=7 other="
audit_sync
check_eq "... and all 8 attempts are recorded" "$(container_records $t | wc -l)" 8
check_eq "... one of them as a success" "$(count_records $t 'res=1')" 1
check_match "the winner's ID is the one set" "$(contid $t)" '^100[0-7]$'

out=$($T stress 12)
rc=$?
echo "$out" | head -5
check_eq "stress run: no failures" "$rc" 0
check_match "stress run did real work" "$out" 'iterations=[1-9][0-9]*'

# Everything must still be recorded: the stress run's writes all produced
# records (two racing writers, a fork race and an exit race per iteration).
audit_sync
iters=$(echo "$out" | sed -n 's/.*iterations=\([0-9]*\).*/\1/p')
gone=$(echo "$out" | sed -n 's/.*exit_race_gone=\([0-9]*\).*/\1/p')
recs=$(container_records any | wc -l)
# At most the exit-race writes that found /proc/PID gone have no record.
check "every attempt that reached the module was recorded" \
	test "$recs" -ge $((8 + iters * 4 - gone))
check_eq "no audit record was lost" "$(auditctl -s | sed -n 's/^lost //p')" 0
kill $t
finish
