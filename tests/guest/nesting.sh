#!/bin/sh
# Nested audit containers: an orchestrator inside container A gives its
# own containers IDs nested in A.  Their events stay A's (rules for A
# select them, exclude rules for another container do not drop them), IDs
# are unique among existing containers, nesting is bounded, and records
# name the chain.
# kernel: bench
# shellcheck source=tests/lib/testlib.sh
. /usr/local/lib/testlib.sh
T=contid-test
mkdir -p /tmp/nest

# orchestrate ID SCRIPT: run the sh SCRIPT as an orchestrator in a new
# container ID (in the foreground).  In SCRIPT, `start NAME CMD...` starts
# CMD held at a gate (its PID in /tmp/NAME.pid), `setid NAME ID` writes the
# ID and appends the result to /tmp/NAME.res, `go NAME` lets CMD run.
cat >/tmp/orch-lib.sh <<'EOF'
start() {
	_n=$1
	shift
	mkfifo /tmp/$_n.gate
	contid-test gate /tmp/$_n.gate "$@" &
	echo $! >/tmp/$_n.pid
}
setid() {
	contid-test write /proc/$(cat /tmp/$1.pid)/containerid "$2" >>/tmp/$1.res
}
go() {
	echo go >/tmp/$1.gate
}
EOF
orchestrate() {
	in_container "$1" sh -c ". /tmp/orch-lib.sh; $2"
}

check "rule: writes under /tmp/nest in container 1100" \
	auditctl -a exit,always -F dir=/tmp/nest -F perm=wa -F containerid=1100 -k n1100
check "rule: ... in container 1109" \
	auditctl -a exit,always -F dir=/tmp/nest -F perm=wa -F containerid=1109 -k n1109

# --- a nested container --------------------------------------------------------
orchestrate 1100 'start a sh -c ": >/tmp/nest/a"; setid a 1101; go a; wait'
a=$(cat /tmp/a.pid)
check_eq "an orchestrator in 1100 gives its child a nested ID" "$(cat /tmp/a.res)" ok
audit_sync
check_match "the set record names the chain it nests in" \
	"$(container_records "$a" | grep -a 'res=1')" \
	"opid=$a old-contid=1100 contid=1101 res=1 outer=1100"
s=$(stamps_of 'name="/tmp/nest/a"')
check_eq "the nested container's write is one event" "$(echo "$s" | grep -c .)" 1
recs=$(records_of "$s")
check_match "its CONTAINER_INFO names the inner ID and the chain" "$recs" \
	'type=CONTAINER_INFO msg=audit\([0-9.:]+\): op=task contid=1101 outer=1100$'
check_match "a rule for the outer container selects it" "$recs" 'type=SYSCALL .*key="n1100"'
check_eq "a rule for a third container does not" "$(count_of 'type=SYSCALL .*key="n1109"')" 0

# --- uniqueness -------------------------------------------------------------
sleep 1000 &
other=$!
echo 2200 >/proc/$other/containerid
check "rule: exclude container 2200" auditctl -a exclude,always -F containerid=2200
orchestrate 1100 'start b sh -c ": >/tmp/nest/b"; setid b 2200; setid b 1102; go b; wait'
b=$(cat /tmp/b.pid)
check_eq "another container's ID cannot be nested: ENOTUNIQ, then a free one works" \
	"$(tr '\n' ' ' </tmp/b.res)" "ENOTUNIQ ok "
audit_sync
check_eq "... the refusal is recorded" "$(count_records "$b" 'contid=2200 res=0 outer=1100')" 1
check_eq "... and the nested container's write is not dropped by 2200's exclude rule" \
	"$(count_of 'name="/tmp/nest/b"')" 1
auditctl -d exclude,always -F containerid=2200
# A nested container that lives on keeps its ID from the host.
orchestrate 1100 'start c sleep 1000; setid c 1104; go c'
c=$(cat /tmp/c.pid)
check_eq "a long-lived nested container" "$(contid "$c")" 1104
sleep 1000 &
h=$!
expect_refused "the host cannot take a nested container's ID: ENOTUNIQ" ENOTUNIQ $h 1104 \
	$T write /proc/$h/containerid 1104
# The host's own containers can be joined: a second task of 2200.
check_eq "a second task joins the host's container 2200" "$($T write /proc/$h/containerid 2200)" ok
# An ID is free again once its container has ended.
sleep 1000 &
gone=$!
echo 4400 >/proc/$gone/containerid
kill $gone
wait $gone 2>/dev/null
orchestrate 1100 'start d sleep 1000; setid d 4400; go d'
d=$(cat /tmp/d.pid)
check_eq "an ended container's ID can be nested" "$(cat /tmp/d.res):$(contid "$d")" "ok:4400"

# --- the writer's reach --------------------------------------------------------
orchestrate 1105 "contid-test write /proc/$other/containerid 1106 >/tmp/x.res"
check_eq "a writer in 1105 cannot touch container 2200's task: EXDEV" "$(cat /tmp/x.res)" EXDEV
orchestrate 1105 "contid-test write /proc/$c/containerid 1107 >/tmp/y.res"
check_eq "nor a task of a container nested in 1100: EXDEV" "$(cat /tmp/y.res)" EXDEV

# --- depth ------------------------------------------------------------------
cat >/tmp/nest.sh <<'EOF'
#!/bin/sh
# nest.sh LEVEL: in a container at depth LEVEL, nest the next one.
l=$1
mkfifo /tmp/nest-g$l
contid-test gate /tmp/nest-g$l sh /tmp/nest.sh $((l + 1)) &
c=$!
r=$(contid-test write /proc/$c/containerid $((3000 + l + 1)))
echo "$l $r" >>/tmp/nest-results
if [ "$r" = ok ]; then
	echo go >/tmp/nest-g$l
	wait $c
else
	kill $c
fi
EOF
in_container 3001 sh /tmp/nest.sh 1
check_eq "containers nest 8 deep, not 9: EMLINK" "$(tr '\n' ' ' </tmp/nest-results)" \
	"1 ok 2 ok 3 ok 4 ok 5 ok 6 ok 7 ok 8 EMLINK "
audit_sync
check_eq "the deepest set record names the whole chain" \
	"$(container_records any | grep -a ' op=set ' | grep -acF 'contid=3008 res=1 outer=3007,3006,3005,3004,3003,3002,3001')" 1
check_eq "the refusal too" \
	"$(count_records any 'contid=3009 res=0 outer=3008,3007,3006,3005,3004,3003,3002,3001')" 1

kill $other $c $h $d 2>/dev/null
finish
