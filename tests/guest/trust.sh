#!/bin/sh
# The trail cannot be steered: the opener of the file counts, IDs last
# until the task is reaped, range rules never match the host, kernel
# threads and workers get no ID, and a target that created processes is
# refused however those processes left it.  See docs/security.md for the
# threat model each check belongs to (section 2, refusals are cheap, is
# refusal-cost.sh: it needs the test kernel's lockdep).
# kernel: bench
# shellcheck source=tests/lib/testlib.sh
. /usr/local/lib/testlib.sh
T=contid-test
NOBODY=1000

# ready_pid FILE: wait for a helper's "ready PID" line in FILE, print PID.
ready_pid() {
	wait_for_file "$1"
	sed -n 's/^ready //p' "$1"
}

# --- 1. the opener counts, not only the writer ---------------------------------
# An unprivileged user owns the proc files of its own processes, so it can
# open /proc/<its child>/containerid and hand the descriptor to a setuid
# program that writes (or reads) through it.
cp "$(command -v $T)" /tmp/suid-copy
chmod 4755 /tmp/suid-copy
printf 5151 >/tmp/id5151
printf 5152 >/tmp/id5152
chmod 0644 /tmp/id5151 /tmp/id5152
$T as-user $NOBODY sh -c 'sleep 1000 & echo $! >/tmp/nobody-child; wait' &
wait_for_file /tmp/nobody-child
c=$(cat /tmp/nobody-child)
check_eq "the unprivileged user's child has its own proc files" \
	"$(ls -ln /proc/$c/containerid | awk '{ print $3 }')" $NOBODY
before=$(refused_count "$c" "contid=5151")
got=$($T as-user $NOBODY sh -c "/tmp/suid-copy copy /tmp/id5151 2>&1 >/proc/$c/containerid")
check_eq "setuid writer, unprivileged opener: EPERM" "$got" EPERM
check_eq "... recorded as refused" "$(refused_count "$c" "contid=5151")" "$((before + 1))"
check_eq "... and nothing changed" "$(contid "$c")" "$UNSET"
got=$($T as-user $NOBODY sh -c "/tmp/suid-copy copy - 2>&1 </proc/$c/containerid")
check_eq "setuid reader, unprivileged opener: EPERM" "$got" EPERM
# The control: the same setuid program opening the file itself is allowed,
# so the refusal above was about the opener.
got=$($T as-user $NOBODY sh -c "/tmp/suid-copy copy /tmp/id5152 /proc/$c/containerid 2>&1 && echo ok")
check_eq "setuid program that opens the file itself: allowed" "$got" ok
check_eq "... and its ID is set" "$(contid "$c")" 5152
kill "$c"

# --- 4. an ID lives until its task is reaped -----------------------------------
# A process whose main thread has exited while another thread runs.
in_container_bg 4001 sh -c "exec $T leader-exit >/tmp/le 2>/tmp/le.err"
le=$CPID
wait_for_file /tmp/le || echo "INFO: leader-exit printed nothing in 10 s"
i=0
while ! grep -q '^State:.*Z' /proc/$le/status 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
state=$(grep '^State:' /proc/$le/status 2>/dev/null)
check_match "the main thread has exited" "$state" 'Z'
if [ -z "$state" ]; then
	wait "$le"
	echo "INFO: leader-exit (pid $le) is gone: status $?, printed '$(cat /tmp/le)', error '$(cat /tmp/le.err)'"
fi
check_eq "its process still reads its ID" "$(contid $le)" 4001
check_eq "through the living thread too" \
	"$(cat /proc/$le/task/*/containerid | sort -u)" 4001
expect_refused "it is still set once" EEXIST $le 4009 $T write /proc/$le/containerid 4009
check_eq "contid exec --like finds its container" \
	"$(/usr/local/bin/contid exec --like $le -- cat /proc/self/containerid)" 4001
kill -9 $le

# A zombie keeps its ID, and a signal sent to it names its container.
in_container_bg 4002 sh -c "exec $T zombie-child >/tmp/zc"
zp=$CPID
z=$(ready_pid /tmp/zc)
check_match "the child is a zombie" "$(grep '^State:' /proc/$z/status)" 'Z'
check_eq "a zombie reads its ID" "$(contid $z)" 4002
check "rule: kill(2)" auditctl -a exit,always -F arch=b64 -S kill -k zsig
kill -CONT "$z"
audit_sync
s=$(stamps_of "type=OBJ_PID .*opid=$z ")
check_eq "the signal to the zombie has its OBJ_PID record" "$(echo "$s" | grep -c .)" 1
check_eq "... and its op=target record names container 4002" \
	"$(count_of "type=CONTAINER_INFO .*op=target opid=$z contid=4002" "$(records_of "$s")")" 1
auditctl -D >/dev/null
kill -9 $zp

