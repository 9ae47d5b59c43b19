#!/bin/sh
# The module loads at boot, unloads and loads again.
# shellcheck source=tests/lib/testlib.sh
. /usr/local/lib/testlib.sh

check "module loaded at boot" test -d /sys/module/audit_contid
check_match "module announced itself" "$(dmesg | grep audit_contid)" 'audit_contid: loaded'
check "rmmod succeeds" rmmod audit_contid
check "module gone after rmmod" test ! -d /sys/module/audit_contid
check "insmod again succeeds" insmod /lib/modules/audit_contid.ko
check "module back after reload" test -d /sys/module/audit_contid
for i in 1 2 3; do
	if ! rmmod audit_contid || ! insmod /lib/modules/audit_contid.ko; then
		fail "reload cycle $i" "failed"
	fi
done
check "module loaded after three reload cycles" test -d /sys/module/audit_contid
finish
