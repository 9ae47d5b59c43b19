// SPDX-License-Identifier: GPL-2.0

//! /proc/PID/containerid: reads and writes, authorised for the task doing
//! the system call and for the opener of the file.

use super::records::log_set_attempt;
use super::set::{self, Outcome};
use super::{contid_of, State};
use crate::logic::policy::{self, Privilege};
use crate::logic::value::{self, MAX_WRITE};
use crate::logic::{record, text};
use crate::sys::caps::{self, OpenFile};
use crate::sys::errno;
use crate::sys::task::TaskRef;
use kernel::error::{code, Error, Result};

/// The privilege of the current task, reading or writing through `file`.
fn privilege(file: OpenFile<'_>) -> Privilege {
    Privilege {
        caller_capable: caps::audit_control(),
        opener_capable: file.opener_has_audit_control(),
    }
}

/// The error of a module that is going away, as if it were not loaded.
fn not_loaded() -> Error {
    errno::not_supported()
}

/// read(2) of /proc/PID/containerid through `file`.
pub(crate) fn proc_read(
    st: &State,
    t: TaskRef<'_>,
    file: OpenFile<'_>,
    out: &mut [u8],
) -> Result<usize> {
    if st.draining() {
        return Err(not_loaded());
    }
    if !policy::may_read(privilege(file)) {
        return Err(code::EPERM);
    }
    let text = record::proc_value(contid_of(t));
    let text = text.as_bytes();
    if out.len() < text.len() {
        return Err(code::EINVAL);
    }
    Ok(text::copy_prefix(out, text))
}

/// write(2) of /proc/PID/containerid through `file`.
///
/// `data` is the start of what was written (all of it unless `count`, the
/// length of the write, exceeds [`MAX_WRITE`]); `pos` is the file offset.
pub(crate) fn proc_write(
    st: &State,
    target: TaskRef<'_>,
    file: OpenFile<'_>,
    data: &[u8],
    count: usize,
    pos: i64,
) -> Result<usize> {
    if st.draining() {
        return Err(not_loaded());
    }
    let parsed = if pos != 0 {
        // Partial writes are refused: the value is one write.
        Err(code::EINVAL)
    } else if count > MAX_WRITE || data.len() != count {
        Err(code::EINVAL)
    } else {
        value::parse(data).map_err(|_| code::EINVAL)
    };
    let outcome = match parsed {
        Ok(id) => set::set(st, target, privilege(file), id),
        Err(e) => Outcome::early(target, Err(e)),
    };
    log_set_attempt(target, parsed.ok(), &outcome);
    outcome.result?;
    Ok(count)
}
