# shellcheck shell=bash
# The checks of the host test scripts (tests/host/*.sh): PASS:/FAIL: lines
# as tests/run counts them; a script ends with `checks_done`.
failed=0

pass() { echo "PASS: $1"; }

# fail NAME WHY
fail() {
	echo "FAIL: $1: $2"
	failed=1
}

# check_eq NAME GOT WANT
check_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', expected '$3'"; fi
}

# checks_done: exit 1 if any check failed, else 0
checks_done() {
	exit "$failed"
}
