#!/bin/sh
# The guest side of scripts/bench: one boot of the stock or the bench
# kernel.  scripts/bench puts a header in front of this file that sets
# KERNEL (stock or bench), ROUNDS and SCALE (a divisor of the loop counts).
# Every figure is printed as "R CONFIG NAME VALUE" (VALUE in ns, or bytes
# for the memory figures); scripts/bench computes medians and ratios.
#
# Configurations: on the stock kernel, "stock" (audit enabled, the series
# absent); on the bench kernel, "unloaded" (the series, no module),
# "loaded" (the module, the task has no ID) and "id" (the task has one).
# Within a round the configurations take turns, in an order that rotates
# from round to round, so that drifts of the host hit them alike.
# shellcheck source=tests/lib/testlib.sh
. /usr/local/lib/testlib.sh
B=contid-bench
MOD=/lib/modules/audit_contid.ko
WATCHED=/tmp/bench-watched
ID=2000000

n() {
	echo $(($1 / SCALE))
}

# result CONFIG: prefix contid-bench's "RESULT NAME VALUE ns" lines.
result() {
	sed -n "s/^RESULT \([^ ]*\) \([0-9.]*\) ns\$/R $1 \1 \2/p"
}

module_loaded() {
	[ -d /sys/module/audit_contid ]
}

# config NAME: switch to a configuration.
config() {
	case "$1" in
	unloaded) ! module_loaded || rmmod audit_contid ;;
	loaded | id) module_loaded || insmod $MOD ;;
	esac
}

# as CONFIG NAME WORKLOAD...: run a workload as the configuration's task
# (a task with a fresh ID for "id"), its figure named NAME ("-": the
# workload's own name).  Never call it in a pipeline: ID must count up.
as() {
	_c=$1
	_n=$2
	shift 2
	if [ "$_c" = id ]; then
		ID=$((ID + 1))
		set -- --contid $ID "$@"
	fi
	if [ "$_n" = - ]; then
		$B "$@" | result "$_c"
	else
		$B "$@" | result "$_c" | sed "s/^R $_c [^ ]* /R $_c $_n /"
	fi
}

all_configs=stock
[ "$KERNEL" = stock ] || all_configs="unloaded loaded id"

