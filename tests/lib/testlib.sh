# shellcheck shell=sh
# Helpers for guest test scripts (POSIX sh, busybox).  A script sources this
# file, reports each check with pass/fail (or the check_* helpers), and ends
# with `finish`.  tests/run counts the PASS:/FAIL: lines.

AUDIT_LOG=/var/log/audit/audit.log
_failed=0

pass() {
	echo "PASS: $1"
}

fail() {
	echo "FAIL: $1: $2"
	_failed=1
}

# check NAME CMD...: passes when CMD exits 0.
check() {
	_name=$1
	shift
	if _out=$("$@" 2>&1); then
		pass "$_name"
	else
		fail "$_name" "'$*' failed: $_out"
	fi
}

# check_eq NAME ACTUAL EXPECTED
check_eq() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "got '$2', expected '$3'"
	fi
}

# check_match NAME TEXT EXTENDED-REGEX
check_match() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then
		pass "$1"
	else
		fail "$1" "'$2' does not match /$3/"
	fi
}

# audit_sync: write a marker through the audit system and wait until auditd
# has logged it, so that every record emitted before is in the log too.
audit_sync() {
	_marker="sync-$$-$(cat /proc/sys/kernel/random/uuid)"
	auditctl -m "$_marker" || return 1
	_i=0
	while [ $_i -lt 200 ]; do
		grep -q "$_marker" "$AUDIT_LOG" && return 0
		sleep 0.05
		_i=$((_i + 1))
	done
	echo "audit_sync: marker $_marker never reached $AUDIT_LOG" >&2
	return 1
}

# auditd_pid: the pid of the registered audit daemon, 0 if there is none.
auditd_pid() {
	_ap=$(auditctl -s 2>/dev/null | sed -n 's/^pid //p')
	echo "${_ap:-0}"
}

# auditd_wait registered|gone: wait (at most 10 s) until the kernel has an
# audit daemon registered, or has none.
auditd_wait() {
	_ai=0
	while :; do
		case "$1:$(auditd_pid)" in
		registered:0 | gone:[1-9]*) ;;
		*) return 0 ;;
		esac
		_ai=$((_ai + 1))
		[ $_ai -lt 200 ] || return 1
		sleep 0.05
	done
}

# auditd_stop: stop auditd and wait (at most 10 s) until the kernel knows.
auditd_stop() {
	_ap=$(auditd_pid)
	[ "$_ap" = 0 ] && return 0
	kill "$_ap"
	auditd_wait gone
}

# auditd_start: start auditd (writing $AUDIT_LOG) and wait (at most 10 s)
# until it is registered.  It is not a job of the caller's shell, so that
# a bare `wait` does not wait for it.
auditd_start() {
	(auditd -n </dev/null >/dev/null 2>&1 &)
	auditd_wait registered
}

finish() {
	exit $_failed
}

# shellcheck disable=SC2034
UNSET=18446744073709551615

# container_records OPID: the AUDIT_CONTAINER records about process OPID
# ("any" for all of them).
container_records() {
	if [ "$1" = any ]; then
		grep -aE 'type=(CONTAINER|UNKNOWN\[1020\]) ' "$AUDIT_LOG"
	else
		grep -aE 'type=(CONTAINER|UNKNOWN\[1020\]) ' "$AUDIT_LOG" | grep -a " opid=$1 "
	fi
}

# mapping_records OP UUID: the VIRT_CONTROL mapping records (contid
# oci-hook) op=OP (start, stop) of the container whose OCI id is UUID.
mapping_records() {
	grep -a "^type=VIRT_CONTROL .*'virt=container op=$1 .* uuid=$2 " "$AUDIT_LOG"
}

# The container engines' tests (podman.sh, docker.sh).

