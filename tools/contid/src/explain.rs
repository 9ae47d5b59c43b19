// SPDX-License-Identifier: GPL-2.0

//! What went wrong and what to do about it, for every errno that
//! /proc/PID/containerid returns (docs/errors.md) and for the values that
//! are not audit container IDs.

use contid_logic::value::ParseError;
use std::fmt;
use std::io;

/// What contid was doing with /proc/PID/containerid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Writing `id` to the file of `pid`.
    Set { pid: i32, id: u64 },
    /// Reading the file of `pid`.
    Get { pid: i32 },
}

impl Action {
    /// The process the action is about.
    pub fn pid(self) -> i32 {
        match self {
            Action::Set { pid, .. } | Action::Get { pid } => pid,
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Set { pid, id } => {
                write!(
                    f,
                    "cannot set the audit container ID of process {pid} to {id}"
                )
            }
            Action::Get { pid } => write!(f, "cannot read the audit container ID of process {pid}"),
        }
    }
}

/// A failed access to /proc/PID/containerid.
#[derive(Debug)]
pub struct ProcError {
    pub action: Action,
    pub error: io::Error,
    /// Whether /proc/PID existed when the access failed (tells "no such
    /// process" from "this kernel has no containerid file").
    pub process_exists: bool,
}

impl ProcError {
    /// The errno, if the failure came from the kernel.
    pub fn errno(&self) -> Option<i32> {
        self.error.raw_os_error()
    }
}

impl fmt::Display for ProcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&explain(
            self.action,
            self.errno(),
            &self.error,
            self.process_exists,
        ))
    }
}

/// The symbolic name of the errnos the proc file returns.
pub fn errno_name(errno: i32) -> Option<&'static str> {
    Some(match errno {
        libc::EPERM => "EPERM",
        libc::ENOENT => "ENOENT",
        libc::ESRCH => "ESRCH",
        libc::ENOMEM => "ENOMEM",
        libc::EACCES => "EACCES",
        libc::EFAULT => "EFAULT",
        libc::EBUSY => "EBUSY",
        libc::EEXIST => "EEXIST",
        libc::EXDEV => "EXDEV",
        libc::EINVAL => "EINVAL",
        libc::EOPNOTSUPP => "EOPNOTSUPP",
        libc::ENXIO => "ENXIO",
        libc::EMLINK => "EMLINK",
        libc::ENOTUNIQ => "ENOTUNIQ",
        _ => return None,
    })
}

/// The message for a failed `action`: what happened, why, and what to do.
/// `errno` is the kernel's answer (None for a failure that is not an
/// errno, such as an unreadable value), `error` its text.
pub fn explain(
    action: Action,
    errno: Option<i32>,
    error: &io::Error,
    process_exists: bool,
) -> String {
    let pid = action.pid();
    let setting = matches!(action, Action::Set { .. });
    let why = match errno {
        Some(libc::ENOENT) if process_exists => "this kernel has no /proc/PID/containerid. \
             Boot a kernel built with the audit-contid hook series \
             (CONFIG_AUDIT_CONTID_HOOKS=y) and load audit_contid.ko"
            .to_string(),
        Some(libc::ENOENT) => {
            format!("there is no process {pid}. Check the PID: the process may have exited already")
        }
        Some(libc::ESRCH) => format!(
            "process {pid} is exiting or has exited. \
             If it is a container's first process, the container failed to start"
        ),
        Some(libc::EOPNOTSUPP) => "the audit_contid kernel module is not loaded \
             (or is being unloaded). Load it: `modprobe audit_contid` or \
             `insmod audit_contid.ko`"
            .to_string(),
        Some(libc::EPERM) => format!(
            "permission denied: {} an audit container ID needs CAP_AUDIT_CONTROL \
             in the initial user namespace, for contid and for whoever opened \
             the file. Run contid as root on the host, not in a user namespace \
             or a container",
            if setting { "setting" } else { "reading" }
        ),
        Some(libc::EACCES) => "a process cannot set its own audit container ID, nor that \
             of another thread of its own process. Set it from another process: \
             the orchestrator, or `contid exec` for a new command"
            .to_string(),
        Some(libc::EXDEV) => format!(
            "contid runs inside an audit container (its own ID is set) and \
             process {pid} is not inside that container: a container may only \
             give IDs to its own processes. Set the ID from the host"
        ),
        Some(libc::ENXIO) => format!(
            "process {pid} is a kernel thread or a kernel worker (io_uring, \
             vhost): they never get an audit container ID"
        ),
        Some(libc::EMLINK) => "containers would nest too deep: an audit container \
             can be nested in at most 7 others"
            .to_string(),
        Some(libc::ENOTUNIQ) => "the ID belongs to a container that exists elsewhere \
             (on the host, or nested in another container): IDs are unique. \
             Choose another ID"
            .to_string(),
        Some(libc::EBUSY) => format!(
            "process {pid} has already started processes of its own, and the ID \
             must cover its whole process tree. Set the ID before the process \
             forks: from an OCI createRuntime hook (`contid oci-hook`), or start \
             the command with `contid exec`"
        ),
        Some(libc::EEXIST) => format!(
            "the audit container ID of process {pid} was set already, and an ID \
             is set only once. `contid get {pid}` shows it; a process that \
             needs another ID must be started anew"
        ),
        Some(libc::ENOMEM) => "the kernel had no memory for the ID of every thread \
             of the process. Try again when the machine has more free memory"
            .to_string(),
        Some(libc::EINVAL) if setting => "the kernel refused the value: an ID is one \
             decimal number from 0 to 18446744073709551614, written whole, \
             at offset 0, in one write"
            .to_string(),
        _ => format!("{error}"),
    };
    let code = match errno.and_then(errno_name) {
        Some(name) => format!(" ({name})"),
        None => String::new(),
    };
    format!("{action}{code}: {why}")
}

