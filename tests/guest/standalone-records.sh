#!/bin/sh
# Records a task makes itself, outside a syscall event or inside one,
# carry its audit container ID: a crash (ANOM_ABEND), a seccomp action
# (SECCOMP), a device made promiscuous (ANOM_PROMISCUOUS), a symlink
# refused (ANOM_LINK), changes of the audit configuration (CONFIG_CHANGE:
# a watch added, updated by a deletion and removed, audit_enabled set;
# FEATURE_CHANGE), an io_uring operation (URINGOP) and terminal input
# (AUDIT_TTY); and auditd's records of a signal (DAEMON_END,
# DAEMON_CONFIG) name the sender's container.  Each event has exactly one CONTAINER_INFO op=task with the
# container's ID (also when its SYSCALL record is logged too), and the same
# records of the host have none.
# kernel: bench
# shellcheck source=tests/lib/testlib.sh
. /usr/local/lib/testlib.sh
T=contid-test
INFO_RE='type=(CONTAINER_INFO|UNKNOWN\[1350\]) '

# check_info NAME STAMP ID: the event STAMP exists and has exactly one
# CONTAINER_INFO record, op=task contid=ID; with ID "-", none.
check_info() {
	_r=$(records_of "$2")
	if [ -z "$2" ] || [ -z "$_r" ]; then
		fail "$1: the record was logged" "no event"
		return
	fi
	if [ "$3" = - ]; then
		check_eq "$1: no CONTAINER_INFO" "$(count_of "$INFO_RE" "$_r")" 0
		return
	fi
	check_eq "$1: one CONTAINER_INFO in its event" "$(count_of "$INFO_RE" "$_r")" 1
	check_match "$1: ... with the container's ID" "$(echo "$_r" | grep -aE "$INFO_RE")" \
		"msg=audit\($2\): op=task contid=$3\$"
}

# show STAMP: the records of event STAMP, for the test's log.
show() {
	records_of "$1" | cut -d"$(printf '\035')" -f1 | sed 's/^/INFO: record: /'
}

# --- ANOM_ABEND: a crash ---------------------------------------------------
in_container 9500 sh -c 'kill -SEGV $$'
crashed=$CPID
sh -c 'kill -SEGV $$' &
host_crashed=$!
wait $host_crashed
audit_sync
check_info "crash in a container (ANOM_ABEND)" \
	"$(stamps_of "type=ANOM_ABEND .* pid=$crashed .*sig=11" | tail -1)" 9500
show "$(stamps_of "type=ANOM_ABEND .* pid=$crashed .*sig=11" | tail -1)"
check_match "ausearch --containerid 9500 finds the crash" \
	"$(ausearch --containerid 9500 2>/dev/null)" "type=ANOM_ABEND .* pid=$crashed .*sig=11"
check_info "crash on the host (ANOM_ABEND)" \
	"$(stamps_of "type=ANOM_ABEND .* pid=$host_crashed .*sig=11" | tail -1)" -

# --- SECCOMP: an action whose policy is to log ------------------------------
in_container 9501 $T seccomp-log >/tmp/sr.seccomp
sp=$(cat /tmp/sr.seccomp)
audit_sync
check_info "seccomp action in a container (SECCOMP)" \
	"$(stamps_of "type=SECCOMP .* pid=$sp .*syscall=110 .*code=0x7ffc0000" | tail -1)" 9501
show "$(stamps_of "type=SECCOMP .* pid=$sp .*syscall=110 " | tail -1)"
hp=$($T seccomp-log)
audit_sync
check_info "seccomp action on the host (SECCOMP)" \
	"$(stamps_of "type=SECCOMP .* pid=$hp .*syscall=110 " | tail -1)" -

# --- ANOM_PROMISCUOUS: a device of the container's network namespace --------
in_container 9502 unshare -n ip link set lo promisc on
audit_sync
check_info "promiscuous device in a container (ANOM_PROMISCUOUS)" \
	"$(stamps_of 'type=ANOM_PROMISCUOUS .*dev=lo prom=256 old_prom=0' | tail -1)" 9502

