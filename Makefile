# SPDX-License-Identifier: GPL-2.0
#
# Convenience targets; the scripts do the work.  The module itself is built
# by Kbuild (see Kbuild) against the test kernel under build/.

.PHONY: all module kernel guest check demo clean

all: module

module:
	scripts/build-module

kernel:
	scripts/build-kernel

guest:
	scripts/build-all

check:
	scripts/check

demo:
	scripts/demo

clean:
	rm -rf build
