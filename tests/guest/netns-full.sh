#!/bin/sh
# A network namespace with more containers than it lists: it lists 16
# IDs, and the tasks of containers that come when the list is full are
# counted, not listed (unlisted=).  They cannot push a listed container
# out, the record says that its list is incomplete, a place freed by a
# container that leaves goes to the next one to come, and the list is
# whole again once the unlisted ones have left.  What the record says is
# the point: the counting paths themselves run on the test kernel
# (netns.sh).
# kernel: bench
# shellcheck source=tests/lib/testlib.sh
. /usr/local/lib/testlib.sh
T=contid-test
INFO_RE='type=(CONTAINER_INFO|UNKNOWN\[1350\]) '

# full_ids N: the sorted IDs of the last packet to 127.0.0.N and how many
# tasks it has unlisted ("A,B 0"); "none" without a CONTAINER_INFO record.
full_ids() {
	_s=$(stamps_of "type=NETFILTER_PKT .* daddr=127\\.0\\.0\\.$1 " | tail -1)
	_r=$(records_of "$_s" | grep -aE "$INFO_RE")
	if [ -z "$_s" ] || [ -z "$_r" ]; then
		echo "none"
		return
	fi
	_l=$(echo "$_r" | sed -nE 's/.*\): op=net netns=[0-9]+ contid=([0-9,?]+)( unlisted=([0-9]+))?$/\1 \3/p')
	echo "$(echo "${_l% *}" | tr , '\n' | sort -n | paste -sd, -) ${_l##* }" | sed 's/ $/ 0/'
}

# join_h ID...: a process of each container ID joins namespace H (one
# helper for all: it prints "ID PID" for each, then ready).
h_helpers=
join_h() {
	_f=/tmp/hjoin.$1
	$T containers-in "/proc/$h/ns/net" "$@" >"$_f" &
	h_helpers="$h_helpers $!"
	_i=0
	while ! grep -qx ready "$_f" && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	grep -qx ready "$_f" || fail "containers $* join H" "$(cat "$_f")"
}

# leave_h ID...: the process of each container ID in H is killed; wait
# until it is gone (reaped: it has left its namespaces).
leave_h() {
	for _n in "$@"; do
		_p=$(cat /tmp/hjoin.* | sed -n "s/^$_n //p")
		if [ -z "$_p" ]; then
			fail "container $_n leaves H" "no process of it"
			continue
		fi
		kill -9 "$_p"
		_i=0
		while [ -e "/proc/$_p" ] && [ $_i -lt 100 ]; do
			sleep 0.05
			_i=$((_i + 1))
		done
		[ ! -e "/proc/$_p" ] || fail "container $_n leaves H" "process $_p is still there"
	done
}

# A task of the host keeps H alive.
unshare -n sh -c 'echo ready >/tmp/h; exec sleep 1000' &
h=$!
wait_for_file /tmp/h
check "iptables -j AUDIT in namespace H" filter_udp "$h" 17

# shellcheck disable=SC2046  # the IDs, one word each
join_h $(seq 7201 7216)
send_udp "$h" 17
audit_sync
check_eq "16 containers, all listed" "$(full_ids 17)" "$(seq -s, 7201 7216) 0"
join_h 7217 7218
send_udp "$h" 17
audit_sync
check_eq "two more are counted as unlisted, none of the 16 is pushed out" \
	"$(full_ids 17)" "$(seq -s, 7201 7216) 2"
s=$(stamps_of 'type=NETFILTER_PKT .* daddr=127\.0\.0\.17 ' | tail -1)
records_of "$s" | sed 's/^/INFO: record: /'
check_eq "ausearch --containerid 7217 finds none of H's packets (its ID is not listed)" \
	"$(ausearch --containerid 7217 -m NETFILTER_PKT 2>/dev/null | grep -c 'daddr=127.0.0.17 ')" 0
check_match "ausearch --containerid 7216 finds them" \
	"$(ausearch --containerid 7216 -m NETFILTER_PKT 2>/dev/null)" 'daddr=127\.0\.0\.17 '
leave_h 7201
send_udp "$h" 17
audit_sync
check_eq "a listed container leaves; the unlisted ones stay unlisted" \
	"$(full_ids 17)" "$(seq -s, 7202 7216) 2"
join_h 7219
send_udp "$h" 17
audit_sync
check_eq "the next container to come takes the free place" \
	"$(full_ids 17)" "$(seq -s, 7202 7216),7219 2"
leave_h 7217 7218
send_udp "$h" 17
audit_sync
check_eq "the unlisted containers have left: the list is complete" \
	"$(full_ids 17)" "$(seq -s, 7202 7216),7219 0"
# shellcheck disable=SC2046
leave_h $(seq 7202 7216) 7219
send_udp "$h" 17
audit_sync
check_eq "every container has left" "$(full_ids 17)" none
# shellcheck disable=SC2086  # the pids, one word each
kill -9 "$h" $h_helpers
# shellcheck disable=SC2086
wait "$h" $h_helpers 2>/dev/null
finish