# pid_of CMDLINE: the process whose command line is CMDLINE (space
# separated), waiting up to 60 s for it.
pid_of() {
	_i=0
	while [ $_i -lt 600 ]; do
		for _d in /proc/[0-9]*; do
			if [ "$(tr '\0' ' ' 2>/dev/null <"$_d/cmdline")" = "$1 " ]; then
				echo "${_d#/proc/}"
				return 0
			fi
		done
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# ppid_of PID
ppid_of() {
	sed -n 's/^PPid:[[:space:]]*//p' "/proc/$1/status"
}

# found_mkdirs KEY ID: the directories that the mkdir(2) calls of rule KEY
# that `ausearch --containerid ID` finds made.
found_mkdirs() {
	ausearch --containerid "$2" -k "$1" 2>/dev/null |
		sed -n 's/^type=PATH .* name="\([^"]*\)" .*nametype=CREATE.*/\1/p' | sort | paste -sd' '
}

# engine_run_d LABEL ENGINE NAME: ENGINE (a command with podman's and
# docker's command line) runs container NAME of $IMAGE detached, without
# a network, with an init that forks `sleep 1000`; checks that it started
# and that the init and its child have the ID derived from its id.  Sets
# cid (its id), id (the ID) and init (the init's pid).
engine_run_d() {
	cid=$($2 run -d --name "$3" --network=none "$IMAGE" sh -c 'sleep 1000 & wait' 2>"/tmp/$3.err")
	check_match "$1 run -d: the container started" "$cid" '^[0-9a-f]{64}$'
	[ -n "$cid" ] || echo "INFO: $1 run -d: $(cat "/tmp/$3.err")"
	id=$(/usr/local/bin/contid derive "$cid")
	init=$($2 inspect -f '{{.State.Pid}}' "$3")
	check_eq "$1 run: the container's init has the ID derived from its id" "$(contid "$init")" "$id"
	check_eq "$1 run: a process the init forked inherited it" "$(contid "$(pid_of "sleep 1000")")" "$id"
}

# engine_exec LABEL ENGINE NAME KEY: ENGINE's exec into container NAME of
# engine_run_d passes the exec'd process's exit status through, and the
# mkdir of an exec'd process (audited with KEY) is found by `ausearch
# --containerid` of the container's ID, the host's is not.
engine_exec() {
	check_eq "$1 exec: passes an exit status through" \
		"$($2 exec "$3" sh -c 'exit 9' >/dev/null 2>&1; echo $?)" 9
	$2 exec "$3" mkdir /tmp/made-by-exec
	mkdir /tmp/made-by-host
	audit_sync
	check_eq "ausearch --containerid finds the exec'd process's mkdir, and not the host's" \
		"$(found_mkdirs "$4" "$id")" /tmp/made-by-exec
}

# check_removed NAME: container NAME of engine_run_d (cid, id, init) has
# been removed: the trail has one mapping start record with its init and
# ID, one stop record and one end of the container.
check_removed() {
	audit_sync
	check_eq "mapping: one start record, with the container's init and ID" \
		"$(mapping_records start "$cid" | grep -c " vm-pid=$init contid=$id contid-from=derived runtime=\"runc\" ")" 1
	echo "INFO: the mapping records of $1: $(mapping_records start "$cid") $(mapping_records stop "$cid")"
	check_eq "mapping: one stop record" "$(mapping_records stop "$cid" | grep -c " contid=$id ")" 1
	check_eq "the container's end is logged once" \
		"$(container_records any | grep -ac " op=drop .*contid=$id res=1")" 1
}

# check_ended LABEL NAME KEY: container NAME, run with --rm and --cidfile
# /tmp/NAME.cid, made the directory /tmp/made-by-NAME (mkdir audited with
# KEY): `ausearch --containerid` finds that mkdir, and the trail has one
# mapping start and one stop record and one end of the container.
check_ended() {
	_cid=$(cat "/tmp/$2.cid" 2>/dev/null)
	_id=$(/usr/local/bin/contid derive "$_cid")
	audit_sync
	check_eq "$1: ausearch --containerid finds its mkdir" "$(found_mkdirs "$3" "$_id")" "/tmp/made-by-$2"
	check_eq "$1: one mapping start and one stop record, one end" \
		"$(mapping_records start "$_cid" | grep -c " contid=$_id ") $(mapping_records stop "$_cid" | grep -c " contid=$_id ") $(container_records any | grep -ac " op=drop .*contid=$_id res=1")" \
		"1 1 1"
}

# The packet tests' (netns.sh, netns-full.sh).

