#!/usr/bin/env bash
# The module reads task_struct and signal_struct through the generated Rust
# bindings; a layout that bindgen got wrong would make it read the wrong
# field.  Build every field's offset once with C and once with Rust against
# the test kernel and require them to agree.
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
. "$(dirname "$0")/../../scripts/lib/common.sh"

work=$BUILD/layout-check
rm -rf "$work"
mkdir -p "$work/c" "$work/rust"

python3 - "$KSRC/rust/bindings/bindings_generated.rs" "$work" <<'PY'
import re, sys
bindings, work = sys.argv[1], sys.argv[2]
src = open(bindings).read()
rows = []
for struct in ("task_struct", "signal_struct"):
    start = src.index("pub struct %s {" % struct)
    body = src[start:src.index("\n}\n", start)]
    for field in re.findall(r"\n    pub (\w+):", body):
        if not field.startswith("_"):
            rows.append((struct, field))
open(work + "/fields", "w").write("".join("%s.%s\n" % r for r in rows))
open(work + "/c/Kbuild", "w").write("obj-m += layout_c.o\n")
open(work + "/c/layout_c.c", "w").write(
    "// SPDX-License-Identifier: GPL-2.0\n#include <linux/module.h>\n"
    "#include <linux/sched/signal.h>\nunsigned long layout_offsets[] = {\n"
    + "".join("\toffsetof(struct %s, %s),\n" % r for r in rows)
    + "};\nMODULE_LICENSE(\"GPL\");\n")
open(work + "/rust/Kbuild", "w").write("obj-m += layout_rust.o\n")
open(work + "/rust/layout_rust.rs", "w").write(
    "// SPDX-License-Identifier: GPL-2.0\n//! Field offsets.\nuse kernel::prelude::*;\n"
    "module! { type: M, name: \"layout_rust\", author: \"audit-contid\", "
    "description: \"offsets\", license: \"GPL\", }\nstruct M;\n"
    "impl kernel::Module for M { fn init(_m: &'static ThisModule) -> Result<Self> { Ok(M) } }\n"
    "#[no_mangle]\n#[used]\npub static LAYOUT_OFFSETS: [usize; %d] = [\n" % len(rows)
    + "".join("    core::mem::offset_of!(kernel::bindings::%s, %s),\n" % r for r in rows)
    + "];\n")
PY

make -C "$KSRC" -s "${KERNEL_MAKE_VARS[@]}" M="$work/c" modules >/dev/null
make -C "$KSRC" -s "${KERNEL_MAKE_VARS[@]}" M="$work/rust" modules >/dev/null 2>&1

python3 - "$work" <<'PY'
import struct, subprocess, sys
work = sys.argv[1]
fields = open(work + "/fields").read().split()

def offsets(obj, sym):
    for line in subprocess.run(["objdump", "-t", obj], capture_output=True,
                               text=True, check=True).stdout.splitlines():
        parts = line.split()
        if parts and parts[-1] == sym:
            section, value = parts[-3], int(parts[0], 16)
            break
    else:
        sys.exit("symbol %s not found in %s" % (sym, obj))
    raw = work + "/section.bin"
    subprocess.run(["objcopy", "-O", "binary", "--only-section=" + section, obj, raw],
                   check=True)
    data = open(raw, "rb").read()
    return struct.unpack_from("<%dQ" % len(fields), data, value)

c = offsets(work + "/c/layout_c.o", "layout_offsets")
r = offsets(work + "/rust/layout_rust.o", "LAYOUT_OFFSETS")
bad = [(f, a, b) for f, a, b in zip(fields, c, r) if a != b]
for f, a, b in bad[:10]:
    print("%s: C offset %d, Rust offset %d" % (f, a, b))
print("%d fields compared, %d differ" % (len(fields), len(bad)))
sys.exit(1 if bad else 0)
PY
