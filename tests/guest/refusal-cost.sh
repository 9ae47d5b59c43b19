#!/bin/sh
# A refusal for lack of privilege is cheap (section 2 of the trust
# properties, docs/security.md): the write is refused and recorded before
# the module takes its set mutex, so unprivileged writers cannot contend
# for it.  The instrument is the test kernel's lockdep.
# shellcheck source=tests/lib/testlib.sh
. /usr/local/lib/testlib.sh
T=contid-test

# The set mutex is taken only by writers that passed the privilege check.
# Lockdep registers a lock class when the lock is first taken (and drops
# the classes of a module that is unloaded): with a freshly loaded module,
# /proc/lockdep lists the set mutex only once a writer has taken it.
set_lock_used() {
	grep -c 'FD:.* audit_contid_set$' /proc/lockdep
}
check "reload the module" sh -c 'rmmod audit_contid && insmod /lib/modules/audit_contid.ko'
sleep 1000 &
v=$!
check_eq "a fresh module has not taken its set mutex" "$(set_lock_used)" 0
i=0
refused=0
while [ $i -lt 20 ]; do
	[ "$($T drop-cap $T write /proc/$v/containerid 77)" = EPERM ] && refused=$((refused + 1))
	i=$((i + 1))
done
check_eq "20 writes without CAP_AUDIT_CONTROL: 20 EPERM" "$refused" 20
check_eq "... and all 20 are recorded" "$(refused_count "$v" "contid=77")" 20
check_eq "... none of them took the set mutex" "$(set_lock_used)" 0
check_eq "a privileged write" "$($T write /proc/$v/containerid 78)" ok
check_eq "... takes it" "$(set_lock_used)" 1
kill $v
finish