# --- 6. ordered comparisons never match the host --------------------------------
check "rule: exclude containerid>=5000" auditctl -a exclude,always -F 'containerid>=5000'
auditctl -m "range-host"
in_container 6000 auditctl -m "range-6000"
in_container 4000 auditctl -m "range-4000"
audit_sync
check_eq "exclude >=5000 keeps the host's message" "$(count_of 'text=range-host')" 1
check_eq "... drops container 6000's" "$(count_of 'text=range-6000')" 0
check_eq "... keeps container 4000's" "$(count_of 'text=range-4000')" 1
auditctl -D >/dev/null
check "rule: exit, kill(2), containerid>5000" \
	auditctl -a exit,always -F arch=b64 -S kill -F 'containerid>5000' -k gt
sleep 1000 &
sl=$!
kill -0 $sl
in_container 6001 sh -c "kill -0 $sl"
in_container 4001 sh -c "kill -0 $sl"
audit_sync
check_eq "exit >5000: one event, container 6001's" \
	"$(count_of 'type=SYSCALL .*key="gt"'):$(count_of 'op=task contid=6001')" "1:1"
check_eq "... none for the host's kill(2)" "$(count_of "type=SYSCALL .* pid=$$ .*key=\"gt\"")" 0
auditctl -D >/dev/null
kill $sl

# --- 7. no IDs for kernel threads and kernel workers -----------------------------
expect_refused "kthreadd: ENXIO" ENXIO 2 5 $T write /proc/2/containerid 5
check_eq "... it has none" "$(contid 2)" "$UNSET"
# An io_uring SQPOLL worker is a thread of its process, created by it.  It
# never gets an ID of its own; the work it does counts for its process.
in_container_bg 7001 sh -c "exec $T sqpoll >/tmp/sq"
sq=$CPID
w=$(ready_pid /tmp/sq)
check_match "the io_uring worker exists" "$w" '^[0-9]+$'
check_eq "the process is in 7001" "$(contid $sq)" 7001
check_eq "its io_uring worker's work counts for 7001" "$(cat /proc/$sq/task/$w/containerid)" 7001
expect_refused "setting the worker: ENXIO" ENXIO $sq 7002 $T write /proc/$sq/task/$w/containerid 7002
kill -9 $sq
$T sqpoll >/tmp/sq2 &
sq2=$!
w2=$(ready_pid /tmp/sq2)
check_eq "setting a process with an io_uring worker" "$($T write /proc/$sq2/containerid 7003)" ok
check_eq "... sets its own threads" "$(contid $sq2)" 7003
check_eq "... and its worker's work counts for it" "$(cat /proc/$sq2/task/$w2/containerid)" 7003
kill -9 $sq2
# A write submitted through io_uring is done by an io_uring worker, which
# has no ID to show: a container must not pass for the host that way.
in_container 7010 sh -c "sleep 1000 & c=\$!; echo \$c >/tmp/uwc; $T uring-write /proc/\$c/containerid 31337 >/tmp/uw"
uc=$(cat /tmp/uwc)
check_eq "a write through io_uring: ENXIO" "$(cat /tmp/uw)" ENXIO
check_eq "... recorded" "$(refused_count "$uc" "contid=31337")" 1
check_eq "... and the target stays in 7010" "$(contid "$uc")" 7010
kill "$uc"
# A usermode helper is started by a kernel worker, even when a container's
# task asks for it (here: modprobe for an unknown socket family).
old_modprobe=$(cat /proc/sys/kernel/modprobe)
cat >/tmp/umh.sh <<'EOF'
#!/bin/sh
cat /proc/self/containerid >/tmp/umh.out
EOF
chmod 0755 /tmp/umh.sh
echo /tmp/umh.sh >/proc/sys/kernel/modprobe
in_container 7004 $T socket 45 >/dev/null
echo "$old_modprobe" >/proc/sys/kernel/modprobe
check "the usermode helper ran" wait_for_file /tmp/umh.out 5
check_eq "a usermode helper asked for by container 7004 has no ID" "$(cat /tmp/umh.out)" "$UNSET"

# --- 9. "no children" is not "no process tree" ----------------------------------
$T spawn-away clone-parent >/tmp/cp &
cp=$!
sib=$(ready_pid /tmp/cp)
check_eq "the CLONE_PARENT process is our child, not the target's" \
	"$(awk '{ print $4 }' /proc/$sib/stat)" $$
expect_refused "a target that made a process by CLONE_PARENT: EBUSY" EBUSY $cp 9001 \
	$T write /proc/$cp/containerid 9001
$T spawn-away reparent >/tmp/rp &
rp=$!
g=$(ready_pid /tmp/rp)
check_eq "the target has no children left" \
	"$(grep -l "^PPid:[[:space:]]*$rp\$" /proc/[0-9]*/status 2>/dev/null | wc -l)" 0
check_match "its grandchild lives on elsewhere" "$(awk '{ print $4 }' /proc/$g/stat)" '^[0-9]+$'
expect_refused "a target whose grandchild was reparented away: EBUSY" EBUSY $rp 9002 \
	$T write /proc/$rp/containerid 9002
check_eq "neither escapee was given an ID" "$(contid $sib):$(contid $g)" "$UNSET:$UNSET"
kill -9 $cp $sib $rp $g
finish
