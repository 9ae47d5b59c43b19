#!/bin/sh
# Docker (Debian's docker.io 20.10 and containerd 1.6) with contid-runc as
# its default runtime, set up as docs/orchestrators.md says (dockerd
# --add-runtime, --default-runtime; containerd's runc shim then runs the
# wrapper as its runc): `docker run` gives the container its ID before its
# program runs, `docker exec` puts the exec'd process into the container's
# audit container, dockerd, containerd and the shim keep none, the trail
# has the mapping records and the container's end once, and `ausearch
# --containerid` finds what an exec'd process did and nothing of the host.
# Root, cgroupfs, no bridge and no iptables (--network=none), vfs storage,
# and DOCKER_RAMDISK (runc without pivot_root, which fails on the guest's
# root, the initramfs).
# kernel: bench
# needs: docker
# shellcheck source=tests/lib/testlib.sh
. /usr/local/lib/testlib.sh

IMAGE=contid-busybox
KEY=docker-mkdir

mkdir -p /var/lib/docker /etc/docker
DOCKER_RAMDISK=1 dockerd --add-runtime contid=/usr/local/bin/contid-runc \
	--default-runtime contid --bridge=none --iptables=false --ip6tables=false \
	--ip-masq=false --storage-driver=vfs --exec-opt native.cgroupdriver=cgroupfs \
	>/tmp/dockerd.log 2>&1 &
dockerd=$!
i=0
while ! docker version >/dev/null 2>&1 && [ $i -lt 600 ] && kill -0 $dockerd 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
if docker version >/dev/null 2>&1; then
	pass "dockerd answers"
else
	fail "dockerd answers" "$(tail -20 /tmp/dockerd.log)"
	finish
fi
check_eq "dockerd: contid-runc is the default runtime" \
	"$(docker info -f '{{.DefaultRuntime}}' 2>&1)" contid
containerd=$(pidof containerd)
check_eq "dockerd and its containerd keep no ID" \
	"$(contid $dockerd) $(contid "$containerd")" "$UNSET $UNSET"

tar -C /usr/share/contid-oci/rootfs -cf /tmp/busybox.tar .
check "docker import: the busybox image" docker import /tmp/busybox.tar $IMAGE
auditctl -a always,exit -F arch=b64 -S mkdir,mkdirat -F key=$KEY >/dev/null

# --- docker run -d, exec, rm -f -----------------------------------------------
engine_run_d docker docker d1
shim=$(ppid_of "$init")
check_eq "docker run: the init's parent is containerd's runc shim" \
	"$(cat "/proc/$shim/comm")" containerd-shim
check_eq "docker run: ... which keeps no ID" "$(contid "$shim")" "$UNSET"
bundle=$(find /run/docker/containerd /var/run/docker/containerd -path "*/moby/$cid/config.json" 2>/dev/null | head -1)
check_eq "docker run: the wrapper added the hook to the bundle (createRuntime, poststop)" \
	"$(grep -o '"oci-hook"' "$bundle" 2>/dev/null | grep -c .)" 2

docker exec d1 sleep 1005 &
dexec=$!
e5=$(pid_of "sleep 1005")
check_eq "docker exec: the exec'd process has the container's ID" "$(contid "$e5")" "$id"
check_eq "docker exec: the docker client keeps no ID" "$(contid $dexec)" "$UNSET"
check_eq "docker exec: the exec'd process's parent is the container's shim" "$(ppid_of "$e5")" "$shim"
# (a missing process would leave the client waiting for 1005 s)
kill "${e5:-$dexec}"
wait $dexec
engine_exec docker docker d1 $KEY

docker rm -f d1 >/dev/null 2>&1
check_eq "docker rm -f: the container is gone" "$(docker ps -aq --filter name=d1 | grep -c .)" 0
check_removed d1

# --- docker run --rm in the foreground ----------------------------------------
docker run --rm --name d2 --network=none --cidfile /tmp/d2.cid $IMAGE \
	sh -c 'mkdir /tmp/made-by-d2; exit 3' >/dev/null 2>&1
check_eq "docker run --rm: exits with the container's status" "$?" 3
check_ended "docker run --rm" d2 $KEY

auditctl -d always,exit -F arch=b64 -S mkdir,mkdirat -F key=$KEY >/dev/null
# Stop dockerd (and so its containerd).  Not a check: on a loaded host its
# shutdown has taken more than 30 s; what is left after 60 s is killed.
# running PID: neither gone nor a zombie
running() {
	[ -e "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}
kill $dockerd
i=0
while running $dockerd && [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
if running $dockerd; then
	echo "INFO: dockerd still runs 60 s after SIGTERM: killed"
	# shellcheck disable=SC2046  # the pids, one word each
	kill -9 $dockerd $(pidof containerd containerd-shim-runc-v2) 2>/dev/null
fi
wait $dockerd
finish