# --- rules exist from here: syscall events are logged with their records ---
check "a rule, so that syscall contexts are not dummies" \
	auditctl -a exit,always -F arch=b64 -S getpgid -k sr-none

# --- ANOM_LINK: a symlink that protected_symlinks refuses -------------------
echo 1 >/proc/sys/fs/protected_symlinks
mkdir -p /tmp/sr-sticky
chmod 1777 /tmp/sr-sticky
$T as-user 1000 ln -s /etc/hostname /tmp/sr-sticky/link
in_container 9503 cat /tmp/sr-sticky/link 2>/dev/null
check_eq "ANOM_LINK: following the link in the container failed" "$?" 1
audit_sync
s=$(stamps_of 'type=ANOM_LINK .*op=follow_link' | tail -1)
check_info "refused symlink in a container (ANOM_LINK)" "$s" 9503
check_eq "ANOM_LINK: its syscall's SYSCALL record is in the event too" \
	"$(records_of "$s" | grep -ac 'type=SYSCALL ')" 1

# --- CONFIG_CHANGE: the audit configuration changed from a container -------
mkdir -p /tmp/sr-dir
in_container 9504 auditctl -w /tmp/sr-dir/watched -p w -k sr-w
audit_sync
s=$(stamps_of 'type=CONFIG_CHANGE .*op=add_rule .*key="sr-w"' | tail -1)
check_info "a watch added in a container (CONFIG_CHANGE add_rule)" "$s" 9504
in_container 9504 auditctl -w /tmp/sr-kept -p w -k sr-k
in_container 9504 auditctl -W /tmp/sr-kept -p w -k sr-k
audit_sync
s=$(stamps_of 'type=CONFIG_CHANGE .*op=remove_rule .*key="sr-k"' | tail -1)
check_info "a watch removed in a container (CONFIG_CHANGE remove_rule)" "$s" 9504
show "$s"
check_eq "CONFIG_CHANGE: the SYSCALL of auditctl's request is in the event too" \
	"$(records_of "$s" | grep -ac 'type=SYSCALL ')" 1
# The watch's directory removed by a container removes the rule.
in_container 9504 rmdir /tmp/sr-dir
audit_sync
check_info "a watched directory removed in a container (CONFIG_CHANGE remove_rule)" \
	"$(stamps_of 'type=CONFIG_CHANGE .*op=remove_rule .*path="/tmp/sr-dir/watched"' | tail -1)" 9504
in_container 9504 auditctl -e 1 >/dev/null
audit_sync
check_info "audit_enabled set in a container (CONFIG_CHANGE)" \
	"$(stamps_of 'type=CONFIG_CHANGE .*op=set audit_enabled=1 old=1' | tail -1)" 9504
auditctl -e 1 >/dev/null
audit_sync
check_info "audit_enabled set on the host (CONFIG_CHANGE)" \
	"$(stamps_of 'type=CONFIG_CHANGE .*op=set audit_enabled=1 old=1' | tail -1)" -

# --- FEATURE_CHANGE ------------------------------------------------------------
check_eq "FEATURE_CHANGE: set only_unset_loginuid in a container" \
	"$(in_container 9505 $T set-feature 0 1)" ok
audit_sync
check_info "a feature changed in a container (FEATURE_CHANGE)" \
	"$(stamps_of 'type=FEATURE_CHANGE .*feature=only_unset_loginuid old=0 new=1' | tail -1)" 9505
check_eq "FEATURE_CHANGE: set it back on the host" "$($T set-feature 0 0)" ok

# --- URINGOP: an io_uring operation, done by an io_uring worker -------------
check_eq "URINGOP: a rule on the io_uring exit list" "$($T uring-rule add)" ok
: >/tmp/sr-uring
check_eq "URINGOP: an open in a container" \
	"$(in_container 9506 $T uring-open /tmp/sr-uring)" ok
