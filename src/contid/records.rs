// SPDX-License-Identifier: GPL-2.0

//! The module's records (AUDIT_CONTAINER, AUDIT_CONTAINER_INFO) and what a
//! `containerid` rule matches.

use super::set::Outcome;
use super::with_effective_info;
use crate::logic::chain::{self, Op};
use crate::logic::record::{self, InfoSubject, SetAttempt};
use crate::sys::audit::{self, Fields, Record};
use crate::sys::task::{self, TaskRef};

/// Writes the fields of an AUDIT_CONTAINER_INFO record that gives
/// `contid` as the ID of `subject`.  For the event's own task (current)
/// the containers its container is nested in are named too.  Runs in
/// whatever context the event is logged in: formats into a stack buffer,
/// never sleeps.
pub(crate) fn log_info(mut fields: Fields<'_>, subject: InfoSubject, contid: u64) {
    let text = match subject {
        InfoSubject::Task => with_effective_info(task::current().task(), |i| match i {
            Some(i) => record::info_record(subject, i.contid(), i.container().nesting().outer()),
            None => record::info_record(subject, contid, &[]),
        }),
        InfoSubject::Target { .. } => record::info_record(subject, contid, &[]),
    };
    fields.append(text.as_bytes_with_nul());
}

/// Whether `t` satisfies the rule `containerid OP value`.
pub(crate) fn task_matches(t: TaskRef<'_>, op: Op, value: u64) -> bool {
    with_effective_info(t, |i| {
        chain::rule_matches(i.map(|i| i.container().nesting()), op, value)
    })
}

/// Writes the AUDIT_CONTAINER record of a set attempt on `target` of the
/// ID `contid` (`None`: the input was not an ID).
pub(crate) fn log_set_attempt(target: TaskRef<'_>, contid: Option<u64>, outcome: &Outcome) {
    if !audit::enabled() {
        return;
    }
    let current = task::current();
    let writer = current.task();
    let mut tty_buf = [0u8; 64];
    let attempt = SetAttempt {
        pid: writer.tgid(),
        uid: writer.uid(),
        auid: writer.loginuid(),
        tty: audit::current_tty_name(&mut tty_buf),
        ses: writer.sessionid(),
        opid: target.tgid(),
        old_contid: outcome.old,
        contid,
        outer: outcome.writer.as_ref().map_or(&[], |c| c.ids()),
        success: outcome.result.is_ok(),
    };
    let (Ok(head), Ok(tail)) = (
        record::set_record_head(&attempt),
        record::set_record_tail(&attempt),
    ) else {
        return;
    };
    // A new ID names the container's namespaces too (the target's, after
    // the set; a target that exited meanwhile has none to name).
    let ns = attempt
        .success
        .then(|| record::ns_fields(&target.namespaces()));
    if let Some(mut r) = Record::start_in_syscall(audit::AUDIT_CONTAINER) {
        r.append(head.as_bytes_with_nul());
        r.append_task_context();
        r.append(tail.as_bytes_with_nul());
        if let Some(ns) = &ns {
            r.append(ns.as_bytes_with_nul());
        }
    }
}
