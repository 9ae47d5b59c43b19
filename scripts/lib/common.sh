# shellcheck shell=bash disable=SC2034
# Paths and toolchain settings shared by the project's scripts.  Sourced.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=$ROOT/build

# The kernels the project builds from Debian's linux-source-6.12:
#   test   the hook series and scripts/kernel/test-kernel.config: KASAN,
#          lockdep, kmemleak, fault injection (the default);
#   bench  the same source and series with a production-style config
#          (scripts/kernel/bench-kernel.config over the test fragment): the
#          benchmark kernel, and the light kernel of the tests where KASAN
#          is not the point;
#   stock  the bench configuration without the hook series: the baseline
#          of every benchmark ratio (the module cannot load on it).
# use_kernel FLAVOUR sets KFLAVOUR, KSRC (its tree), KKEY (its cache key
# file) and KMODULE (where build-module puts audit_contid.ko for it).
use_kernel() {
	case "$1" in
	test)
		KSRC=$BUILD/linux
		KKEY=$BUILD/kernel.key
		KMODULE=$BUILD/module
		;;
	bench | stock)
		KSRC=$BUILD/linux-$1
		KKEY=$BUILD/kernel-$1.key
		KMODULE=$BUILD/module-$1
		;;
	*)
		echo "unknown kernel \"$1\" (test, bench or stock)" >&2
		exit 2
		;;
	esac
	KFLAVOUR=$1
}
use_kernel test
export PATH="$HOME/.cargo/bin:$PATH"

# Out-of-tree Rust code must be built by the exact rustc the kernel was
# configured with; Debian's rustc-web matches its rust-web-src.
# KASAN together with Rust needs a clang-built kernel (RUST depends on
# !KASAN || CC_IS_CLANG), so the kernel and the module use LLVM 19.
KERNEL_MAKE_VARS=(
	LLVM=-19
	RUSTC=/usr/bin/rustc
	RUSTDOC=/usr/bin/rustdoc
	HOSTRUSTC=/usr/bin/rustc
	CLIPPY_DRIVER=/usr/bin/clippy-driver
	BINDGEN=bindgen
)
export LIBCLANG_PATH=/usr/lib/llvm-19/lib

# Number of make jobs: one more than the cores, as measured fastest here.
JOBS=$(($(nproc) + 1))

# A line of the guest's kernel log that reports a problem: a BUG, WARNING,
# KASAN, lockdep, RCU or might_sleep report, or a kmemleak leak.
SPLAT_RE='WARNING:|BUG:|Oops|general protection fault|Kernel panic|kernel BUG'
SPLAT_RE+='|possible recursive locking|possible circular locking|inconsistent lock state'
SPLAT_RE+='|suspicious RCU usage|DEBUG_LOCKS_WARN_ON|INFO: task .* blocked'
SPLAT_RE+='|rcu: INFO|self-detected stall|unreferenced object|UBSAN:|Call Trace:'
SPLAT_RE+='|sleeping function called'

# first_splat_line LOG: the line number of LOG's first report, or nothing.
first_splat_line() {
	{ grep -anE "$SPLAT_RE" "$1" || true; } | head -1 | cut -d: -f1
}

log() {
	printf '%s: %s\n' "$(basename "$0")" "$*" >&2
}

die() {
	log "error: $*"
	exit 1
}

# Hash of the named files and strings, used as a content cache key.
content_key() {
	local item
	for item in "$@"; do
		if [ -f "$item" ]; then
			printf '%s\n' "${item#"$ROOT"/}"
			sha256sum <"$item"
		else
			printf '%s\n' "$item"
		fi
	done | sha256sum | cut -d' ' -f1
}

# make_initramfs DIR OUT: the files under DIR as a gzipped newc cpio
# archive OUT (sorted, so that the same files give the same archive),
# written to a new file renamed over OUT.
make_initramfs() {
	local dir=$1 out=$2
	(cd "$dir" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) |
		gzip -1 >"$out.tmp"
	mv "$out.tmp" "$out"
}

# copy_with_libs BIN ROOT DEST: install BIN as ROOT/DEST with the shared
# libraries it needs, at the paths the loader expects.
copy_with_libs() {
	local bin=$1 root=$2 dest=$3 lib libs
	libs=$(ldd "$bin" 2>&1) || libs=
	if grep -q 'not found' <<<"$libs"; then
		die "$bin needs libraries this machine lacks: $(grep 'not found' <<<"$libs" | tr -s ' \t\n' ' ')"
	fi
	install -D -m 0755 "$bin" "$root$dest"
	while read -r lib; do
		[ -e "$root$lib" ] || install -D -m 0755 "$lib" "$root$lib"
	done < <(grep -o '/[^ ]*' <<<"$libs" || true)
}