audit_sync
check_info "an io_uring operation in a container (URINGOP)" \
	"$(stamps_of 'type=URINGOP .*uring_op=18 ' | tail -1)" 9506
show "$(stamps_of 'type=URINGOP .*uring_op=18 ' | tail -1)"
check_match "ausearch --containerid 9504 finds the configuration changes" \
	"$(ausearch --containerid 9504 -m CONFIG_CHANGE 2>/dev/null)" 'op=remove_rule .*key="sr-k"'
check_eq "URINGOP: the rule removed" "$($T uring-rule del)" ok

# --- AUDIT_TTY: input typed on a terminal, tty auditing on ------------------
# As pam_tty_audit does for a login: AUDIT_TTY_SET for the process, whose
# child reads a line from a pty; the record is flushed when it exits.
TTY_HEX=73722D7474792D696E  # "sr-tty-in"
in_container 9507 $T tty-audit sr-tty-in >/tmp/sr.tty
tp=$(cat /tmp/sr.tty)
audit_sync
check_info "tty input in a container (AUDIT_TTY)" \
	"$(stamps_of "type=TTY .* pid=$tp .*data=$TTY_HEX" | tail -1)" 9507
show "$(stamps_of "type=TTY .* pid=$tp " | tail -1)"
check_match "ausearch --containerid 9507 finds the tty input" \
	"$(ausearch --containerid 9507 -m TTY 2>/dev/null)" "type=TTY .* pid=$tp .*data=$TTY_HEX"
htp=$($T tty-audit sr-tty-in)
audit_sync
check_info "tty input on the host (AUDIT_TTY)" \
	"$(stamps_of "type=TTY .* pid=$htp .*data=$TTY_HEX" | tail -1)" -

# --- the sender of a signal to auditd ------------------------------------------
# auditd asks the kernel who signalled it (AUDIT_SIGNAL_INFO2) and names the
# sender's container in its DAEMON_END (stop) and DAEMON_CONFIG (reload)
# records; a sender on the host has no contid= there.
# wait_daemon TYPE REGEX: wait up to 10 s for a TYPE record of auditd's
# that matches REGEX, and print it.
wait_daemon() {
	_i=0
	while [ $_i -lt 100 ]; do
		_d=$(grep -a "^type=$1 " "$AUDIT_LOG" | grep -aE -- "$2" | tail -1)
		[ -n "$_d" ] && break
		sleep 0.1
		_i=$((_i + 1))
	done
	echo "$_d"
}
in_container 9702 kill -TERM "$(auditd_pid)"
sender=$CPID
auditd_wait gone
auditd_start
end=$(wait_daemon DAEMON_END "pid=$sender ")
check_match "DAEMON_END: auditd stopped by container 9702 names it" "$end" \
	"op=terminate auid=[0-9]+ uid=[0-9-]+ ses=[0-9]+ pid=$sender( subj=[^ ]*)? contid=9702 res=success"
echo "INFO: $end"
[ -n "$end" ] || echo "INFO: DAEMON_END records: $(grep -a '^type=DAEMON_END ' "$AUDIT_LOG" | tail -3)"
check_match "ausearch --containerid 9702 finds it" \
	"$(ausearch --containerid 9702 -m DAEMON_END 2>/dev/null)" "pid=$sender .*contid=9702 res=success"
in_container 9703 kill -HUP "$(auditd_pid)"
sender=$CPID
conf=$(wait_daemon DAEMON_CONFIG "pid=$sender ")
check_match "DAEMON_CONFIG: auditd reloaded by container 9703 names it" "$conf" \
	"op=reconfigure state=changed auid=[0-9]+ pid=$sender subj=[^ ]* contid=9703 res=success"
echo "INFO: $conf"
kill -TERM "$(auditd_pid)"
auditd_wait gone
auditd_start
hend=$(wait_daemon DAEMON_END "pid=$$ ")
check_match "DAEMON_END: auditd stopped from the host has no contid" "$hend" \
	"op=terminate .* pid=$$( subj=[^ ]*)? res=success"

auditctl -D >/dev/null
finish