# filter_udp PID N: in PID's network namespace, bring up the loopback
# device and audit the UDP packets sent to 127.0.0.N on it (NETFILTER_PKT
# records name addresses, not ports).
filter_udp() {
	nsenter -n -t "$1" sh -c "ip link set lo up &&
		iptables -A OUTPUT -o lo -p udp -d 127.0.0.$2 -j AUDIT --type accept"
}

# send_udp PID N: send a packet to 127.0.0.N from PID's network namespace
# (the sender is on the host: it has no ID).
send_udp() {
	nsenter -n -t "$1" contid-test udp-send "127.0.0.$2" 9 ||
		fail "send a packet to 127.0.0.$2 in $1's namespace" "udp-send failed"
}

# count_records OPID FIXED-STRING
count_records() {
	container_records "$1" | grep -acF -- "$2"
}

# refused_count OPID TEXT: AUDIT_CONTAINER records about OPID with TEXT and
# res=0, once the log has caught up.
refused_count() {
	audit_sync
	count_records "$1" "$2 res=0"
}

# expect_refused NAME ERRNO OPID CONTID CMD...: CMD prints ERRNO, and a new
# AUDIT_CONTAINER record about OPID (or any) with contid=CONTID res=0 is
# logged.
expect_refused() {
	_n=$1
	_e=$2
	_o=$3
	_c=$4
	shift 4
	audit_sync
	_before=$(count_records "$_o" "contid=$_c res=0")
	_got=$("$@" 2>&1)
	check_eq "$_n: $_e" "$_got" "$_e"
	audit_sync
	_after=$(count_records "$_o" "contid=$_c res=0")
	check_eq "$_n: refusal recorded" "$_after" "$((_before + 1))"
}

# wait_for_file FILE [SECONDS]: wait until FILE exists and is not empty, at
# most SECONDS (default 10).
wait_for_file() {
	_i=0
	while [ ! -s "$1" ] && [ $_i -lt $((${2:-10} * 10)) ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ -s "$1" ]
}

# child_of PID: a child process of PID (nothing if it has none).
child_of() {
	grep -l "^PPid:[[:space:]]*$1\$" /proc/[0-9]*/status 2>/dev/null | head -1 | cut -d/ -f3
}

# wait_child_of PID: wait up to 10 s until PID has a child; print its pid.
wait_child_of() {
	_i=0
	_c=$(child_of "$1")
	while [ -z "$_c" ]; do
		_i=$((_i + 1))
		[ $_i -lt 100 ] || return 1
		sleep 0.1
		_c=$(child_of "$1")
	done
	echo "$_c"
}

# contid PID: the audit container ID of PID.
contid() {
	cat "/proc/$1/containerid"
}

# in_container ID CMD...: run CMD (in the foreground) in a new process whose
# audit container ID is set to ID before CMD starts.
in_container() {
	_id=$1
	shift
	in_container_bg "$_id" "$@"
	wait "$CPID"
}

# in_container_bg ID CMD...: the same in the background; CPID is its pid.
in_container_bg() {
	_id=$1
	shift
	_gate=/tmp/.gate.$$
	rm -f "$_gate"
	mkfifo "$_gate"
	contid-test gate "$_gate" "$@" &
	CPID=$!
	echo "$_id" >"/proc/$CPID/containerid"
	echo go >"$_gate"
	rm -f "$_gate"
}

# stamps_of REGEX: the time stamps ("1234.567:89") of the events that have a
# record matching REGEX, one a line.
stamps_of() {
	grep -aE -- "$1" "$AUDIT_LOG" | sed -n 's/.*msg=audit(\([0-9.]*:[0-9]*\)).*/\1/p' | sort -u
}

# records_of STAMP: every record of the event STAMP.
records_of() {
	grep -aF "msg=audit($1)" "$AUDIT_LOG"
}

# count_of REGEX [TEXT]: how many lines of TEXT (default: the log) match.
count_of() {
	if [ $# -gt 1 ]; then
		printf '%s\n' "$2" | grep -acE -- "$1"
	else
		grep -acE -- "$1" "$AUDIT_LOG"
	fi
}
