#!/bin/sh
# The demo scenario, run in the guest by scripts/demo: runc starts real
# containers whose createRuntime hook (contid oci-hook) gives them audit
# container IDs, a rule selects one container's file writes, and the audit
# tools show its events.
set -e
say() {
	printf '\n== %s\n' "$*"
}
sync_log() {
	auditctl -m "demo-sync-$1" >/dev/null
	i=0
	while ! grep -q "demo-sync-$1" /var/log/audit/audit.log && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

say "kernel $(uname -r), module: $(lsmod | grep -o '^audit_contid'), $(runc --version | head -1)"
demo=/tmp/demo
mkdir -p $demo
cp -a /usr/share/contid-oci/rootfs $demo/rootfs
mkdir -p $demo/rootfs/data

# bundle NAME ANNOTATIONS CMD: a runc bundle whose config.json has contid as
# createRuntime hook.  The guest's root is an initramfs: runc runs with
# --no-pivot.
bundle() {
	mkdir -p "$demo/$1"
	cat >"$demo/$1/config.json" <<EOF
{
	"ociVersion": "1.0.2",
	"process": {"terminal": false, "user": {"uid": 0, "gid": 0},
		"args": ["sh", "-c", "$3"], "env": ["PATH=/bin"], "cwd": "/"},
	"root": {"path": "$demo/rootfs", "readonly": false},
	"hostname": "$1",
	"annotations": {$2},
	"hooks": {"createRuntime": [
		{"path": "/usr/local/bin/contid", "args": ["contid", "oci-hook", "--allow-annotation", "--log", "$demo/hook.log"]}
	]},
	"mounts": [
		{"destination": "/proc", "type": "proc", "source": "proc"},
		{"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"]}
	],
	"linux": {"cgroupsPath": "/demo/$1",
		"namespaces": [{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}]}
}
EOF
}

say "the security officer: audit every file that container 123456 writes under /data"
echo "# auditctl -a exit,always -F dir=$demo/rootfs/data -F perm=wa -F containerid=123456 -k ctr-writes"
auditctl -a exit,always -F dir=$demo/rootfs/data -F perm=wa -F containerid=123456 -k ctr-writes
echo "# auditctl -l"
auditctl -l

bundle web '"io.audit-contid.id": "123456"' \
	'sh -c \"echo report >/data/report.txt\"; echo web: a child wrote /data/report.txt'
bundle batch '' \
	'echo other >/data/other.txt; echo batch: wrote /data/other.txt'
say "runc run web   (annotation io.audit-contid.id=123456)"
runc run --no-pivot -b $demo/web web
say "runc run batch (no annotation: ID derived from the container id, $(contid derive batch))"
runc run --no-pivot -b $demo/batch batch
echo host >$demo/rootfs/data/host.txt
echo "host: wrote $demo/rootfs/data/host.txt"
say "the hook's log"
cat $demo/hook.log

say "a process cannot set its own ID:"
contid-test write /proc/self/containerid 5 || true
sync_log 1

say "ausearch -i -m container: every attempt to set an ID (the hook is the writer, runc's init the target)"
ausearch -i -m container 2>/dev/null | grep -a 'type=CONTAINER '

say "ausearch -i -k ctr-writes -sc openat: the writes the rule selected (container 123456's only)"
ausearch -i -k ctr-writes -sc openat 2>/dev/null

say "ausearch -i --containerid 123456: every event of container 123456"
ausearch -i --containerid 123456 2>/dev/null

say "aureport -i --containerid: events per container"
aureport -i --containerid 2>/dev/null

say "the raw records of the rule's event"
grep -a 'type=SYSCALL .*key="ctr-writes"' /var/log/audit/audit.log |
	sed -n 's/.*msg=audit(\([0-9.:]*\)).*/\1/p' | sort -u | while read -r stamp; do
	grep -aF "msg=audit($stamp)" /var/log/audit/audit.log | cut -c1-220
done
