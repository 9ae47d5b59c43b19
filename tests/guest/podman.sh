#!/bin/sh
# podman (Debian's) with contid-runc as its OCI runtime (`podman
# --runtime`), as an administrator sets up an engine whose hooks.d does not
# have contid: `podman run` gives the container its ID before its program
# runs, `podman exec` puts the exec'd process into the container's audit
# container, podman's own processes (podman, conmon) keep none, the trail
# has the mapping records and the container's end once, and `ausearch
# --containerid` finds what an exec'd process did and nothing of the host;
# and podman with the installed hooks.d entry, with runc and with the
# wrapper (one hook, not two).
# Root, cgroupfs, --network=none, vfs storage, chroot instead of pivot_root
# (scripts/guest/containers/containers.conf).
# kernel: bench
# shellcheck source=tests/lib/testlib.sh
. /usr/local/lib/testlib.sh

# The binary (testlib's `contid` is a shell function that reads an ID).
CONTID=/usr/local/bin/contid
IMAGE=localhost/contid-busybox
KEY=podman-mkdir

# podman_rt ARGS...: podman with the wrapper as its runtime.
podman_rt() {
	podman --runtime=/usr/local/bin/contid-runc "$@"
}

tar -C /usr/share/contid-oci/rootfs -cf /tmp/busybox.tar .
if out=$(podman import /tmp/busybox.tar $IMAGE 2>&1); then
	pass "podman: the busybox image is imported"
else
	fail "podman: the busybox image is imported" "$out"
fi
auditctl -a always,exit -F arch=b64 -S mkdir,mkdirat -F key=$KEY >/dev/null

# --- podman run -d, exec, rm --------------------------------------------------
engine_run_d podman podman_rt p1
conmon=$(podman inspect -f '{{.State.ConmonPid}}' p1)
check_eq "podman run: conmon keeps no ID" "$(contid "$conmon")" "$UNSET"
check_eq "podman run: conmon is the init's parent" "$(ppid_of "$init")" "$conmon"
check_eq "podman run: the wrapper added the hook to podman's bundle (createRuntime, poststop)" \
	"$(grep -c '"oci-hook"' "/var/lib/containers/storage/vfs-containers/$cid/userdata/config.json")" 2

podman_rt exec p1 sleep 1005 &
pexec=$!
e5=$(pid_of "sleep 1005")
check_eq "podman exec: the exec'd process has the container's ID" "$(contid "$e5")" "$id"
check_eq "podman exec: podman itself keeps no ID" "$(contid $pexec)" "$UNSET"
e5_parent=$(ppid_of "$e5")
check_eq "podman exec: the exec'd process's parent is a conmon" "$(cat "/proc/$e5_parent/comm")" conmon
check_eq "podman exec: ... which keeps no ID" "$(contid "$e5_parent")" "$UNSET"
# (a missing process would leave podman waiting for 1005 s)
kill "${e5:-$pexec}"
wait $pexec
check_eq "podman exec: exits with the exec'd process's status (SIGTERM: 143)" "$?" 143
engine_exec podman podman_rt p1 $KEY
check_match "... an event whose CONTAINER_INFO has the container's ID" \
	"$(ausearch --containerid "$id" -k $KEY 2>/dev/null | grep -a '^type=CONTAINER_INFO ')" \
	"op=task contid=$id\$"

podman_rt rm -f -t 0 p1 >/dev/null 2>&1
check_eq "podman rm: the container is gone" "$(podman ps -aq --filter name=p1 | grep -c .)" 0
check_removed p1
check_eq "ausearch --containerid finds the mapping records and the drop" \
	"$(ausearch --containerid "$id" -m VIRT_CONTROL,CONTAINER 2>/dev/null |
		grep -aoE "op=(start|stop|drop|set)" | sort -u | paste -sd' ')" \
	"op=drop op=set op=start op=stop"

# --- podman run --rm in the foreground ----------------------------------------
podman_rt run --rm --name p2 --network=none --cidfile /tmp/p2.cid $IMAGE \
	sh -c 'mkdir /tmp/made-by-p2; exit 3' >/dev/null 2>&1
check_eq "podman run --rm: exits with the container's status" "$?" 3
check_ended "podman run --rm" p2 $KEY

# --- podman with the installed hooks.d entry -----------------------------------
# podman adds the hook itself (--hooks-dir): with plain runc, and with the
# wrapper, which then adds no second one.
HOOKS=/usr/local/share/contid/hooks.d
podman --hooks-dir $HOOKS run --rm --name p3 --network=none --cidfile /tmp/p3.cid $IMAGE \
	sh -c 'mkdir /tmp/made-by-p3' >/dev/null 2>&1
check_eq "podman --hooks-dir, runc: the container ran" "$?" 0
check_ended "podman --hooks-dir" p3 $KEY
cid4=$(podman_rt --hooks-dir $HOOKS run -d --name p4 --network=none $IMAGE sleep 1000 2>/dev/null)
check_eq "podman --hooks-dir with the wrapper: the hook is in the bundle once per stage" \
	"$(grep -c '"oci-hook"' "/var/lib/containers/storage/vfs-containers/$cid4/userdata/config.json")" 2
check_eq "podman --hooks-dir with the wrapper: the init has the ID" \
	"$(contid "$(podman inspect -f '{{.State.Pid}}' p4)")" "$("$CONTID" derive "$cid4")"
podman rm -f -t 0 p4 >/dev/null 2>&1

auditctl -d always,exit -F arch=b64 -S mkdir,mkdirat -F key=$KEY >/dev/null
finish
