#!/usr/bin/env bash
# libauparse of the patched audit userspace (patch 0006) against an
# audit.log fragment: its own event grouping (what audisp plugins and
# auparse programs see) keeps a CONTAINER record with the SYSCALL record of
# its write, a message from userspace with its CONTAINER_INFO, and a record
# a task made itself with its CONTAINER_INFO and the syscall event it joined;
# the normalizer gives the ID as a subject attribute and normalizes such an
# event as the record it is; ausearch --format csv has the ID as its last
# column and --format text says "in container N"; the write that sets an ID
# is normalized as the setting of the target's ID.
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
. "$(dirname "$0")/../../scripts/lib/common.sh"
# shellcheck source=tests/lib/hostcheck.sh
. "$ROOT/tests/lib/hostcheck.sh"

"$ROOT/scripts/build-audit"
audit=$BUILD/audit/root
work=$BUILD/auparse-events
rm -rf "$work"
mkdir -p "$work"

gcc -Wall -Wextra -Werror -o "$work/events" "$ROOT/tests/host/auparse/events.c" \
	-I"$audit/usr/include" "$audit/usr/lib/libauparse.a" "$audit/usr/lib/libaudit.a"

# 501: the hook sets an ID (CONTAINER, then the write's SYSCALL).
# 502: a message from userspace of container 42.
# 503: a message from userspace of the host.
# 504: a process of container 9504 removes a watch: CONFIG_CHANGE, its
#      CONTAINER_INFO, then the syscall event that it joined.
# 505: a crash in container 9500 (ANOM_ABEND, CONTAINER_INFO).
# 506: a write in container 123456 (a syscall event).
# 507: auditd stops, past the end of event timeout.
log=$work/audit.log
cat >"$log" <<'EOF'
type=CONTAINER msg=audit(1700000040.100:501): op=set pid=610 uid=0 auid=4294967295 tty=(none) ses=4294967295 opid=620 old-contid=18446744073709551615 contid=4711 res=1
type=SYSCALL msg=audit(1700000040.100:501): arch=c000003e syscall=1 success=yes exit=5 a0=3 a1=7ffc1 a2=5 a3=0 items=0 ppid=600 pid=610 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm="contid" exe="/usr/local/bin/contid" key=(null)
type=USER msg=audit(1700000040.200:502): pid=950 uid=0 auid=4294967295 ses=4294967295 msg='text=hello exe="/usr/sbin/auditctl" hostname=? addr=? terminal=? res=success'
type=CONTAINER_INFO msg=audit(1700000040.200:502): op=task contid=42
type=USER msg=audit(1700000040.300:503): pid=960 uid=0 auid=0 ses=1 msg='text=on-host exe="/usr/sbin/auditctl" hostname=? addr=? terminal=pts0 res=success'
type=CONFIG_CHANGE msg=audit(1700000040.400:504): auid=4294967295 ses=4294967295 op=remove_rule key="sr-k" list=4 res=1
type=CONTAINER_INFO msg=audit(1700000040.400:504): op=task contid=9504
type=SYSCALL msg=audit(1700000040.400:504): arch=c000003e syscall=44 success=yes exit=1072 a0=4 a1=7ffe8b3ec2b0 a2=430 a3=0 items=0 ppid=2970 pid=3154 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm="auditctl" exe="/sbin/auditctl" key=(null)
type=SOCKADDR msg=audit(1700000040.400:504): saddr=100000000000000000000000
type=PROCTITLE msg=audit(1700000040.400:504): proctitle=617564697463746C
type=ANOM_ABEND msg=audit(1700000040.500:505): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=2973 comm="sh" exe="/bin/busybox" sig=11 res=1
type=CONTAINER_INFO msg=audit(1700000040.500:505): op=task contid=9500
type=SYSCALL msg=audit(1700000040.600:506): arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=7ffd3c1b2e6f a2=941 a3=1b6 items=1 ppid=707 pid=708 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm="touch" exe="/usr/bin/touch" key="k1"
type=CONTAINER_INFO msg=audit(1700000040.600:506): op=task contid=123456
type=PATH msg=audit(1700000040.600:506): item=0 name="/tmp/f1" inode=12 dev=00:1e mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=CREATE cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0
type=PROCTITLE msg=audit(1700000040.600:506): proctitle=746F756368002F746D702F6631
type=DAEMON_END msg=audit(1700000049.000:507): op=terminate auid=-1 uid=-1 ses=-1 pid=-1 subj=? res=success
EOF
events=$("$work/events" "$log")
ev() { sed -n "s/^$1: //p" <<<"$events"; }
check_eq "auparse: one event per serial" "$(cut -d: -f1 <<<"$events" | paste -sd ' ')" "501 502 503 504 505 506 507"
check_eq "auparse: the CONTAINER record and its write's SYSCALL record" "$(ev 501)" "CONTAINER SYSCALL"
check_eq "auparse: a message and its CONTAINER_INFO, the ID a subject attribute" "$(ev 502)" "USER CONTAINER_INFO | contid=42"
check_eq "auparse: a message of the host" "$(ev 503)" "USER"
check_eq "auparse: a configuration change with its CONTAINER_INFO and its syscall" \
	"$(ev 504)" "CONFIG_CHANGE CONTAINER_INFO SYSCALL SOCKADDR PROCTITLE | contid=9504"
check_eq "auparse: a crash with its CONTAINER_INFO" "$(ev 505)" "ANOM_ABEND CONTAINER_INFO | contid=9500"
check_eq "auparse: a syscall event" "$(ev 506)" "SYSCALL CONTAINER_INFO PATH PROCTITLE | contid=123456"

csv=$("$audit/sbin/ausearch" -if "$log" --format csv 2>"$work/csv.err" || true)
check_eq "csv: the last column is CONTAINER_ID" "$(head -1 <<<"$csv" | awk -F, '{print $NF}')" CONTAINER_ID
col() { awk -F, -v s="$1" '$5 == s {print $NF}' <<<"$csv"; }
check_eq "csv: the ID of a container's syscall event" "$(col 506)" 123456
check_eq "csv: the ID of a container's message" "$(col 502)" 42
check_eq "csv: the ID of a container's crash" "$(col 505)" 9500
check_eq "csv: none for the host" "$(col 503)" ""
check_eq "csv: a message with its CONTAINER_INFO is normalized as a message" \
	"$(awk -F, '$5 == 502 {print $11}' <<<"$csv")" sent-message
check_eq "csv: a set is a configuration event, its action and object the set and the target" \
	"$(awk -F, '$5 == 501 {print $6, $11, $12, $13, $15}' <<<"$csv")" "configuration set-audit-container-id success 620 process"
check_eq "csv: no event failed to normalize" "$(grep -c 'error normalizing' "$work/csv.err" || true)" 0
check_eq "csv: every line has the header's number of columns" \
	"$(awk -F, '{print NF}' <<<"$csv" | sort -u)" 17
text=$("$audit/sbin/ausearch" -if "$log" --format text 2>/dev/null || true)
check_eq "text: says the container of a syscall event" \
	"$(grep -c '^At .* system in container 123456, acting as root, successfully opened-file /tmp/f1 ' <<<"$text")" 1
check_eq "text: a set" "$(grep -c 'successfully set-audit-container-id 620 using /usr/local/bin/contid' <<<"$text")" 1
check_eq "text: ... and of a message" "$(grep -c ' in container 42, .*sent-message' <<<"$text")" 1
check_eq "text: not for the host" "$(grep -c 'root successfully sent-message' <<<"$text")" 1
checks_done
