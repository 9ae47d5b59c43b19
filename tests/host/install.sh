#!/usr/bin/env bash
# `make install` into a scratch DESTDIR with another PREFIX: the binary, the
# hooks.d entry (both stages, the binary's path substituted), the manual
# pages (contid(8) and one per command, which groff renders without a
# warning), the shell completions, the runtime wrappers' links; `make
# uninstall` removes them again.
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
. "$(dirname "$0")/../../scripts/lib/common.sh"
# shellcheck source=tests/lib/hostcheck.sh
. "$ROOT/tests/lib/hostcheck.sh"

dest=$BUILD/install-check
rm -rf "$dest"

make -s -C "$ROOT" install DESTDIR="$dest" PREFIX=/opt/ac >"$BUILD/install-check.log" 2>&1 ||
	fail "make install" "$(tail -5 "$BUILD/install-check.log")"
files=$(cd "$dest" && find . -type f | sort | paste -sd ' ')
check_eq "make install: the files" "$files" \
	"./opt/ac/bin/contid ./opt/ac/share/bash-completion/completions/contid ./opt/ac/share/doc/audit-contid/orchestrators.md ./opt/ac/share/doc/audit-contid/runc-config-snippet.json ./opt/ac/share/fish/vendor_completions.d/contid.fish ./opt/ac/share/man/man8/contid-completions.8 ./opt/ac/share/man/man8/contid-derive.8 ./opt/ac/share/man/man8/contid-exec.8 ./opt/ac/share/man/man8/contid-get.8 ./opt/ac/share/man/man8/contid-manpages.8 ./opt/ac/share/man/man8/contid-oci-hook.8 ./opt/ac/share/man/man8/contid-set.8 ./opt/ac/share/man/man8/contid.8 ./opt/ac/share/zsh/site-functions/_contid ./usr/share/containers/oci/hooks.d/audit-contid.json"
hook=$dest/usr/share/containers/oci/hooks.d/audit-contid.json
check_eq "make install: contid-runc and contid-crun are contid" \
	"$(readlink "$dest/opt/ac/bin/contid-runc") $(readlink "$dest/opt/ac/bin/contid-crun")" "contid contid"
check_eq "hooks.d: the installed binary's path" \
	"$(grep -c '"path": "/opt/ac/bin/contid"' "$hook")" 1
check_eq "hooks.d: createRuntime and poststop" \
	"$(grep -c '"stages": \["createRuntime", "poststop"\]' "$hook")" 1
for page in "$dest"/opt/ac/share/man/man8/*.8; do
	warnings=$(groff -man -ww -z "$page" 2>&1 || true)
	check_eq "man: $(basename "$page") renders without warnings" "$warnings" ""
done
check_eq "man: contid(8) has the exit statuses" \
	"$(groff -man -Tutf8 -P-cbou "$dest/opt/ac/share/man/man8/contid.8" 2>/dev/null | grep -c '^EXIT STATUS$')" 1
check_eq "man: contid-oci-hook(8) has the policy options" \
	"$(groff -man -Tascii -P-cbou "$dest/opt/ac/share/man/man8/contid-oci-hook.8" 2>/dev/null | grep -oE -- '--(fail-open|allow-annotation|rootless|fail-open-namespace)\b' | sort -u | wc -l)" 4
if bash -n "$dest/opt/ac/share/bash-completion/completions/contid" &&
	bash -c ". '$dest/opt/ac/share/bash-completion/completions/contid'; complete -p contid" | grep -q '_contid'; then
	pass "bash completion: loads and completes contid"
else
	fail "bash completion: loads and completes contid" "see the file"
fi
check_eq "contid --version" "$("$dest/opt/ac/bin/contid" --version)" "contid 0.1.0"
make -s -C "$ROOT" uninstall DESTDIR="$dest" PREFIX=/opt/ac >>"$BUILD/install-check.log" 2>&1 ||
	fail "make uninstall" "$(tail -5 "$BUILD/install-check.log")"
check_eq "make uninstall: nothing left" "$(cd "$dest" && find . -type f -o -type l | wc -l)" 0
checks_done
