#!/usr/bin/env bash
# The public interface (include/audit_contid.h) is the one source of the
# project's numbers: every value it defines that the kernel also defines is
# defined the same way by the kernel's headers once the hook series is
# applied, and the header compiles on its own as C.  (The Rust side is tied
# to it by the host test of src/logic/abi.rs and by the module's
# static_assert!s against the kernel's bindings.)
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
. "$(dirname "$0")/../../scripts/lib/common.sh"

header=$ROOT/include/audit_contid.h
kernel_headers=("$KSRC/include/uapi/linux/audit.h" "$KSRC/include/linux/audit_contid.h")

# defines FILE...: "NAME VALUE" for each #define with a value, comments
# and spacing removed.
defines() {
	sed -n 's|/\*.*\*/||; s/^[[:space:]]*#define[[:space:]]\{1,\}\([A-Z_][A-Z0-9_]*\)[[:space:]]\{1,\}\(.*[^[:space:]]\)[[:space:]]*$/\1 \2/p' "$@"
}

failed=0
compared=0
kernel=$(defines "${kernel_headers[@]}")
while read -r name value; do
	case "$name" in _*) continue ;; esac
	theirs=$(awk -v n="$name" '$1 == n { $1 = ""; sub(/^ /, ""); print }' <<<"$kernel")
	if [ -z "$theirs" ]; then
		case "$name" in
		AUDIT_CONTID_MAX_DEPTH) continue ;; # the module's limit, not the kernel's
		esac
		echo "FAIL: $name is not defined by the kernel's headers"
		failed=1
	elif [ "$theirs" != "$value" ]; then
		echo "FAIL: $name is '$value' here, '$theirs' in the kernel"
		failed=1
	else
		echo "PASS: $name $value"
		compared=$((compared + 1))
	fi
done < <(defines "$header")
[ "$compared" -ge 6 ] || { echo "FAIL: only $compared values compared"; failed=1; }

# The header stands alone, in C and C++, next to the system's own.
for lang in c c++; do
	if printf '#include <linux/audit.h>\n#include "%s"\nint main(void) { return AUDIT_CONTAINERID != 27; }\n' "$header" |
		cc -x "$lang" -Wall -Wextra -Werror -fsyntax-only - 2>&1; then
		echo "PASS: the header compiles as $lang"
	else
		echo "FAIL: the header does not compile as $lang"
		failed=1
	fi
done
exit "$failed"
