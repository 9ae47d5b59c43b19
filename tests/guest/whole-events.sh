#!/bin/sh
# Every record of an event, or none: the CONTAINER_INFO record of a task
# with an ID is not lost on its own to the rate limit, to kauditd's hold
# queue while auditd is stopped, or to an allocation failure, and the rest
# of an event whose SYSCALL record was lost is not logged as the host's.
# What is lost is counted.  See docs/security.md (adversary: load and
# faults).
# shellcheck source=tests/lib/testlib.sh
. /usr/local/lib/testlib.sh
T=contid-test
mkdir -p /tmp/p5

lost() {
	auditctl -s | sed -n 's/^lost //p'
}

# whole KEY FILE: "EVENTS BROKEN" for the events of the watch KEY on FILE
# (a SYSCALL record with key=KEY or a PATH record naming FILE): how many
# the log has, and how many of them lack their SYSCALL or CONTAINER_INFO
# record.  (The key itself can be missing: with an allocation failure the
# kernel logs key=(null).)
whole() {
	awk -v key="key=\"$1\"" -v name="name=\"$2\"" '
	!match($0, /msg=audit\([0-9.]+:[0-9]+\)/) { next }
	{
		s = substr($0, RSTART + 10, RLENGTH - 11)
		if (!(s in seen)) { seen[s] = 1; order[++n] = s }
		recs[s] = recs[s] $0 "\n"
	}
	/^type=SYSCALL / { sys[s] = 1; if (index($0, key)) hit[s] = 1 }
	/^type=CONTAINER_INFO / { ci[s] = 1 }
	/^type=PATH / && index($0, name) { hit[s] = 1 }
	END {
		for (i = 1; i <= n; i++) {
			s = order[i]
			if (!(s in hit)) continue
			events++
			if (!(s in sys) || !(s in ci)) {
				broken++
				printf "INFO: broken event %s:\n%s", s, recs[s] >"/dev/stderr"
			}
		}
		print events + 0, broken + 0
	}' "$AUDIT_LOG"
}

# opens_for SECONDS FILE: a shell command that opens FILE for SECONDS.
opens_for() {
	echo "read -r up _ </proc/uptime; end=\$((\${up%.*} + $1));
	while :; do : <$2; read -r up _ </proc/uptime; [ \"\${up%.*}\" -lt \$end ] || break; done"
}

# --- the rate limit ------------------------------------------------------------
# 7 records a second; each event is 6 (SYSCALL, CONTAINER_INFO, CWD, PATH,
# PROCTITLE, EOE), so the cut falls anywhere in an event.
touch /tmp/p5/rate
check "watch /tmp/p5/rate" auditctl -w /tmp/p5/rate -p r -k p5rate
audit_sync
before=$(lost)
check "rate limit 7/s" auditctl -r 7
in_container 5501 sh -c "$(opens_for 4 /tmp/p5/rate)"
sleep 1.2
check "no rate limit" auditctl -r 0
audit_sync
r=$(whole p5rate /tmp/p5/rate)
set -- "${r% *}" "${r#* }"
check "rate limit: events were logged ($1)" test "$1" -gt 0
check_eq "rate limit: no event without its CONTAINER_INFO, no orphan PATH" "$2" 0
check "rate limit: the records it dropped are counted as lost" test "$(lost)" -gt "$before"

# --- kauditd's hold queue, auditd stopped ---------------------------------------
# With auditd gone, kauditd holds records up to the backlog limit and drops
# the rest.  Six limits in a row put the cut at every record of an event.
touch /tmp/p5/hold
check "watch /tmp/p5/hold" auditctl -w /tmp/p5/hold -p r -k p5hold
audit_sync
before=$(lost)
restarts=0
for limit in 30 31 32 33 34 35; do
	auditd_stop || break
	auditctl -b $limit >/dev/null
	in_container 5502 sh -c 'i=0; while [ $i -lt 12 ]; do : </tmp/p5/hold; i=$((i + 1)); done'
	auditctl -b 8192 >/dev/null
	auditd_start || break
	restarts=$((restarts + 1))
done
check_eq "auditd stopped and started again six times" "$restarts" 6
audit_sync
r=$(whole p5hold /tmp/p5/hold)
set -- "${r% *}" "${r#* }"
check "hold queue: events were logged ($1)" test "$1" -gt 0
check_eq "hold queue: no event without its CONTAINER_INFO, no orphan PATH" "$2" 0
check "hold queue: the records it dropped are counted as lost" test "$(lost)" -gt "$before"

# --- allocation failures (fail-nth) ------------------------------------------------
# The Nth slab allocation of the opening thread fails, for every N that
# falls in the open or in the records its event is logged with: among them
# the SYSCALL record's and the CONTAINER_INFO record's.
touch /tmp/p5/fail
check "watch /tmp/p5/fail" auditctl -w /tmp/p5/fail -p r -k p5fail
audit_sync
before=$(lost)
out=$(in_container 5503 $T fail-open /tmp/p5/fail 60)
echo "INFO: fail-open: $out"
check_match "fail-nth: faults were injected" "$out" '^tries=60 injected=[1-9]'
audit_sync
r=$(whole p5fail /tmp/p5/fail)
set -- "${r% *}" "${r#* }"
check "fail-nth: events were logged ($1)" test "$1" -gt 0
check_eq "fail-nth: no event without its CONTAINER_INFO, no orphan PATH" "$2" 0
check "fail-nth: the records that could not be made are counted as lost" test "$(lost)" -gt "$before"

finish