/// What is wrong with a value that is not an audit container ID.
pub fn parse_error(e: ParseError) -> &'static str {
    match e {
        ParseError::Empty => "it is empty",
        ParseError::TooLong => "it is longer than 64 bytes",
        ParseError::NotANumber => "it is not a decimal number",
        ParseError::Overflow => "it is larger than 18446744073709551614",
        ParseError::Unset => {
            "it is the unset value (no container, the host), which cannot be assigned"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(action: Action, errno: i32, exists: bool) -> String {
        explain(
            action,
            Some(errno),
            &io::Error::from_raw_os_error(errno),
            exists,
        )
    }

    const SET: Action = Action::Set { pid: 42, id: 7 };
    const GET: Action = Action::Get { pid: 42 };

    #[test]
    fn every_errno_of_the_proc_file_has_its_own_message() {
        let cases: &[(i32, bool, &[&str])] = &[
            (libc::EINVAL, true, &["(EINVAL)", "one decimal number"]),
            (
                libc::EPERM,
                true,
                &["(EPERM)", "CAP_AUDIT_CONTROL", "setting"],
            ),
            (
                libc::EACCES,
                true,
                &["(EACCES)", "its own audit container ID"],
            ),
            (libc::ESRCH, true, &["(ESRCH)", "exiting or has exited"]),
            (
                libc::EXDEV,
                true,
                &["(EXDEV)", "inside an audit container", "not inside"],
            ),
            (libc::ENXIO, true, &["(ENXIO)", "kernel thread"]),
            (libc::EMLINK, true, &["(EMLINK)", "nest too deep"]),
            (libc::ENOTUNIQ, true, &["(ENOTUNIQ)", "unique"]),
            (
                libc::EBUSY,
                true,
                &["(EBUSY)", "processes of its own", "contid exec"],
            ),
            (
                libc::EEXIST,
                true,
                &["(EEXIST)", "set only once", "contid get 42"],
            ),
            (libc::ENOMEM, true, &["(ENOMEM)", "memory"]),
            (
                libc::EOPNOTSUPP,
                true,
                &["(EOPNOTSUPP)", "not loaded", "insmod"],
            ),
            (libc::ENOENT, false, &["(ENOENT)", "no process 42"]),
            (libc::ENOENT, true, &["(ENOENT)", "hook series"]),
        ];
        let mut seen = Vec::new();
        for (errno, exists, needles) in cases {
            let m = msg(SET, *errno, *exists);
            assert!(
                m.starts_with("cannot set the audit container ID of process 42 to 7 ("),
                "{m}"
            );
            for n in *needles {
                assert!(m.contains(n), "{m:?} lacks {n:?}");
            }
            assert!(!seen.contains(&m), "duplicate message {m}");
            seen.push(m);
        }
    }

    #[test]
    fn read_errors() {
        let m = msg(GET, libc::EPERM, true);
        assert!(m.starts_with("cannot read the audit container ID of process 42 (EPERM)"));
        assert!(m.contains("reading an audit container ID needs CAP_AUDIT_CONTROL"));
        assert!(msg(GET, libc::EOPNOTSUPP, true).contains("not loaded"));
        assert!(msg(GET, libc::ENOENT, false).contains("no process 42"));
    }

    #[test]
    fn unknown_errors_keep_the_system_text() {
        let m = msg(SET, libc::EIO, true);
        assert!(m.starts_with("cannot set the audit container ID of process 42 to 7: "));
        assert!(m.contains(&io::Error::from_raw_os_error(libc::EIO).to_string()));
        let e = io::Error::new(io::ErrorKind::InvalidData, "not a number: x");
        assert_eq!(
            explain(GET, None, &e, true),
            "cannot read the audit container ID of process 42: not a number: x"
        );
    }

    #[test]
    fn parse_errors() {
        assert!(parse_error(ParseError::Unset).contains("unset value"));
        assert!(parse_error(ParseError::Overflow).contains("18446744073709551614"));
        assert_eq!(
            parse_error(ParseError::NotANumber),
            "it is not a decimal number"
        );
    }
}
