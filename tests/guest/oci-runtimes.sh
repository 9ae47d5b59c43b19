#!/bin/sh
# Real OCI runtimes: runc and crun start busybox containers whose
# config.json has `contid oci-hook` as createRuntime hook.  The container's
# processes get the ID (annotation or derived), the AUDIT_CONTAINER record
# names the hook as writer, `contid exec` puts a `runc exec`'d process into
# the container's audit container, concurrent containers get distinct IDs,
# the runtime itself stays outside, and the container does not start when
# the ID cannot be set.  Last, the containerid audit filter on a write
# inside a container.
#
# The guest's root is the initramfs, where pivot_root(2) fails: both
# runtimes run with --no-pivot.  Bundles live under /tmp (a tmpfs) so that
# `-F dir=/tmp` covers the containers' files too.
# kernel: bench
# shellcheck source=tests/lib/testlib.sh
. /usr/local/lib/testlib.sh

# The binary (testlib's `contid` is a shell function that reads an ID).
CONTID=/usr/local/bin/contid
OCI=/tmp/oci
HOOK_LOG=$OCI/hook.log
TREE_LOG=$OCI/tree.log
ROOTFS=$OCI/rootfs

mkdir -p $OCI
cp -a /usr/share/contid-oci/rootfs $ROOTFS
: >$HOOK_LOG
: >$TREE_LOG

# A second createRuntime hook, run after contid's: records the process
# tree at hook time (the hook's parent, the target's parent and threads)
# and the IDs of the target's threads once contid has set them.
cat >$OCI/tree-hook <<'EOF'
#!/bin/sh
state=$(cat)
pid=$(echo "$state" | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
id=$(echo "$state" | sed -n 's/.*"id": *"\([^"]*\)".*/\1/p')
{
	echo "$id hook-parent $PPID $(tr '\0' ' ' </proc/$PPID/cmdline)"
	echo "$id target $pid parent $(sed -n 's/^PPid:[[:space:]]*//p' /proc/$pid/status)" \
		"threads $(sed -n 's/^Threads:[[:space:]]*//p' /proc/$pid/status)" \
		"comm $(cat /proc/$pid/comm)"
	echo "$id target-ids $(cat /proc/$pid/task/*/containerid | sort -u | tr '\n' ' ')"
} >>/tmp/oci/tree.log
EOF
chmod +x $OCI/tree-hook

# bundle NAME CMD [ID [HOOK-ENV [HOOK-ARGS]]]: the bundle $OCI/NAME, whose
# container runs `sh -c CMD` (no double quotes in CMD) in the shared busybox
# rootfs, with contid as createRuntime hook, the annotation
# io.audit-contid.id=ID if ID is not empty, HOOK-ENV (e.g.
# AUDIT_CONTID_OPTIONAL=1) in the hook's environment, and HOOK-ARGS (JSON
# strings, comma separated; "-" for none) as the hook's policy arguments,
# by default "--allow-annotation"; with NOHOOKS=1 in its environment, no
# hooks.
bundle() {
	_ann=
	[ -n "${3:-}" ] && _ann="\"io.audit-contid.id\": \"$3\""
	_env=
	[ -n "${4:-}" ] && _env=", \"env\": [\"$4\"]"
	_args=', "--allow-annotation"'
	case "${5:-}" in
	'') ;;
	-) _args= ;;
	*) _args=", $5" ;;
	esac
	_hooks="\"hooks\": {
		\"createRuntime\": [
			{\"path\": \"/usr/local/bin/contid\", \"args\": [\"contid\", \"oci-hook\", \"--log\", \"$HOOK_LOG\"$_args]$_env},
			{\"path\": \"$OCI/tree-hook\", \"args\": [\"tree-hook\"]}
		],
		\"poststop\": [
			{\"path\": \"/usr/local/bin/contid\", \"args\": [\"contid\", \"oci-hook\", \"--log\", \"$HOOK_LOG\"$_args]$_env}
		]
	},"
	[ -z "${NOHOOKS:-}" ] || _hooks=
	mkdir -p "$OCI/$1"
	cat >"$OCI/$1/config.json" <<EOF
{
	"ociVersion": "1.0.2",
	"process": {
		"terminal": false,
		"user": {"uid": 0, "gid": 0},
		"args": ["sh", "-c", "$2"],
		"env": ["PATH=/bin"],
		"cwd": "/",
		"noNewPrivileges": true
	},
	"root": {"path": "$ROOTFS", "readonly": false},
	"hostname": "$1",
	"annotations": {$_ann},
	$_hooks
	"mounts": [
		{"destination": "/proc", "type": "proc", "source": "proc"},
		{"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
			"options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
		{"destination": "/dev/pts", "type": "devpts", "source": "devpts",
			"options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},
		{"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
			"options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]}
	],
	"linux": {
		"cgroupsPath": "/contid-test/$1",
		"resources": {"devices": [{"allow": false, "access": "rwm"}]},
		"namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"},
			{"type": "uts"}, {"type": "mount"}]
	}
}
EOF
}

# wait_file FILE: wait up to 90 s (a runtime starts a container in 4 to 8 s
# under TCG) until FILE exists and is not empty.
wait_file() {
	wait_for_file "$1" 90
}

# state_pid RUNTIME NAME: the host PID of the container's init.
state_pid() {
	"$1" state "$2" | sed -n 's/.*"pid": *\([0-9][0-9]*\).*/\1/p' | head -1
}

