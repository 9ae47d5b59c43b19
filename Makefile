# SPDX-License-Identifier: GPL-2.0
#
# Convenience targets; the scripts do the work.  The module itself is built
# by Kbuild (see Kbuild) against the test kernel under build/, or, as any
# out-of-tree module, against the kernel tree KDIR names (built with
# CONFIG_RUST and the hook series of patches/linux applied):
#
#   make KDIR=/path/to/linux          # the module, in this directory
#   make rust-analyzer                # rust-project.json for editors

.PHONY: all module kernel guest check demo bench clean install uninstall rust-analyzer

# `make install` installs contid, the orchestrators' CLI and OCI hook (see
# docs/orchestrators.md): PREFIX and DESTDIR as usual.  The hooks.d entry
# goes where podman and CRI-O look for it, whatever PREFIX is.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DOCDIR ?= $(PREFIX)/share/doc/audit-contid
HOOKSDIR ?= /usr/share/containers/oci/hooks.d
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
CARGO ?= cargo
CARGO_TARGET_DIR ?= build/cargo

all: module

KDIR ?=

module:
ifeq ($(KDIR),)
	scripts/build-module
else
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules
endif

# Without KDIR, against the test kernel (built if needed); the file is
# written here, where editors look for it.
rust-analyzer:
ifeq ($(KDIR),)
	scripts/build-module --rust-analyzer
else
	$(MAKE) -C $(KDIR) M=$(CURDIR) rust-analyzer
endif

kernel:
	scripts/build-kernel

guest:
	scripts/build-all

check:
	scripts/check

demo:
	scripts/demo

# What the module costs against the stock kernel (docs/benchmarks.md);
# BENCH_FLAGS passes options, e.g. BENCH_FLAGS=--icount.
bench:
	scripts/bench $(BENCH_FLAGS)

clean:
ifneq ($(KDIR),)
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
endif
	rm -rf build rust-project.json

install:
	$(CARGO) build --release --locked -p contid --target-dir $(CARGO_TARGET_DIR)
	install -D -m 0755 $(CARGO_TARGET_DIR)/release/contid $(DESTDIR)$(BINDIR)/contid
	ln -sf contid $(DESTDIR)$(BINDIR)/contid-runc
	ln -sf contid $(DESTDIR)$(BINDIR)/contid-crun
	install -d $(DESTDIR)$(HOOKSDIR) $(DESTDIR)$(DOCDIR)
	sed 's|/usr/local/bin/contid|$(BINDIR)/contid|' tools/contid/hooks/audit-contid.json \
		>$(DESTDIR)$(HOOKSDIR)/audit-contid.json
	sed 's|/usr/local/bin/contid|$(BINDIR)/contid|' tools/contid/hooks/runc-config-snippet.json \
		>$(DESTDIR)$(DOCDIR)/runc-config-snippet.json
	chmod 0644 $(DESTDIR)$(HOOKSDIR)/audit-contid.json $(DESTDIR)$(DOCDIR)/runc-config-snippet.json
	install -m 0644 docs/orchestrators.md $(DESTDIR)$(DOCDIR)/orchestrators.md
	install -d $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	$(CARGO_TARGET_DIR)/release/contid manpages $(DESTDIR)$(MANDIR)/man8 >/dev/null
	$(CARGO_TARGET_DIR)/release/contid completions bash >$(DESTDIR)$(BASHCOMPDIR)/contid
	$(CARGO_TARGET_DIR)/release/contid completions zsh >$(DESTDIR)$(ZSHCOMPDIR)/_contid
	$(CARGO_TARGET_DIR)/release/contid completions fish >$(DESTDIR)$(FISHCOMPDIR)/contid.fish

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/contid $(DESTDIR)$(BINDIR)/contid-runc $(DESTDIR)$(BINDIR)/contid-crun
	rm -f $(DESTDIR)$(HOOKSDIR)/audit-contid.json
	rm -f $(DESTDIR)$(DOCDIR)/runc-config-snippet.json $(DESTDIR)$(DOCDIR)/orchestrators.md
	rm -f $(DESTDIR)$(MANDIR)/man8/contid.8 $(DESTDIR)$(MANDIR)/man8/contid-*.8
	rm -f $(DESTDIR)$(BASHCOMPDIR)/contid $(DESTDIR)$(ZSHCOMPDIR)/_contid $(DESTDIR)$(FISHCOMPDIR)/contid.fish
	-rmdir $(DESTDIR)$(DOCDIR)
