# shellcheck shell=sh
# Guest side of a test batch (tests/run puts every selected guest test into
# one boot).  run_test NAME runs /run/suite/NAME.sh as scripts/vm-run would
# run it on its own: a fresh /tmp, a fresh audit log, no rules, the default
# backlog and rate settings, the module loaded; the processes it leaves
# behind are killed after it.  Its output is framed by "=== BEGIN NAME" and
# "=== END NAME STATUS" lines, and its start is marked in the kernel log so
# that a kernel report can be put down to the test that was running.

# shellcheck source=tests/lib/testlib.sh
. /usr/local/lib/testlib.sh

# fresh_auditd: stop auditd, start it again on an empty log.
fresh_auditd() {
	auditd_stop || return 1
	rm -f "$AUDIT_LOG"
	auditd_start
}

_user_pids() {
	for _d in /proc/[0-9]*; do
		[ -e "$_d/exe" ] && echo "${_d#/proc/}"
	done
}

run_test() {
	_name=$1
	echo "audit-contid-test: begin $_name" >/dev/kmsg
	auditctl -D >/dev/null 2>&1
	auditctl -e 1 >/dev/null 2>&1
	auditctl -b 8192 >/dev/null 2>&1
	auditctl -r 0 >/dev/null 2>&1
	auditctl --backlog_wait_time 60000 >/dev/null 2>&1
	[ -d /sys/module/audit_contid ] || insmod /lib/modules/audit_contid.ko
	echo "=== BEGIN $_name"
	if ! fresh_auditd; then
		echo "FAIL: $_name: auditd did not start again"
	fi
	_before=" $(_user_pids | tr '\n' ' ') "
	mount -t tmpfs tmpfs /tmp
	(cd /root && exec sh "/run/suite/$_name.sh" </dev/null 2>&1)
	_rc=$?
	_keep=$(auditd_pid)
	for _p in $(_user_pids); do
		case "$_before" in *" $_p "*) continue ;; esac
		[ "$_p" = "$_keep" ] || [ "$_p" = $$ ] || kill -9 "$_p" 2>/dev/null
	done
	umount -l /tmp
	# On a line of its own, even after output that ended without a newline.
	printf '\n=== END %s %s\n' "$_name" "$_rc"
	echo "audit-contid-test: end $_name" >/dev/kmsg
}
