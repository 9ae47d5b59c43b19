# shellcheck shell=bash
# shellcheck disable=SC2154  # globals that tests/run sets
# Bookkeeping shared by the parts of tests/run: results, selection, and the
# runners of host checks and host-side test scripts.  Sourced by tests/run,
# which sets ROOT, BUILD, results, passed, failed, failures and patterns.

record() { # record pass|fail NAME [WHY]
	if [ "$1" = pass ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		failures+=("$2${3:+: $3}")
	fi
}

selected() {
	local f=$1 pat
	[ "${#patterns[@]}" -eq 0 ] && return 0
	for pat in "${patterns[@]}"; do
		case "$(basename "$f")" in *"$pat"*) return 0 ;; esac
	done
	return 1
}

# host_check NAME CMD...: one test that passes when CMD succeeds and prints
# nothing that looks like a warning.
host_check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1) && ! grep -qE '^(warning|error)(\[|:)|^(WARNING|ERROR|CHECK):' <<<"$out"; then
		record pass "$name"
	else
		record fail "$name" "$(head -5 <<<"$out")"
		head -30 <<<"$out"
	fi
}

# report_script NAME: record the result of a host-side test script whose
# output is in $results/NAME.log and exit status in $results/NAME.rc.
report_script() {
	local name=$1 log=$results/${1//\//_}.log
	echo "== $name"
	if [ "$(cat "$results/${1//\//_}.rc")" -eq 0 ]; then
		record pass "$name"
		echo "   PASS"
	else
		record fail "$name" "see $log"
		sed 's/^/   /' "$log" | tail -20
	fi
}

# run_script FILE: run a host-side test script, leaving NAME.log and NAME.rc.
run_script() {
	local name base rc=0
	name=$(basename "$(dirname "$1")")/$(basename "$1" .sh)
	base=$results/${name//\//_}
	bash "$1" >"$base.log" 2>&1 || rc=$?
	echo "$rc" >"$base.rc"
}