# rotated: the configurations, in an order that rotates by one each round,
# so that no configuration always runs first or last.
rotated() {
	# shellcheck disable=SC2086
	set -- $all_configs
	_r=$((round % $#))
	while [ $_r -gt 0 ]; do
		_f=$1
		shift
		set -- "$@" "$_f"
		_r=$((_r - 1))
	done
	echo "$@"
}

clear_log() {
	: >/var/log/audit/audit.log
}

# use_drain: stop auditd and make contid-bench drain the audit daemon;
# use_auditd: the other way round (auditd_* from the tests' library).
use_drain() {
	auditd_stop || { echo "use_drain: auditd did not stop" >&2; return 1; }
	$B drain >/tmp/drain.out &
	DRAIN=$!
	auditd_wait registered || { echo "use_drain: drain did not register" >&2; return 1; }
}

use_auditd() {
	kill "$DRAIN"
	wait "$DRAIN" 2>/dev/null
	# The kernel notices a daemon that died without saying so only when it
	# next sends it a record: make one (a CONFIG_CHANGE).
	auditctl -e 1 >/dev/null
	auditd_wait gone || { echo "use_auditd: the kernel kept drain" >&2; return 1; }
	auditd_start || { echo "use_auditd: auditd did not start" >&2; return 1; }
}

auditctl -D >/dev/null
auditctl -e 1 >/dev/null
auditctl -r 0 >/dev/null
auditctl -b 8192 >/dev/null
auditctl --backlog_wait_time 60000 >/dev/null
touch $WATCHED

# rules KIND COUNT: COUNT exit-list rules on getppid that never match,
# comparing containerid or uid.
rules() {
	_i=0
	while [ $_i -lt "$2" ]; do
		auditctl -a exit,always -F arch=b64 -S getppid -F "$1=$((900000 + _i))" || return 1
		_i=$((_i + 1))
	done
}

round=0
while [ $round -lt "$ROUNDS" ]; do
	round=$((round + 1))
	echo "round $round" >&2
	configs=$(rotated)
	# --- process life and syscalls, audit enabled, no rules ----------------
	for c in $configs; do
		config "$c"
		as "$c" - fork "$(n 1000)"
		as "$c" - vfork-exec "$(n 250)"
		as "$c" - thread "$(n 1000)"
		as "$c" - null "$(n 100000)"
	done
	# --- audited events: a watch, and a syscall rule ------------------------
	# Each through two consumers: auditd writing the log (what a user runs:
	# events per second through the daemon) and contid-bench drain, which
	# discards every record (what the kernel spends per event).  A backlog
	# of 64 records makes the workload wait for its consumer, so that the
	# time covers the consumption of all but the last few events.
	for c in $configs; do
		config "$c"
		for consumer in auditd drain; do
			suffix=
			if [ $consumer = drain ]; then
				use_drain || exit 1
				suffix=-drain
			fi
			auditctl -b 64 >/dev/null
			auditctl -w $WATCHED -p r -k benchwatch
			as "$c" "open-watched$suffix" open $WATCHED "$(n 1000)"
			auditctl -D >/dev/null
			auditctl -a exit,always -F arch=b64 -S getppid -k benchsys
			as "$c" "null-audited$suffix" null "$(n 1000)"
			auditctl -D >/dev/null
			auditctl -b 8192 >/dev/null
			[ $consumer = auditd ] || use_auditd || exit 1
		done
		clear_log
	done
	# --- rule evaluation: 1, 10, 100 rules that never match ------------------
	for c in $configs; do
		[ "$c" != unloaded ] || continue
		config "$c"
		for count in 1 10 100; do
			kinds=uid
			[ "$c" = stock ] || kinds="uid containerid"
			for kind in $kinds; do
				rules "$kind" $count >/dev/null || echo "rules $kind $count failed" >&2
				as "$c" "rules-$kind-$count" null "$(n 50000)"
				auditctl -D >/dev/null
			done
		done
	done
	# --- set latency, by the number of threads of the target -------------------
	if [ "$KERNEL" = bench ]; then
		config loaded
		for threads in 1 5 100 1000; do
			BENCH_ID_BASE=$((3000000 + round * 100000 + threads * 10)) \
				$B set $threads "$(n 20)" | result loaded
		done
	fi
done

# hold_bg THREADS [ID]: a process of THREADS threads (with ID, or without
# one) in the background, once it is ready; HELD collects the pids of the
# contid-bench processes and of the processes that hold the threads.
HELD=
held=0
hold_bg() {
	held=$((held + 1))
	_f=/tmp/hold.$held
	if [ $# -gt 1 ]; then
		$B hold "$1" "$2" >"$_f" &
	else
		$B park "$1" >"$_f" &
	fi
	HELD="$HELD $!"
	_i=0
	until grep -q '^ready' "$_f" 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -lt 6000 ] || { echo "hold $*: never ready" >&2; return 1; }
		sleep 0.05
	done
	LAST=$(sed -n 's/^ready //p' "$_f")
	HELD="$HELD $LAST"
}

release() {
	# shellcheck disable=SC2086
	kill -9 $HELD 2>/dev/null
	wait 2>/dev/null
	HELD=
	rm -f /tmp/hold.*
	sleep 1
}

# add_cache DIR: add to _t the memory of the slab cache DIR of
# /sys/kernel/slab (its objects times their size in the slab, metadata
# included).  The cache is shrunk first: that hands its per-CPU slabs back
# to its lists, without which "objects" does not see the objects allocated
# from them.
add_cache() {
	echo 1 >"$1/shrink"
	read -r _o _ <"$1/objects"
	read -r _s <"$1/slab_size"
	_t=$((_t + _o * _s))
}

# slab_bytes: the same over every slab cache (an alias is a link to a
# cache that is listed too).
slab_bytes() {
	_t=0
	for _d in /sys/kernel/slab/*; do
		[ -L "$_d" ] || add_cache "$_d"
	done
	echo $_t
}

# caches_bytes NAME...: the same over the distinct caches the names are
# (a merged cache is one directory that several names link to); 0 for a
# name that does not exist.
caches_bytes() {
	_seen=" "
	_t=0
	for _n in "$@"; do
		_d=$(readlink -f "/sys/kernel/slab/$_n" 2>/dev/null) || continue
		[ -d "$_d" ] || continue
		case "$_seen" in *" $_d "*) continue ;; esac
		_seen="$_seen$_d "
		add_cache "$_d"
	done
	echo $_t
}

kmalloc_names() {
	for _d in /sys/kernel/slab/kmalloc-*; do
		echo "${_d##*/}"
	done
}

# mem CONFIG NAME COUNT CMD...: the slab bytes that CMD's processes add,
# per COUNT: in all caches (NAME), in the module's per-task cache
# (NAME-object) and in the kmalloc caches, where the containers are
# (NAME-kmalloc).  The processes are released afterwards.
mem() {
	_mc=$1
	_mn=$2
	_mk=$3
	shift 3
	sync
	echo 2 >/proc/sys/vm/drop_caches
	_b1=$(slab_bytes)
	_b2=$(caches_bytes audit_task_info)
	# shellcheck disable=SC2046
	_b3=$(caches_bytes $(kmalloc_names))
	"$@" || { release; return 1; }
	sleep 1
	_a1=$(slab_bytes)
	_a2=$(caches_bytes audit_task_info)
	# shellcheck disable=SC2046
	_a3=$(caches_bytes $(kmalloc_names))
	release
	echo "R $_mc $_mn $(((_a1 - _b1) / _mk))"
	echo "R $_mc $_mn-object $(((_a2 - _b2) / _mk))"
	echo "R $_mc $_mn-kmalloc $(((_a3 - _b3) / _mk))"
}

# procs N [ID]: N processes of one thread, each with ID, or each with an ID
# of its own.
procs() {
	_j=0
	while [ $_j -lt "$1" ]; do
		hold_bg 1 "${2:-$((5000000 + round * 10000 + _j))}" || return 1
		_j=$((_j + 1))
	done
}

if [ "$KERNEL" = bench ]; then
	# --- memory --------------------------------------------------------------
	echo "memory" >&2
	m=$(n 500)
	p=$(n 100)
	round=0
	while [ $round -lt 3 ]; do
		round=$((round + 1))
		config unloaded
		mem unloaded mem-task "$m" hold_bg "$m"
		config loaded
		mem loaded mem-task "$m" hold_bg "$m"
		mem id mem-task "$m" hold_bg "$m" $((4000000 + round))
		mem id mem-proc-one-container "$p" procs "$p" $((4100000 + round))
		mem id mem-proc-own-container "$p" procs "$p"
	done
	if [ -r /sys/kernel/slab/audit_task_info/slab_size ]; then
		echo "R id mem-slab-size $(cat /sys/kernel/slab/audit_task_info/slab_size)"
	fi

	# --- unload with many tasks holding IDs --------------------------------------
	echo "unload" >&2
	echo 100000 >/proc/sys/kernel/threads-max
	echo 131072 >/proc/sys/kernel/pid_max
	config loaded
	$B unload audit_contid | result no-tasks
	config loaded
	t=$(n 10000)
	hold_bg "$t" 6000000
	got=$(cat /proc/"$LAST"/task/*/containerid | sort -u)
	[ "$got" = 6000000 ] || echo "unload: not every thread holds the ID ($got)" >&2
	echo "R id unload-tasks $(find /proc/"$LAST"/task -mindepth 1 -maxdepth 1 | wc -l)"
	$B unload audit_contid | result "tasks-$t"
	release
fi
echo "bench done" >&2
