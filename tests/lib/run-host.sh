# shellcheck shell=bash
# shellcheck disable=SC2154  # globals that tests/run sets
# The host part of tests/run: cargo test over the workspace, the lints
# (rustfmt, clippy, checkpatch), shellcheck over the scripts, the host-side
# scenario scripts (tests/host) and vm-run's own tests (tests/vmrun).

host_cargo() {
	if [ -f "$ROOT/Cargo.toml" ]; then
		echo "== cargo test"
		if cargo test --workspace --manifest-path "$ROOT/Cargo.toml" \
			--target-dir "$BUILD/cargo" >"$results/cargo.log" 2>&1; then
			cargo_ok=1
		else
			cargo_ok=0
		fi
		n_pass=0 n_fail=0
		while read -r p f; do
			n_pass=$((n_pass + p))
			n_fail=$((n_fail + f))
		done < <(sed -n 's/^test result: [a-zA-Z]*\. \([0-9]*\) passed; \([0-9]*\) failed.*/\1 \2/p' "$results/cargo.log")
		passed=$((passed + n_pass))
		failed=$((failed + n_fail))
		if [ "$cargo_ok" -eq 0 ] && [ "$n_fail" -eq 0 ]; then
			record fail "cargo test" "did not build or run (see $results/cargo.log)"
		fi
		grep -E '^test .* FAILED$' "$results/cargo.log" | while read -r line; do echo "  $line"; done || true
		echo "   $n_pass passed, $n_fail failed"
	fi
}

host_lints() {
	echo "== lints"
	mapfile -t module_rs < <(find "$ROOT/src" -name '*.rs' | sort)
	host_check "rustfmt (module)" rustfmt --edition 2021 --check \
		--config-path "$KSRC/.rustfmt.toml" "${module_rs[@]}"
	host_check "rustfmt (workspace)" cargo fmt --all --check --manifest-path "$ROOT/Cargo.toml"
	host_check "clippy (workspace)" cargo clippy -q --workspace --all-targets \
		--manifest-path "$ROOT/Cargo.toml" --target-dir "$BUILD/cargo" -- -D warnings
	host_check "clippy (module, kernel rustc)" env CLIPPY=1 "$ROOT/scripts/build-module"
	mapfile -t series < <(find "$ROOT/patches/linux" -name '*.patch' ! -name '0000-*' | sort)
	for p in "${series[@]}"; do
		host_check "checkpatch --strict $(basename "$p")" \
			perl "$KSRC/scripts/checkpatch.pl" --strict --no-tree -q "$p"
	done
}

host_shellcheck() {
	echo "== shellcheck"
	mapfile -t shell_files < <(cd "$ROOT" && { ls scripts/* scripts/guest/init tests/run tests/host/*.sh tests/vmrun/*.sh .ci/run 2>/dev/null; ls scripts/lib/*.sh scripts/guest/*.sh tests/lib/*.sh tests/guest/*.sh bench/*.sh; } | sort -u)
	for f in "${shell_files[@]}"; do
		[ -f "$ROOT/$f" ] || continue
		head -1 "$ROOT/$f" | grep -q 'sh' || [ "${f##*.}" = sh ] || continue
		if out=$(cd "$ROOT" && shellcheck -x "$f" 2>&1); then
			record pass "shellcheck $f"
		else
			record fail "shellcheck $f" "$(echo "$out" | head -5)"
			echo "$out" | head -20
		fi
	done
}

host_scripts_run() {
	for t in "${host_scripts[@]}"; do
		run_script "$t"
		report_script "host/$(basename "$t" .sh)"
	done
}

# vm-run's own tests boot the guest a few times; they run in the background,
# overlapping the guest batch, which spends much of its time waiting.
# Everything they need is built by now (the kernel, the module, the guest).
vmrun_start() {
	vmrun_pid=
	if [ "${#vmrun_tests[@]}" -gt 0 ]; then
		(
			for t in "${vmrun_tests[@]}"; do
				VMRUN_NO_BUILD=1 run_script "$t"
			done
		) &
		vmrun_pid=$!
	fi
}

vmrun_collect() {
	if [ -n "$vmrun_pid" ]; then
		wait "$vmrun_pid" || true
		for t in "${vmrun_tests[@]}"; do
			report_script "vmrun/$(basename "$t" .sh)"
		done
	fi
}
