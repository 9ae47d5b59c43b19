#!/usr/bin/env bash
# What laurel (Debian's package, an audisp plugin that turns events into
# JSON lines) makes of the project's records, fed as auditd feeds its
# plugins (format = string: one record per line).  The checks pin the
# behaviour docs/records.md describes ("laurel"), so that a laurel that
# changes it is noticed:
#   - a mapping record (VIRT_CONTROL virt=container) is kept whole, its
#     fields in "msg";
#   - the CONTAINER_INFO record of a syscall event comes out as an object of
#     its own with the event's "ID", before the event;
#   - laurel reads a contid of an even number of digits as hex-encoded bytes
#     (9504 -> "%95%04"), one of an odd number as it is, and outer= the
#     same way;
#   - AUDIT_CONTAINER records (op=set, op=drop) are refused ("cannot parse
#     header") and never reach laurel's log;
#   - the CONTAINER_INFO of a message from userspace is refused as a
#     "duplicate event id" (laurel has already written the message).
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
. "$(dirname "$0")/../../scripts/lib/common.sh"
# shellcheck source=tests/lib/hostcheck.sh
. "$ROOT/tests/lib/hostcheck.sh"

# Debian's package, unpacked into build/ (installing it would register an
# audisp plugin with the machine's auditd).
pkg=$BUILD/laurel-pkg
laurel=$pkg/root/usr/sbin/laurel
if [ ! -x "$laurel" ]; then
	rm -rf "$pkg"
	mkdir -p "$pkg"
	(cd "$pkg" && apt-get download -q laurel >download.log 2>&1) ||
		die "cannot download Debian's laurel package"
	dpkg-deb -x "$pkg"/laurel_*.deb "$pkg/root"
fi
work=$BUILD/laurel
rm -rf "$work"
mkdir -p "$work/out"

cat >"$work/config.toml" <<EOF
directory = "$work/out"
statusreport-period = 0
[auditlog]
file = "audit.log"
EOF
cat >"$work/in.log" <<'EOF'
type=CONTAINER msg=audit(1700000060.100:701): op=set pid=610 uid=0 auid=4294967295 tty=(none) ses=4294967295 opid=620 old-contid=18446744073709551615 contid=9504 res=1
type=SYSCALL msg=audit(1700000060.100:701): arch=c000003e syscall=1 success=yes exit=5 a0=3 a1=7ffc1 a2=5 a3=0 items=0 ppid=600 pid=610 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm="contid" exe="/usr/local/bin/contid" key=(null)
type=VIRT_CONTROL msg=audit(1700000060.110:702): pid=610 uid=0 auid=4294967295 ses=4294967295 msg='virt=container op=start reason=create vm="r1" uuid=r1 vm-pid=620 contid=9504 contid-from=derived runtime="runc" bundle="/tmp/oci/r1" exe="/usr/local/bin/contid" hostname=? addr=? terminal=? res=success'
type=SYSCALL msg=audit(1700000060.200:703): arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=7ffd3c1b2e6f a2=941 a3=1b6 items=0 ppid=620 pid=621 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm="touch" exe="/usr/bin/touch" key="k1"
type=CONTAINER_INFO msg=audit(1700000060.200:703): op=task contid=9504
type=PROCTITLE msg=audit(1700000060.200:703): proctitle=746F756368
type=SYSCALL msg=audit(1700000060.300:704): arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=7ffd3c1b2e6f a2=941 a3=1b6 items=0 ppid=620 pid=622 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm="touch" exe="/usr/bin/touch" key="k1"
type=CONTAINER_INFO msg=audit(1700000060.300:704): op=task contid=95041 outer=9504
type=PROCTITLE msg=audit(1700000060.300:704): proctitle=746F756368
type=USER msg=audit(1700000060.400:705): pid=950 uid=0 auid=4294967295 ses=4294967295 msg='text=hello exe="/usr/sbin/auditctl" hostname=? addr=? terminal=? res=success'
type=CONTAINER_INFO msg=audit(1700000060.400:705): op=task contid=42
type=CONTAINER msg=audit(1700000065.000:706): op=drop auid=4294967295 ses=4294967295 contid=9504 res=1
type=DAEMON_END msg=audit(1700000069.000:707): op=terminate auid=-1 uid=-1 ses=-1 pid=-1 subj=? res=success
EOF
"$laurel" -c "$work/config.toml" <"$work/in.log" 2>"$work/err" || fail "laurel ran" "$(tail -3 "$work/err")"
out=$work/out/audit.log
echo "INFO: $("$laurel" --version 2>&1 | head -1)"
sed 's/^/INFO: laurel wrote: /' "$out"
sed -n 's/^[^ ]*laurel: \(Error.*\) processing msg.*/INFO: laurel: \1/p' "$work/err" | cut -c1-160
line() { grep -F "\"ID\":\"1700000060.$1\"" "$out" | grep -F "$2" || true; }
check_eq "laurel: the mapping record kept whole" \
	"$(line 110:702 '"VIRT_CONTROL":' | grep -c 'contid=9504 contid-from=derived runtime=\\"runc\\"')" 1
check_eq "laurel: a CONTAINER_INFO is an object of its own with the event's ID" \
	"$(line 200:703 '"CONTAINER_INFO":' | grep -c '^{"ID":"1700000060.200:703","CONTAINER_INFO":{"op":"task","contid":')" 1
check_eq "laurel: ... and the syscall event another, without it" \
	"$(line 200:703 '"SYSCALL":' | grep -c 'CONTAINER_INFO')" 0
check_eq "laurel: ... which comes after it" \
	"$(grep -nF '"ID":"1700000060.200:703"' "$out" | cut -d: -f1 | paste -sd ' ' | awk '{print ($1 < $2) ? "before" : "after"}')" before
check_eq "laurel: an even number of digits is read as hex bytes (9504)" \
	"$(line 200:703 '"CONTAINER_INFO":' | sed 's/.*"contid":"\([^"]*\)".*/\1/')" "%95%04"
check_eq "laurel: an odd number of digits as it is (95041), outer= like contid" \
	"$(line 300:704 '"CONTAINER_INFO":' | sed 's/.*"contid":"\([^"]*\)","outer":"\([^"]*\)".*/\1 \2/')" "95041 %95%04"
check_eq "laurel: AUDIT_CONTAINER records are refused" \
	"$(grep -c 'Error cannot parse header: .*input: "CONTAINER msg=audit' "$work/err")" 2
check_eq "laurel: ... and not written" "$(grep -c 'op=set\|op=drop\|"CONTAINER":' "$out")" 0
check_eq "laurel: the CONTAINER_INFO of a message is refused (duplicate event id)" \
	"$(grep -c 'Error duplicate event id 1700000060.400:705' "$work/err")" 1
check_eq "laurel: ... the message itself is written" "$(line 400:705 '"USER":' | grep -c 'text=hello')" 1
checks_done
