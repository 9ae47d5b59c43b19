#!/bin/sh
# A short run of the fuzzer (contid-test fuzz): random writes, reads and
# rules while tasks fork, exec and exit and the module is unloaded and
# reloaded, some writes with a slab allocation made to fail.  The kernel
# must not report anything (vm-run and tests/run check the log and
# kmemleak), every write that reached the module must be recorded, or,
# with a fault, recorded or counted as lost, and no record may be lost
# without a fault.  scripts/soak runs a long one.
# shellcheck source=tests/lib/testlib.sh
. /usr/local/lib/testlib.sh

seconds=${FUZZ_SECONDS:-30}
seed=${FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
lost() {
	auditctl -s | sed -n 's/^lost //p'
}
lost_before=$(lost)
out=$(contid-test fuzz "$seconds" "$seed")
rc=$?
echo "$out" | sed 's/^/INFO: /'
check_eq "fuzz (seed $seed): every answer as expected" "$rc" 0
field() {
	echo "$out" | sed -n "s/.* $1=\([0-9]*\).*/\1/p" | tail -1
}
fpid=$(echo "$out" | sed -n 's/^fuzz: pid=\([0-9]*\) .*/\1/p')
check_match "fuzz: it did real work" "$(field writes):$(field reloads):$(field rules_added)" \
	'^[1-9][0-9]*:[1-9][0-9]*:[1-9][0-9]*$'
audit_sync
recs=$(grep -ac "type=CONTAINER msg=audit([0-9.:]*): op=set pid=$fpid " "$AUDIT_LOG")
lost=$(($(lost) - lost_before))
most=$(($(field recorded) + $(field maybe) + $(field faulted_due) + $(field faulted_maybe)))
check "fuzz: every write that reached the module is recorded ($recs records, $(field recorded) + up to $((most - $(field recorded))))" \
	test "$recs" -ge "$(field recorded)" -a "$recs" -le "$most"
check "fuzz: every faulted write the module answered is recorded or lost ($recs + $lost lost >= $(field recorded) + $(field faulted_due))" \
	test "$((recs + lost))" -ge "$(($(field recorded) + $(field faulted_due)))"
check "fuzz: faults were injected ($(field faulted))" test "$(field faulted)" -gt 0
check "fuzz: no record was lost but to a fault ($lost lost, $(field faulted) faults)" \
	test "$lost" -le "$(field faulted)"
check "fuzz: the module is loaded again" test -d /sys/module/audit_contid
check_eq "fuzz: no rule is left" "$(auditctl -l)" "No rules"
finish
