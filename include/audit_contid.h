/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * audit_contid.h - the userspace interface of audit container IDs
 *
 * For programs that set or read audit container IDs (orchestrators, OCI
 * hooks), write rules on them or read their records (audisp plugins, log
 * shippers).  Every value here is also in the kernel's headers once the
 * audit-contid hook series is applied (<linux/audit.h>,
 * <linux/audit_contid.h>); tests/host/abi.sh checks that they agree, and
 * the module and its tools are tied to them by static assertions and host
 * tests.  docs/records.md describes the records, docs/errors.md the
 * errors of the /proc file.
 */
#ifndef _AUDIT_CONTID_UAPI_H
#define _AUDIT_CONTID_UAPI_H

#include <linux/types.h>

/* Record types (nlmsg_type of the audit netlink messages). */
#ifndef AUDIT_CONTAINER
#define AUDIT_CONTAINER		1020	/* Audit container ID set attempt */
#endif
#ifndef AUDIT_CONTAINER_INFO
#define AUDIT_CONTAINER_INFO	1350	/* Audit container ID of a task */
#endif

/*
 * The rule field: struct audit_rule_data.fields[i], with a value of 8
 * bytes in buf (the u64 in host byte order), values[i] holding its
 * length.  On the exit, exclude and user lists.
 */
#ifndef AUDIT_CONTAINERID
#define AUDIT_CONTAINERID 27	/* Audit container ID, a u64 passed in buf */
#endif

/*
 * In the "features" bitmap of AUDIT_GET (struct audit_status): the kernel
 * knows the rule field.
 */
#ifndef AUDIT_FEATURE_BITMAP_CONTAINERID
#define AUDIT_FEATURE_BITMAP_CONTAINERID	0x00000080
#endif

/* The ID of a task that has none (the host), in records and rules. */
#ifndef AUDIT_CID_UNSET
#define AUDIT_CID_UNSET ((__u64)-1)	/* no audit container ID: the host */
#endif

/*
 * /proc/PID/containerid: a write is one decimal u64 (optionally followed
 * by a newline) in at most AUDIT_CONTID_WRITE_MAX bytes, at offset 0; a
 * read returns the decimal ID and a newline, never more than
 * AUDIT_CONTID_READ_MAX bytes.
 */
#define AUDIT_CONTID_WRITE_MAX	64
#define AUDIT_CONTID_READ_MAX	32

/*
 * The deepest nesting: an ID set by a container is nested in the writer's;
 * a chain has at most this many IDs (outermost: the one the host set).
 * A set that would go deeper fails with EMLINK.
 */
#define AUDIT_CONTID_MAX_DEPTH	8

#endif /* _AUDIT_CONTID_UAPI_H */