# others NAME PID: the container's processes other than PID.
others() {
	grep -v "^$2\$" "/sys/fs/cgroup/contid-test/$1/cgroup.procs"
}

# pid_in NAME CMDLINE: the process of container NAME whose command line is
# CMDLINE (space separated).
pid_in() {
	while read -r _p; do
		if [ "$(tr '\0' ' ' <"/proc/$_p/cmdline" 2>/dev/null)" = "$2 " ]; then
			echo "$_p"
			return 0
		fi
	done <"/sys/fs/cgroup/contid-test/$1/cgroup.procs"
	return 1
}


# hook_pid NAME: the PID of the contid hook that set container NAME's ID,
# from the hook's log.
hook_pid() {
	sed -n "s/.* contid\[\([0-9]*\)\]: container $1 (.*/\1/p" $HOOK_LOG | tail -1
}

# tree NAME KEY: a line of the tree log, without the name and key.
tree() {
	sed -n "s/^$1 $2 //p" $TREE_LOG | tail -1
}

# check_hook_record RT NAME INIT ID: the AUDIT_CONTAINER record of the
# hook's write, and the SYSCALL record of that write.
check_hook_record() {
	audit_sync
	_hp=$(hook_pid "$2")
	_rec=$(container_records "$3" | grep -a "contid=$4 res=1")
	check_eq "$1: one AUDIT_CONTAINER record about the container's init" \
		"$(echo "$_rec" | grep -c .)" 1
	check_match "$1: the record names the hook as writer, the init as target" "$_rec" \
		"op=set pid=$_hp uid=0 .*opid=$3 old-contid=$UNSET contid=$4 res=1"
	_stamp=$(echo "$_rec" | sed -n 's/.*msg=audit(\([0-9.:]*\)).*/\1/p')
	check_match "$1: the write's SYSCALL record is the hook's" \
		"$(grep -a "audit($_stamp)" "$AUDIT_LOG" | grep -a 'type=SYSCALL')" \
		"pid=$_hp .*comm=\"contid\" exe=\"/usr/local/bin/contid\""
	check_eq "$1: ausearch -m container finds it" \
		"$(ausearch -m container 2>/dev/null | grep -c "opid=$3 .*contid=$4 res=1")" 1
}

# report_tree NAME: the process tree at hook time, for the record.
report_tree() {
	echo "INFO: $1 at hook time: hook's parent: $(tree "$1" hook-parent);" \
		"target: $(tree "$1" target); IDs of the target's threads: $(tree "$1" target-ids)"
}

# --- runc, with the ID from the annotation -------------------------------
bundle r1 "sleep 1000 & echo ready >/tmp/r1.ready; wait" 4711
runc run --no-pivot -b $OCI/r1 r1 >$OCI/r1.out 2>&1 &
runc_r1=$!
if wait_file $ROOTFS/tmp/r1.ready; then
	pass "runc: the container started"
else
	fail "runc: the container started" "$(cat $OCI/r1.out $HOOK_LOG)"
fi
r1=$(state_pid runc r1)
r1_child=$(others r1 "$r1" | head -1)
check_eq "runc: the container's init has the annotation's ID" "$(contid "$r1")" 4711
check_eq "runc: a process the init forked inherited it" "$(contid "$r1_child")" 4711
check_eq "runc: the runc run process keeps no ID" "$(contid $runc_r1)" "$UNSET"
check_match "runc: the hook logged what it did" "$(cat $HOOK_LOG)" \
	"contid\[[0-9]+\]: container r1 \(pid $r1, status creating\): audit container ID 4711 set \(from annotation io.audit-contid.id\)"
check_hook_record runc r1 "$r1" 4711
report_tree r1
check_eq "runc: the hook is a child of runc run" "$(tree r1 hook-parent | cut -d' ' -f1)" $runc_r1
check_match "runc: the init is runc run's child too (CLONE_PARENT: the hook's sibling)" \
	"$(tree r1 target)" "^$r1 parent $runc_r1 threads [0-9]+ "
check_match "runc: runc init is multi-threaded at hook time" "$(tree r1 target)" \
	"threads ([2-9]|[1-9][0-9]+) "
check_eq "runc: every thread of runc init had the ID at hook time" "$(tree r1 target-ids)" "4711 "

