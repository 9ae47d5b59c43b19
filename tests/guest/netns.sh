#!/bin/sh
# Network namespaces know the audit container IDs of their tasks, and a
# packet's NETFILTER_PKT record (iptables -j AUDIT, nftables' log level
# audit) has a CONTAINER_INFO op=net record, same serial, that lists
# them: two containers sharing one namespace (as the containers of a pod
# do) and one in another, a packet between the two namespaces over a veth
# pair, a task that joins (setns) or creates (unshare) a namespace, one
# that forks or runs threads, an ID set on a task already in a namespace;
# the list shrinks as tasks leave and exit, and a containerid exclude rule
# does not judge packets by whatever task is at hand (a namespace with
# more containers than it lists: netns-full.sh).  On the test kernel:
# the counting runs under tasklist_lock and task locks, which lockdep
# watches, and the packet path in softirq.
# kernel: test
# shellcheck source=tests/lib/testlib.sh
. /usr/local/lib/testlib.sh
T=contid-test
INFO_RE='type=(CONTAINER_INFO|UNKNOWN\[1350\]) '

# netns_of PID: the inode number of PID's network namespace.
netns_of() {
	readlink "/proc/$1/ns/net" | tr -dc 0-9
}

# wait_released PID: wait until every thread of PID has left its
# namespaces (exited: a zombie, or gone).
wait_released() {
	_i=0
	while [ $_i -lt 100 ] && cat /proc/"$1"/task/*/stat 2>/dev/null | grep -qv ') Z '; do
		sleep 0.05
		_i=$((_i + 1))
	done
}

# event_ids STAMP: the namespace and sorted IDs of the op=net record of
# the packet event STAMP ("NETNS A,B"), or "none" if it has no
# CONTAINER_INFO record; "no packet" if there is no such event.
event_ids() {
	_s=$1
	if [ -z "$_s" ]; then
		echo "no packet"
		return
	fi
	_r=$(records_of "$_s" | grep -aE "$INFO_RE")
	if [ -z "$_r" ]; then
		echo none
		return
	fi
	if [ "$(echo "$_r" | grep -c .)" -ne 1 ]; then
		echo "$(echo "$_r" | grep -c .) records"
		return
	fi
	echo "$_r" | sed -n 's/.*): op=net netns=\([0-9]*\) contid=\([0-9,]*\)$/\1 \2/p' |
		awk '{ n = split($2, a, ","); s = ""; for (i = 1; i <= n; i++) b[i] = a[i] + 0;
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (b[j] < b[i]) { t = b[i]; b[i] = b[j]; b[j] = t }
			for (i = 1; i <= n; i++) s = s (i > 1 ? "," : "") b[i]; print $1, s }'
}

# packet_ids N: event_ids of the last packet to 127.0.0.N.
packet_ids() {
	event_ids "$(stamps_of "type=NETFILTER_PKT .* daddr=127\\.0\\.0\\.$1 " | tail -1)"
}

# --- two containers share a namespace, a third has its own ---------------
# Container 7101 creates namespace A (unshare), 7102 joins it (setns).
in_container_bg 7101 unshare -n sh -c 'echo ready >/tmp/a; exec sleep 1000'
a=$CPID
wait_for_file /tmp/a
in_container_bg 7102 nsenter -n -t "$a" sh -c 'echo ready >/tmp/b; exec sleep 1000'
b=$CPID
wait_for_file /tmp/b
in_container_bg 7103 unshare -n sh -c 'echo ready >/tmp/c; exec sleep 1000'
c=$CPID
wait_for_file /tmp/c
# A task of the host keeps namespace A alive to the end.
nsenter -n -t "$a" sleep 1000 &
holder=$!
na=$(netns_of "$a")
nc_=$(netns_of "$c")
check_eq "7102 is in 7101's network namespace" "$(netns_of "$b")" "$na"
check "7103 has a network namespace of its own" test "$nc_" != "$na" -a "$nc_" != "$(netns_of $$)"
check "iptables -j AUDIT in namespace A" filter_udp "$a" 11
check "iptables -j AUDIT in namespace C" filter_udp "$c" 13
check "iptables -j AUDIT on the host" filter_udp $$ 19

send_udp "$a" 11
send_udp "$c" 13
send_udp $$ 19
audit_sync
check_eq "a packet in A names both containers of A" "$(packet_ids 11)" "$na 7101,7102"
check_eq "a packet in C names 7103 only" "$(packet_ids 13)" "$nc_ 7103"
check_eq "a packet in the host's namespace, where no task has an ID, has none" \
	"$(packet_ids 19)" none
s=$(stamps_of "type=NETFILTER_PKT .* daddr=127\\.0\\.0\\.11 " | tail -1)
records_of "$s" | sed 's/^/INFO: record: /'
check_eq "the op=net record follows its NETFILTER_PKT record" \
	"$(records_of "$s" | awk '{ print $1 }' | paste -sd' ')" \
	"type=NETFILTER_PKT $(records_of "$s" | grep -aoE "$INFO_RE" | tr -d ' ')"
check_match "ausearch --containerid 7102 finds A's packet" \
	"$(ausearch --containerid 7102 -m NETFILTER_PKT 2>/dev/null)" "type=NETFILTER_PKT .* daddr=127\\.0\\.0\\.11 "
check_eq "ausearch --containerid 7103 does not find A's packet" \
	"$(ausearch --containerid 7103 -m NETFILTER_PKT 2>/dev/null | grep -c 'daddr=127.0.0.11 ')" 0
check_match "ausearch --containerid 7103 finds C's packet" \
	"$(ausearch --containerid 7103 -m NETFILTER_PKT 2>/dev/null)" "type=NETFILTER_PKT .* daddr=127\\.0\\.0\\.13 "

# --- nftables' "log level audit" -------------------------------------------
check "nft: a rule that logs C's packets to 127.0.0.23 to the audit log" \
	nsenter -n -t "$c" sh -c "nft add table ip audit_t &&
	nft add chain ip audit_t out '{ type filter hook output priority 0; }' &&
	nft add rule ip audit_t out ip daddr 127.0.0.23 log level audit"
send_udp "$c" 23
audit_sync
check_eq "nft: the packet's record names container 7103" "$(packet_ids 23)" "$nc_ 7103"

# --- a packet between the namespaces, over a veth pair ----------------------
# It leaves A (OUTPUT, in the sender's context) and enters C (INPUT, in
# softirq): each of its two records names the containers of its own
# namespace.  iproute2's ip by its path: busybox's sh prefers its own
# applet, which cannot create veth pairs.
check "a veth pair between A and C" sh -c "/sbin/ip link add va type veth peer name vc &&
	/sbin/ip link set va netns $a && /sbin/ip link set vc netns $c"
check "... with addresses" sh -c "
	nsenter -n -t $a sh -c '/sbin/ip addr add 10.0.0.1/24 dev va && /sbin/ip link set va up' &&
	nsenter -n -t $c sh -c '/sbin/ip addr add 10.0.0.3/24 dev vc && /sbin/ip link set vc up'"
check "iptables -j AUDIT of A's packets to C" \
	nsenter -n -t "$a" iptables -A OUTPUT -o va -p udp -d 10.0.0.3 -j AUDIT --type accept
check "iptables -j AUDIT of C's packets from A" \
	nsenter -n -t "$c" iptables -A INPUT -i vc -p udp -s 10.0.0.1 -j AUDIT --type accept
check "a packet from A to C" nsenter -n -t "$a" $T udp-send 10.0.0.3 9
# The packet waits for the neighbour's address before it enters C.
i=0
while [ "$(stamps_of 'type=NETFILTER_PKT .* daddr=10\.0\.0\.3 ' | grep -c .)" -lt 2 ] && [ $i -lt 50 ]; do
	sleep 0.1
	audit_sync
	i=$((i + 1))
done
check_eq "it is logged leaving A with A's containers, entering C with C's" \
	"$(for st in $(stamps_of 'type=NETFILTER_PKT .* daddr=10\.0\.0\.3 '); do event_ids "$st"; done | sort)" \
	"$(printf '%s\n' "$na 7101,7102" "$nc_ 7103" | sort)"
for st in $(stamps_of 'type=NETFILTER_PKT .* daddr=10\.0\.0\.3 '); do
	records_of "$st" | sed 's/^/INFO: record: /'
done
check_match "ausearch --containerid 7103 finds it entering C" \
	"$(ausearch --containerid 7103 -m NETFILTER_PKT 2>/dev/null)" "saddr=10\.0\.0\.1 daddr=10\.0\.0\.3 "

# --- a namespace that dies while packets still reach it ---------------------
# Container 7108's namespace D is flooded from A over a veth pair while its
# last task exits: D's teardown (which frees its state) and the packets
# sent toward it run at once, and nothing may use the state once it is
# freed (KASAN watches).  A stress check: the kernel removes D's devices
# before the module's state, so the unsafe window it guards is not known
# to be reachable, and this check did not fail without the guard.
in_container_bg 7108 unshare -n sh -c 'echo ready >/tmp/g; exec sleep 1000'
g=$CPID
wait_for_file /tmp/g
check "a veth pair between A and D" sh -c "/sbin/ip link add vA type veth peer name vD &&
	/sbin/ip link set vA netns $a && /sbin/ip link set vD netns $g &&
	nsenter -n -t $a sh -c '/sbin/ip addr add 10.0.1.1/24 dev vA && /sbin/ip link set vA up' &&
	nsenter -n -t $g sh -c '/sbin/ip addr add 10.0.1.4/24 dev vD && /sbin/ip link set vD up'"
check "iptables -j AUDIT of D's packets from A" \
	nsenter -n -t "$g" iptables -A INPUT -i vD -p udp -j AUDIT --type accept
check "a packet from A to D" nsenter -n -t "$a" $T udp-send 10.0.1.4 9
i=0
while [ -z "$(stamps_of 'type=NETFILTER_PKT .* daddr=10\.0\.1\.4 ')" ] && [ $i -lt 50 ]; do
	sleep 0.1
	audit_sync
	i=$((i + 1))
done
check_eq "D's packets name container 7108" \
	"$(event_ids "$(stamps_of 'type=NETFILTER_PKT .* daddr=10\.0\.1\.4 ' | head -1)")" "$(netns_of "$g") 7108"
nsenter -n -t "$a" $T udp-flood 10.0.1.4 9 20000 >/dev/null &
flood=$!
sleep 0.2
kill -9 "$g"
wait "$g" 2>/dev/null
# D is gone once its end of the pair is (the pair goes with it).
i=0
while nsenter -n -t "$a" /sbin/ip link show vA >/dev/null 2>&1 && [ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
check "D has been dismantled while the packets flowed" \
	sh -c "! nsenter -n -t $a /sbin/ip link show vA >/dev/null 2>&1 && kill -0 $flood"
kill "$flood"
wait "$flood" 2>/dev/null
echo "INFO: $(stamps_of 'type=NETFILTER_PKT .* daddr=10\.0\.1\.4 ' | grep -c .) packets logged in D"

# --- forks and threads count as tasks; the list shrinks as they go ---------
# 7104 joins A with a child and three threads, then they leave one by one.
in_container_bg 7104 nsenter -n -t "$a" sh -c "$T threads 3 >/tmp/thr & echo \$! >/tmp/d; exec sleep 1000"
d=$CPID
wait_for_file /tmp/d
wait_for_file /tmp/thr
thr=$(cat /tmp/d)
check_eq "7104's threads are in A" "$(netns_of "$thr")" "$na"
send_udp "$a" 11
audit_sync
check_eq "A: 7104 joined" "$(packet_ids 11)" "$na 7101,7102,7104"
kill -9 "$thr"
wait_released "$thr"
send_udp "$a" 11
audit_sync
check_eq "A: 7104's threaded child exited, its shell still counts" \
	"$(packet_ids 11)" "$na 7101,7102,7104"
kill -9 "$d"
wait "$d" 2>/dev/null
kill -9 "$b"
wait "$b" 2>/dev/null
send_udp "$a" 11
audit_sync
check_eq "A: 7104 and 7102 have exited" "$(packet_ids 11)" "$na 7101"

# --- a task that leaves a namespace no longer counts there -----------------
# 7105 starts in A, then moves to C with setns (nsenter) and back with a
# new namespace of its own (unshare).
mkfifo /tmp/e1
in_container_bg 7105 nsenter -n -t "$a" sh -c "echo ready >/tmp/e; read x </tmp/e1; exec nsenter -n -t $c sh -c 'echo moved >/tmp/e2; exec sleep 1000'"
e=$CPID
wait_for_file /tmp/e
send_udp "$a" 11
audit_sync
check_eq "A: 7105 is there" "$(packet_ids 11)" "$na 7101,7105"
echo go >/tmp/e1
wait_for_file /tmp/e2
send_udp "$a" 11
send_udp "$c" 13
audit_sync
check_eq "A: 7105 has left (setns)" "$(packet_ids 11)" "$na 7101"
check_eq "C: 7105 has arrived" "$(packet_ids 13)" "$nc_ 7103,7105"
kill -9 "$e"
wait "$e" 2>/dev/null

# --- an ID set on a task that is already in a namespace --------------------
unshare -n sh -c 'echo ready >/tmp/f; exec sleep 1000' &
f=$!
wait_for_file /tmp/f
check "iptables -j AUDIT in namespace F" filter_udp "$f" 16
send_udp "$f" 16
audit_sync
check_eq "F: no task with an ID yet" "$(packet_ids 16)" none
echo 7106 >"/proc/$f/containerid"
send_udp "$f" 16
audit_sync
check_eq "F: the ID set on its task is listed" "$(packet_ids 16) $(contid "$f")" "$(netns_of "$f") 7106 7106"

# --- the exclude filter does not judge packets by the task at hand ---------
# A process of container 7101 sends the packet itself (it goes through
# OUTPUT in that process's context): excluding container 7101's records
# keeps the packet and its op=net record.
check "rule: exclude containerid=7101" auditctl -a exclude,always -F containerid=7101
/usr/local/bin/contid exec --like "$a" -- nsenter -n -t "$a" $T udp-send 127.0.0.11 9
/usr/local/bin/contid exec --like "$a" -- auditctl -m "netns-excluded-$$"
audit_sync
check_eq "the rule excludes container 7101's own records" \
	"$(grep -ac "netns-excluded-$$" "$AUDIT_LOG")" 0
check_eq "a packet that container 7101 sent is kept, with its op=net record" \
	"$(packet_ids 11)" "$na 7101"
auditctl -d exclude,always -F containerid=7101 >/dev/null

# --- the last task with an ID leaves: the namespace lists nothing ----------
kill -9 "$a"
wait "$a" 2>/dev/null
send_udp "$holder" 11
audit_sync
check_eq "A: its last task with an ID has exited" "$(packet_ids 11)" none
kill -9 "$c" "$f" "$holder"
wait "$c" "$f" "$holder" 2>/dev/null
finish
