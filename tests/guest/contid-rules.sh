#!/bin/sh
# Who may set what: self-set, targets with children, writers inside a
# container, inherited IDs overridden once.
# kernel: bench
# shellcheck source=tests/lib/testlib.sh
. /usr/local/lib/testlib.sh
T=contid-test

# No self-set, from the main thread or from another thread.
expect_refused "self-set" EACCES any 55 $T self-set 55
expect_refused "self-set from another thread" EACCES any 56 $T self-set 56 --from-thread

# A target that already has children.
sh -c 'sleep 1000 & echo $! >/tmp/pkid; wait' &
p=$!
wait_for_file /tmp/pkid
expect_refused "target with a child" EBUSY $p 60 $T write /proc/$p/containerid 60
check_eq "target with a child keeps no ID" "$(contid $p)" "$UNSET"

# A writer inside a container may only act on its own descendants.
sleep 1000 &
victim=$!
mkfifo /tmp/gate1
$T gate /tmp/gate1 $T write /proc/$victim/containerid 999 >/tmp/out1 &
w=$!
echo 500 >/proc/$w/containerid
echo go >/tmp/gate1
wait $w
check_eq "container writer on a host process: EXDEV" "$(cat /tmp/out1)" EXDEV
audit_sync
check_eq "... recorded" "$(count_records $victim "contid=999 res=0")" 1
check_eq "... the host process keeps no ID" "$(contid $victim)" "$UNSET"

sleep 1000 &
other=$!
echo 510 >/proc/$other/containerid
mkfifo /tmp/gate2
$T gate /tmp/gate2 $T write /proc/$other/containerid 511 >/tmp/out2 &
w2=$!
echo 501 >/proc/$w2/containerid
echo go >/tmp/gate2
wait $w2
check_eq "container writer on another container's process: EXDEV" "$(cat /tmp/out2)" EXDEV
check_eq "... which keeps its ID" "$(contid $other)" 510

mkfifo /tmp/gate3
# (the shell itself writes, so that the target is the writer's child)
$T gate /tmp/gate3 sh -c 'sleep 1000 & c=$!; echo 503 >/proc/$c/containerid && echo ok; cat /proc/$c/containerid; kill $c' >/tmp/out3 &
w3=$!
echo 502 >/proc/$w3/containerid
echo go >/tmp/gate3
wait $w3
check_eq "container writer on its own descendant: allowed" "$(cat /tmp/out3)" "ok
503"

# Inherited once, overridden once, then final.
mkfifo /tmp/gate4
rm -f /tmp/kid
$T gate /tmp/gate4 sh -c 'sleep 1000 & echo $! >/tmp/kid; wait' &
parent=$!
echo 600 >/proc/$parent/containerid
echo go >/tmp/gate4
wait_for_file /tmp/kid
kid=$(cat /tmp/kid)
check_eq "the child inherited the ID" "$(contid $kid)" 600
check_eq "an inherited ID may be overridden" "$($T write /proc/$kid/containerid 601)" ok
check_eq "... and reads back" "$(contid $kid)" 601
audit_sync
check_match "override record shows the inherited ID as old" "$(container_records $kid | tail -1)" \
	"opid=$kid old-contid=600 contid=601 res=1"
expect_refused "but only once" EEXIST $kid 602 $T write /proc/$kid/containerid 602
check_eq "the parent kept its own ID" "$(contid $parent)" 600

kill $victim $other $kid $p 2>/dev/null
finish