# --- runc exec ----------------------------------------------------------------
runc exec r1 sleep 1002 &
plain=$!
"$CONTID" exec --like "$r1" -- runc exec r1 sleep 1001 &
cexec=$!
i=0
while { ! e1=$(pid_in r1 "sleep 1001") || ! e2=$(pid_in r1 "sleep 1002"); } && [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
check_eq "runc exec through contid exec: the exec'd process has the container's ID" \
	"$(contid "$e1")" 4711
check_eq "... and is in the container" "$(others r1 "$r1" | grep -c "^$e1\$")" 1
check_eq "... contid exec itself keeps no ID" "$(contid $cexec)" "$UNSET"
runc_exec=$(child_of $cexec)
check_eq "... its child is runc exec" "$(tr '\0' ' ' </proc/"$runc_exec"/cmdline)" "runc exec r1 sleep 1001 "
check_eq "... and carries the ID" "$(contid "$runc_exec")" 4711
check_eq "plain runc exec (no hook runs): the exec'd process has no ID" \
	"$(contid "$e2")" "$UNSET"
# (if a process never showed up, stop the commands that should have run it)
kill "$e1" "$e2" 2>/dev/null || kill $cexec $plain
wait $cexec
check_eq "contid exec exits with the command's status (SIGTERM: 143)" "$?" 143
wait $plain
check_eq "contid exec passes the exit status through" \
	"$("$CONTID" exec --like "$r1" -- runc exec r1 sh -c 'exit 7' >/dev/null 2>&1; echo $?)" 7
out=$("$CONTID" exec --like $$ -- true 2>&1)
check_eq "contid exec --like a host process refuses" "$?" 125
check_match "... and says why" "$out" "process $$ has no audit container ID; not running"

# --- two runtimes, three containers at once, derived IDs -------------------
bundle r2 "sleep 1000 & echo ready >/tmp/r2.ready; wait"
bundle c1 "sleep 1000 & echo ready >/tmp/c1.ready; wait"
runc run --no-pivot -b $OCI/r2 r2 >$OCI/r2.out 2>&1 &
runc_r2=$!
crun run --no-pivot -b $OCI/c1 c1 >$OCI/c1.out 2>&1 &
crun_c1=$!
wait_file $ROOTFS/tmp/r2.ready || fail "runc: second container started" "$(cat $OCI/r2.out)"
if wait_file $ROOTFS/tmp/c1.ready; then
	pass "crun: the container started"
else
	fail "crun: the container started" "$(cat $OCI/c1.out $HOOK_LOG)"
fi
r2=$(state_pid runc r2)
c1=$(state_pid crun c1)
c1_child=$(others c1 "$c1" | head -1)
r2_id=$("$CONTID" derive r2)
c1_id=$("$CONTID" derive c1)
check_eq "runc: without the annotation, the ID derived from the container id" \
	"$(contid "$r2")" "$r2_id"
check_eq "crun: without the annotation, the ID derived from the container id" \
	"$(contid "$c1")" "$c1_id"
check_eq "crun: a process the init forked inherited it" "$(contid "$c1_child")" "$c1_id"
check_eq "crun: the crun run process keeps no ID" "$(contid $crun_c1)" "$UNSET"
check_eq "three containers, three IDs" \
	"$(printf '%s\n' "$(contid "$r1")" "$(contid "$r2")" "$(contid "$c1")" | sort -u | wc -l)" 3
check_eq "the first container kept its ID" "$(contid "$r1")" 4711
check_match "crun: the hook logged what it did" "$(cat $HOOK_LOG)" \
	"container c1 \(pid $c1, status [a-z]+\): audit container ID $c1_id set \(derived from the container id\)"
check_hook_record crun c1 "$c1" "$c1_id"
report_tree c1
report_tree r2
check_eq "crun: the hook is a child of crun" "$(tree c1 hook-parent | cut -d' ' -f1)" $crun_c1
check_match "crun: the init is crun's child (the hook's sibling)" "$(tree c1 target)" \
	"^$c1 parent $crun_c1 threads [0-9]+ "
check_eq "crun: every thread of the init had the ID at hook time" "$(tree c1 target-ids)" "$c1_id "

# crun runs no hook for exec either; contid exec works the same way.
"$CONTID" exec --like "$c1" -- crun exec c1 sleep 1003 &
i=0
while ! e3=$(pid_in c1 "sleep 1003") && [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
check_eq "crun exec through contid exec: the exec'd process has the container's ID" \
	"$(contid "$e3")" "$c1_id"
kill "$e3" 2>/dev/null || kill $!
wait $!

# Stop the containers.
runc kill r1 KILL
runc kill r2 KILL
crun kill c1 KILL
wait $runc_r1 $runc_r2 $crun_c1
# (run without -d, the runtimes delete the containers when they exit)
runc delete -f r1 >/dev/null 2>&1
runc delete -f r2 >/dev/null 2>&1
crun delete -f c1 >/dev/null 2>&1
audit_sync
for c in "runc 4711" "runc $r2_id" "crun $c1_id"; do
	check_eq "${c% *}: the container's end is logged once (op=drop contid=${c#* })" \
		"$(container_records any | grep -ac " op=drop .*contid=${c#* } res=1")" 1
done

# The mapping records: which container each ID is (VIRT_CONTROL, written by
# the hook that set the ID, and by the poststop hook when the runtime
# deleted the container).
for c in "r1 4711 $r1 runc" "r2 $r2_id $r2 runc" "c1 $c1_id $c1 crun"; do
	# shellcheck disable=SC2086
	set -- $c
	st=$(mapping_records start "$1")
	check_eq "$4: one mapping start record for $1" "$(echo "$st" | grep -c .)" 1
	check_match "$4: ... naming its ID, init, runtime and bundle" "$st" \
		"vm=\"$1\" uuid=$1 vm-pid=$3 contid=$2 contid-from=[a-z]+ runtime=\"$4\" bundle=\"$OCI/$1\" exe=\"/usr/local/bin/contid\" hostname=\? addr=\? terminal=\? res=success'"
	setpid=$(container_records "$3" | grep -a "op=set .*contid=$2 res=1" | sed -n 's/.* op=set pid=\([0-9]*\) .*/\1/p')
	check_match "$4: ... sent by the writer of the set record (pid $setpid)" "$st" \
		"^type=VIRT_CONTROL msg=audit\([0-9.:]+\): pid=$setpid uid=0 "
	sp=$(mapping_records stop "$1")
	check_eq "$4: one mapping stop record for $1 after its deletion" "$(echo "$sp" | grep -c .)" 1
	check_match "$4: ... with its ID" "$sp" "vm=\"$1\" uuid=$1 vm-pid=[0-9?]+ contid=$2 .*res=success'"
	printf '%s\n%s\n' "$st" "$sp" | cut -d"$(printf '\035')" -f1 | sed 's/^/INFO: mapping record: /'
	found=$(ausearch --containerid "$2" 2>/dev/null)
	check_eq "$4: ausearch --containerid $2 finds the start, the end and the stop of $1" \
		"$(echo "$found" | grep -acE "'virt=container op=start .*uuid=$1 | op=drop .*contid=$2 |'virt=container op=stop .*uuid=$1 ")" 3
done
check_eq "the mapping records name the annotation as the ID's source" \
	"$(mapping_records start r1 | grep -c 'contid=4711 contid-from=annotation ')" 1
check_eq "... or the derivation" \
	"$(mapping_records start c1 | grep -c "contid=$c1_id contid-from=derived ")" 1
virt=$(auvirt --all-events 2>/dev/null)
echo "$virt" | grep -E '^(start|stop) +(r1|c1) ' | sed 's/^/INFO: auvirt --all-events: /'
ausearch --containerid 4711 -m virt_control -i 2>/dev/null | cut -d"$(printf '\035')" -f1 |
	sed -n 's/^type=/INFO: ausearch --containerid 4711 -m virt_control -i: type=/p'
for c in r1 r2 c1; do
	check_match "auvirt lists the start and the stop of $c" "$(echo "$virt" | grep -E "^(start|stop) +$c " | cut -c1-5 | tr -d ' ' | paste -sd,)" "^start,stop\$"
done
check_eq "aureport --virt counts the mapping records" \
	"$(aureport --virt 2>/dev/null | grep -c ' VIRT_CONTROL yes ')" \
	"$(grep -ac "type=VIRT_CONTROL .*'virt=container .*res=success" "$AUDIT_LOG")"

# --- contid-runc / contid-crun: the runtime wrapper ---------------------------
# As an engine without hooks.d runs it (dockerd --add-runtime, containerd's
# BinaryName, podman --runtime): runc's command line, a bundle without the
# hook.  The wrapper adds the hook, and puts exec'd processes into the
# container's audit container.
for rt in runc crun; do
	name=w-$rt
	NOHOOKS=1 bundle $name "sleep 1000 & echo ready >/tmp/$name.ready; wait"
	check_eq "contid-$rt: the bundle has no hook" "$(grep -c oci-hook $OCI/$name/config.json)" 0
	contid-$rt run --no-pivot -b $OCI/$name $name >$OCI/$name.out 2>&1 &
	wpid=$!
	if wait_file $ROOTFS/tmp/$name.ready; then
		pass "contid-$rt: the container started"
	else
		fail "contid-$rt: the container started" "$(cat $OCI/$name.out)"
	fi
	init=$(state_pid $rt $name)
	wid=$("$CONTID" derive $name)
	check_eq "contid-$rt: the container's init has the derived ID" "$(contid "$init")" "$wid"
	check_eq "contid-$rt: the runtime (the wrapper's process) keeps no ID" "$(contid $wpid)" "$UNSET"
	check_eq "contid-$rt: the bundle has the hook, createRuntime and poststop" \
		"$(grep -c '"oci-hook"' $OCI/$name/config.json)" 2
	check_eq "contid-$rt: state passes through" \
		"$(contid-$rt state $name | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')" "$init"
	contid-$rt exec $name sleep 1005 &
	wexec=$!
	i=0
	while ! e5=$(pid_in $name "sleep 1005") && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	check_eq "contid-$rt exec: the exec'd process has the container's ID" "$(contid "$e5")" "$wid"
	check_eq "contid-$rt exec: the wrapper itself keeps no ID" "$(contid $wexec)" "$UNSET"
	kill "$e5" 2>/dev/null || kill $wexec
	wait $wexec
	check_eq "contid-$rt exec: exits with the exec'd process's status (SIGTERM: 143)" "$?" 143
	check_eq "contid-$rt exec: passes an exit status through" \
		"$(contid-$rt exec $name sh -c 'exit 9' >/dev/null 2>&1; echo $?)" 9
	# A wrapper that cannot read the container's ID (here: without
	# CAP_AUDIT_CONTROL) does not run the process outside it.
	out=$(contid-test drop-cap contid-$rt exec $name sh -c 'echo ran-without-id' 2>&1)
	check_eq "contid-$rt exec: a wrapper that cannot read the container's ID refuses (exit 1)" "$?" 1
	check_match "contid-$rt exec: ... and says why" "$out" \
		"^contid-$rt: error: .*\(EPERM\).*the exec'd process would run outside the container's audit container"
	check_eq "contid-$rt exec: ... and nothing ran" "$(echo "$out" | grep -c ran-without-id)" 0
	$rt kill $name KILL
	wait $wpid
	$rt delete -f $name >/dev/null 2>&1
	audit_sync
	check_eq "contid-$rt: one mapping start and one stop record" \
		"$(mapping_records start $name | grep -c "contid=$wid ") $(mapping_records stop $name | grep -c "contid=$wid ")" "1 1"
	check_eq "contid-$rt: the container's end is logged once" \
		"$(container_records any | grep -ac " op=drop .*contid=$wid res=1")" 1
done
# A bundle that already has the hook (hooks.d, or a config of its own)
# gets no second one: its contid entries are replaced by the wrapper's,
# which has no policy arguments (the creator's --allow-annotation is gone).
bundle w-twice "echo ran >/tmp/w-twice.ran"
contid-runc run --no-pivot -b $OCI/w-twice w-twice >$OCI/w-twice.out 2>&1
check_eq "contid-runc: a bundle with the hook ran" "$(cat $ROOTFS/tmp/w-twice.ran 2>/dev/null)" ran
check_eq "contid-runc: ... with one contid entry per stage, the wrapper's" \
	"$(grep -c '"oci-hook"' $OCI/w-twice/config.json) $(grep -c 'allow-annotation' $OCI/w-twice/config.json)" "2 0"
runc delete -f w-twice >/dev/null 2>&1
# An entry that only looks like the hook (contid's arguments, another
# program) does not keep the real one out.
NOHOOKS=1 bundle w-fake "sleep 1000 & echo ready >/tmp/w-fake.ready; wait"
sed -i 's|"annotations": {},|"annotations": {}, "hooks": {"createRuntime": [{"path": "/bin/true", "args": ["contid", "oci-hook"]}], "poststop": [{"path": "/bin/true", "args": ["contid", "oci-hook"]}]},|' \
	$OCI/w-fake/config.json
contid-runc run --no-pivot -b $OCI/w-fake w-fake >$OCI/w-fake.out 2>&1 &
wfake=$!
wait_file $ROOTFS/tmp/w-fake.ready
check_eq "contid-runc: a look-alike hook entry does not keep the hook out: the init has its ID" \
	"$(contid "$(state_pid runc w-fake)")" "$("$CONTID" derive w-fake)"
runc kill w-fake KILL
wait $wfake
runc delete -f w-fake >/dev/null 2>&1
# A member that runc (Go's case-insensitive member names) would read in
# place of the wrapper's "hooks".
NOHOOKS=1 bundle w-case "echo ran >/tmp/w-case.ran"
sed -i 's|"annotations": {},|"annotations": {}, "Hooks": {},|' $OCI/w-case/config.json
out=$(contid-runc run --no-pivot -b $OCI/w-case w-case 2>&1)
check_eq "contid-runc: a second spelling of \"hooks\" is refused (exit 1)" "$?" 1
check_match "contid-runc: ... and it says why" "$out" \
	'member "Hooks" would be read as "hooks" by a case-insensitive runtime'
check_eq "contid-runc: ... and the container never ran" "$(cat $ROOTFS/tmp/w-case.ran 2>/dev/null)" ""
# Options after the id: runc would read them.
out=$(contid-runc run w-after --no-pivot -b $OCI/w-case 2>&1)
check_eq "contid-runc: an option after the container id is refused (exit 1)" "$?" 1
check_match "contid-runc: ... and it says why" "$out" 'unexpected "--no-pivot" after the container id'
# A bundle the wrapper cannot read is not started.
mkdir -p $OCI/w-bad
echo '{ not json' >$OCI/w-bad/config.json
out=$(contid-runc run --no-pivot -b $OCI/w-bad w-bad 2>&1)
check_eq "contid-runc: a bundle whose config is not JSON is refused (exit 1)" "$?" 1
check_match "contid-runc: ... and says why" "$out" \
	"contid-runc: error: cannot add contid oci-hook to the bundle: $OCI/w-bad/config.json is not JSON: .*; the container must not start"
check_eq "contid-runc: ... and runc never ran" "$(runc state w-bad >/dev/null 2>&1; echo $?)" 1
out=$(contid-runc run --no-pivot --frobnicate x -b $OCI/w-twice w-unknown 2>&1)
check_eq "contid-runc: an option it does not know is refused (exit 1)" "$?" 1
check_match "contid-runc: ... and it says which" "$out" \
	'contid-runc: error: unknown option "--frobnicate": contid-runc cannot tell for sure which command, bundle or container this is'
check_eq "contid-runc: ... and runc never ran" "$(runc state w-unknown >/dev/null 2>&1; echo $?)" 1
check_eq "contid-runc: --version is runc's" "$(contid-runc --version | head -1 | cut -d' ' -f1-2)" "runc version"

# --- a seccomp profile whose action is SCMP_ACT_LOG ---------------------------
# busybox sh calls getppid(2) when it starts (for $PPID): the profile logs
# it, and the SECCOMP record of the container's shell carries its ID.
bundle sc1 "echo ran >/tmp/sc1.ran"
sed -i 's|"linux": {|"linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_LOG"}]},|' $OCI/sc1/config.json
runc run --no-pivot -b $OCI/sc1 sc1 >$OCI/sc1.out 2>&1
check_eq "seccomp: the container with a logging profile ran" "$(cat $ROOTFS/tmp/sc1.ran 2>/dev/null)" ran
audit_sync
sc1_id=$("$CONTID" derive sc1)
sc=$(stamps_of 'type=SECCOMP .*comm="sh" .*syscall=110 .*code=0x7ffc0000' | tail -1)
check_match "seccomp: the SECCOMP record of the container's shell has its CONTAINER_INFO" \
	"$(records_of "$sc" | grep -aE 'type=(CONTAINER_INFO|UNKNOWN\[1350\]) ')" "op=task contid=$sc1_id\$"
runc delete -f sc1 >/dev/null 2>&1

# --- the hook's policy, with the module loaded ------------------------------
# hook_on PID NAME ANNOTATIONS CMD...: run CMD (a contid oci-hook command
# line) on the state of container NAME whose init is PID, with ANNOTATIONS
# (JSON members) as its annotations; HOOK_RC is its exit status.
hook_on() {
	printf '{"ociVersion":"1.0.2","id":"%s","status":"creating","pid":%s,"bundle":"%s","annotations":{%s}}' \
		"$2" "$1" "$OCI/$2" "$3" >$OCI/state.json
	shift 3
	HOOK_RC=0
	"$@" <$OCI/state.json >/dev/null 2>&1 || HOOK_RC=$?
}

# The annotation chooses nothing unless the administrator allows it.
bundle p1 "echo ran >/tmp/p1.ran" 4712 "" -
runc run --no-pivot -b $OCI/p1 p1 >$OCI/p1.out 2>&1
check_eq "policy: a container with an annotation and the default policy runs" \
	"$(cat $ROOTFS/tmp/p1.ran 2>/dev/null)" ran
p1_id=$("$CONTID" derive p1)
audit_sync
check_eq "policy: ... with the derived ID, not the annotation's" \
	"$(container_records any | grep -ac "op=set .*contid=$p1_id res=1")" 1
check_eq "policy: ... and no set to the annotation's ID" \
	"$(container_records any | grep -ac "contid=4712 ")" 0
check_match "policy: the hook logs the annotation it ignored" "$(cat $HOOK_LOG)" \
	"container p1 .*audit container ID $p1_id set \(derived from the container id; annotation io.audit-contid.id=\"4712\" ignored: the hook's policy does not let annotations choose the ID \(allow-annotation\)\)"
runc delete -f p1 >/dev/null 2>&1

# A rootless engine: the hook runs as root of a user namespace of its own
# (as under rootless podman) and can never set an ID.
sleep 1000 &
rl=$!
hook_on $rl rl1 "" unshare -r "$CONTID" oci-hook --log $HOOK_LOG
check_eq "rootless: the hook lets the container start (exit 0)" "$HOOK_RC" 0
check_match "rootless: ... and says it has no ID and why" "$(grep 'container rl1 ' $HOOK_LOG)" \
	"container rl1 \(pid $rl\): no audit container ID: cannot set the audit container ID of process $rl to [0-9]+ \(EPERM\).*\(it runs in a user namespace other than the initial one: a rootless engine\), so the container starts without one \(rootless = start\)"
check_eq "rootless: the kernel recorded the refusal" "$(refused_count $rl "contid=$("$CONTID" derive rl1)")" 1
check_eq "rootless: the process has no ID" "$(contid $rl)" "$UNSET"
audit_sync
check_eq "rootless: no mapping record (the hook cannot write records)" \
	"$(mapping_records start rl1 | grep -c .)" 0
check_eq "rootless: ... and the hook did not try" \
	"$(grep -c 'container rl1: cannot write its mapping record' $HOOK_LOG)" 0
hook_on $rl rl2 "" unshare -r "$CONTID" oci-hook --rootless=refuse --log $HOOK_LOG
check_eq "rootless: with --rootless=refuse the hook fails (exit 1)" "$HOOK_RC" 1
check_match "rootless: ... and says why" "$(grep 'container rl2: ' $HOOK_LOG)" \
	"error: container rl2: .*\(EPERM\).*rootless = refuse: the container must not start"
kill $rl
wait $rl 2>/dev/null

# A set acts on a pidfd: a process that has exited (its PID not yet free)
# never gets the ID, and the kernel is never asked.
sh -c 'sleep 0 & exec sleep 1000' &
zparent=$!
zombie=
i=0
while [ -z "$zombie" ] && [ $i -lt 100 ]; do
	zombie=$(grep -l "^PPid:[[:space:]]*$zparent\$" /proc/[0-9]*/status 2>/dev/null | head -1 | cut -d/ -f3)
	[ -n "$zombie" ] && grep -q '^State:[[:space:]]*Z' /proc/"$zombie"/status || zombie=
	sleep 0.1
	i=$((i + 1))
done
out=$("$CONTID" set "$zombie" 4713 2>&1)
check_eq "pidfd: contid set on a process that exited fails (exit 1)" "$?" 1
check_match "pidfd: ... with ESRCH" "$out" "cannot set the audit container ID of process $zombie to 4713 \(ESRCH\)"
hook_on "$zombie" z1 "" "$CONTID" oci-hook --log $HOOK_LOG
check_eq "pidfd: the hook on a process that exited fails (exit 1)" "$HOOK_RC" 1
audit_sync
check_eq "pidfd: no write reached the kernel" "$(container_records "$zombie" | grep -c .)" 0
kill $zparent
wait $zparent 2>/dev/null

# --- fail-closed: the ID cannot be set ------------------------------------
# Without the module every access to /proc/PID/containerid fails.
check "unload the module" rmmod audit_contid
for rt in runc crun; do
	name=${rt}-nomod
	bundle $name "echo ran >/tmp/$name.ran"
	if $rt run --no-pivot -b $OCI/$name $name >$OCI/$name.out 2>&1; then
		fail "$rt: refuses to start a container whose ID cannot be set" "it started"
	else
		pass "$rt: refuses to start a container whose ID cannot be set"
	fi
	check_eq "$rt: the container's command never ran" "$(ls $ROOTFS/tmp/$name.ran 2>/dev/null)" ""
	reason="error: container $name: cannot set the audit container ID of process [0-9]+ to [0-9]+ \(EOPNOTSUPP\): the audit_contid kernel module is not loaded"
	check_match "$rt: the hook's log says why" "$(cat $HOOK_LOG)" "$reason"
	if [ $rt = runc ]; then
		# runc puts a failed hook's stderr into its error message
		check_match "runc: its error output carries the hook's reason" "$(cat $OCI/$name.out)" "$reason"
	else
		# crun does not show a hook's output (unless the annotation
		# run.oci.hooks.stderr names a file): the hook's --log has it
		check_match "crun: its error output names the failed hook" "$(cat $OCI/$name.out)" \
			"error executing hook .?/usr/local/bin/contid.? \(exit code: 1\)"
	fi
	audit_sync
	check_match "$rt: the mapping record says the start failed" \
		"$(mapping_records start $name)" "vm-pid=[0-9]+ contid=[0-9]+ contid-from=derived runtime=\"$rt\" .* res=failed'"
	echo "INFO: $rt without the module: $(tr '\n' ' ' <$OCI/$name.out)"
	$rt delete -f $name >/dev/null 2>&1

	# The environment cannot switch fail-closed off: runc passes its own
	# environment to a hook entry without "env", so whoever runs runc
	# would control it.
	name=${rt}-env
	bundle $name "echo ran >/tmp/$name.ran" "" AUDIT_CONTID_OPTIONAL=1
	$rt run --no-pivot -b $OCI/$name $name >$OCI/$name.out 2>&1
	check_eq "$rt: AUDIT_CONTID_OPTIONAL=1 in the environment does not start the container" \
		"$(ls $ROOTFS/tmp/$name.ran 2>/dev/null)" ""
	check_match "$rt: ... and the hook says it ignored it" "$(cat $HOOK_LOG)" \
		"warning: AUDIT_CONTID_OPTIONAL=\"1\" in the hook's environment is ignored"
	$rt delete -f $name >/dev/null 2>&1

	# The administrator's opt-out, in the hook's own arguments.
	name=${rt}-optional
	bundle $name "echo ran >/tmp/$name.ran" "" "" '"--fail-open"'
	$rt run --no-pivot -b $OCI/$name $name >$OCI/$name.out 2>&1
	check_eq "$rt: with --fail-open the container runs" "$(cat $ROOTFS/tmp/$name.ran 2>/dev/null)" ran
	check_match "$rt: ... and the hook warns" "$(cat $HOOK_LOG)" \
		"warning: container $name: .*EOPNOTSUPP.*starting it without an audit container ID because the hook's policy is fail-open"
	$rt delete -f $name >/dev/null 2>&1
done

# The policy file: root's, writable by root only, or the hook refuses.
sleep 1000 &
sp=$!
conf=$OCI/hook.conf
printf '# test policy\nfail-open = yes\n' >$conf
chmod 0644 $conf
hook_on $sp cf1 "" "$CONTID" oci-hook --config $conf --log $HOOK_LOG
check_eq "policy file: fail-open = yes starts the container (exit 0)" "$HOOK_RC" 0
chmod 0666 $conf
hook_on $sp cf2 "" "$CONTID" oci-hook --config $conf --log $HOOK_LOG
check_eq "policy file: a file others may write is refused (exit 4)" "$HOOK_RC" 4
check_match "policy file: ... and the hook says why" "$(cat $HOOK_LOG)" \
	"error: the configuration $conf: its mode 0666 lets others than root write it; the container must not start"
chmod 0644 $conf
chown 1000 $conf
hook_on $sp cf3 "" "$CONTID" oci-hook --config $conf --log $HOOK_LOG
check_eq "policy file: a file that is not root's is refused (exit 4)" "$HOOK_RC" 4
check_match "policy file: ... and the hook says why" "$(cat $HOOK_LOG)" \
	"error: the configuration $conf: it belongs to uid 1000, not to root"
chown 0 $conf
printf 'fail-open = maybe\n' >$conf
hook_on $sp cf4 "" "$CONTID" oci-hook --config $conf --log $HOOK_LOG
check_eq "policy file: a bad value is refused (exit 4)" "$HOOK_RC" 4
hook_on $sp cf5 "" "$CONTID" oci-hook --config $OCI/no-such.conf --log $HOOK_LOG
check_eq "policy file: a missing --config file is refused (exit 4)" "$HOOK_RC" 4

# Fail-open per Kubernetes namespace, in CRI-O's and containerd's spelling.
for ann in io.kubernetes.cri-o.Namespace io.kubernetes.cri.sandbox-namespace; do
	hook_on $sp k1 "\"$ann\": \"kube-system\"" "$CONTID" oci-hook --fail-open-namespace kube-system --log $HOOK_LOG
	check_eq "namespace fail-open: $ann=kube-system starts (exit 0)" "$HOOK_RC" 0
	hook_on $sp k2 "\"$ann\": \"default\"" "$CONTID" oci-hook --fail-open-namespace kube-system --log $HOOK_LOG
	check_eq "namespace fail-open: $ann=default does not (exit 1)" "$HOOK_RC" 1
done
check_match "namespace fail-open: the hook says why it started one" "$(cat $HOOK_LOG)" \
	"warning: container k1: .*because its Kubernetes namespace kube-system \(io.kubernetes.cri.sandbox-namespace\) fails open"
audit_sync
check_eq "the mapping records name the Kubernetes namespace (both spellings)" \
	"$(mapping_records start k1 | grep -c " k8s-namespace=\"kube-system\" exe=.* res=failed'")" 2
kill $sp
wait $sp 2>/dev/null
check "reload the module" insmod /lib/modules/audit_contid.ko

# Fail-open covers a kernel that cannot give IDs (above: no module), not a
# refusal of the container's ID, which its creator could provoke: here
# EEXIST (the target has an ID already).
in_container_bg 9601 sleep 1000
fo_pid=$CPID
hook_on $fo_pid fo1 "" "$CONTID" oci-hook --fail-open --log $HOOK_LOG
check_eq "fail-open: a refused set still stops the container (exit 1)" "$HOOK_RC" 1
check_match "fail-open: ... and the hook says why" "$(cat $HOOK_LOG)" \
	"error: container fo1: .*\(EEXIST\).*the hook's policy is fail-open, but fail-open covers only a kernel that cannot give IDs"
check_eq "fail-open: ... and the kernel recorded the refusal" \
	"$(refused_count $fo_pid "contid=$("$CONTID" derive fo1)")" 1
kill $fo_pid
wait $fo_pid 2>/dev/null

# --- the containerid filter and CONTAINER_INFO records ---------------------
# A write inside a container matched by a rule on its ID, and the
# CONTAINER_INFO record of the event.
check_containerid_filter() {
	id=4242
	if auditctl -a exit,always -F dir=/tmp -F perm=wa -F containerid=$id -k ctrwrite >$OCI/auditctl.out 2>&1; then
		pass "auditctl takes -F containerid="
	else
		fail "auditctl takes -F containerid=" "$(cat $OCI/auditctl.out)"
	fi
	bundle f1 "echo hello >/tmp/f1.written" $id
	runc run --no-pivot -b $OCI/f1 f1 >$OCI/f1.out 2>&1
	check_eq "the container wrote its file" "$(cat $ROOTFS/tmp/f1.written 2>/dev/null)" hello
	echo host >/tmp/host.written
	audit_sync
	ev=$(grep -a 'type=SYSCALL' "$AUDIT_LOG" | grep -a 'key="ctrwrite"')
	sh_ev=$(echo "$ev" | grep -a 'comm="sh"' | grep -av " pid=$$ ")
	check_eq "the write inside the container matched the rule" "$(echo "$sh_ev" | grep -c .)" 1
	stamp=$(echo "$sh_ev" | head -1 | sed -n 's/.*msg=audit(\([0-9.:]*\)).*/\1/p')
	check_match "its event has a CONTAINER_INFO record" \
		"$(grep -a "audit($stamp)" "$AUDIT_LOG" 2>/dev/null)" \
		"type=(CONTAINER_INFO|UNKNOWN\[1350\]) msg=audit\($stamp\): op=task contid=$id"
	check_eq "the host's write to /tmp did not match" "$(echo "$ev" | grep -ac " pid=$$ ")" 0
	check_match "ausearch -k finds the container's write" \
		"$(ausearch -i -k ctrwrite 2>/dev/null)" "f1.written"
	auditctl -D >/dev/null 2>&1
	runc delete -f f1 >/dev/null 2>&1
}
check_containerid_filter

# --- a runtime inside a container ------------------------------------------
# runc run in container 8100 (docker-in-docker, CI runners): its hook is the
# new init's sibling, both inside 8100, so the hook may give the init a
# nested ID; the nested container's events stay container 8100's.
check "rule: writes under the rootfs' /tmp of container 8100" \
	auditctl -a exit,always -F dir=$ROOTFS/tmp -F perm=wa -F containerid=8100 -k nest
bundle n1 "echo inner >/tmp/n1.written; sleep 1000 & echo ready >/tmp/n1.ready; wait" 8101
in_container_bg 8100 runc run --no-pivot -b $OCI/n1 n1
nested_runc=$CPID
if wait_file $ROOTFS/tmp/n1.ready; then
	pass "nested: runc inside container 8100 started its container"
else
	fail "nested: runc inside container 8100 started its container" "$(cat $HOOK_LOG)"
fi
n1=$(state_pid runc n1)
check_eq "nested: the container's init has the nested ID" "$(contid "$n1")" 8101
check_eq "nested: the runtime keeps the outer ID" "$(contid $nested_runc)" 8100
audit_sync
check_match "nested: the set record names the outer container" \
	"$(container_records "$n1" | grep -a 'res=1')" "opid=$n1 old-contid=8100 contid=8101 res=1 outer=8100"
s=$(stamps_of 'key="nest"')
check_eq "nested: a rule for container 8100 selects the nested container's write" \
	"$(count_of 'name=".*n1.written"' "$(records_of "$s")")" 1
check_match "nested: its CONTAINER_INFO names the inner ID and the chain" \
	"$(records_of "$s")" "op=task contid=8101 outer=8100"
check_match "nested: ausearch --containerid 8100 finds it" \
	"$(ausearch -i --containerid 8100 -k nest 2>/dev/null)" "n1.written"
runc kill n1 KILL >/dev/null 2>&1
wait $nested_runc 2>/dev/null
runc delete -f n1 >/dev/null 2>&1
auditctl -D >/dev/null 2>&1

sed 's/^/INFO: hook log: /' $HOOK_LOG
finish
