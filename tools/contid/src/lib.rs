// SPDX-License-Identifier: GPL-2.0

//! contid: the orchestrators' side of audit container IDs.  Sets and reads
//! /proc/PID/containerid, runs as an OCI createRuntime hook for runc and
//! crun (and so for podman and CRI-O), and runs commands, such as
//! `runc exec`, inside a container's audit container.  See
//! docs/orchestrators.md.

pub mod cli;
pub mod derive;
pub mod exec;
pub mod explain;
pub mod hook;
pub mod policy;
pub mod procfs;

use cli::Cmd;
use contid_logic::value::UNSET;
use procfs::Proc;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// Exit statuses (docs/orchestrators.md).
pub mod exit {
    /// Done.
    pub const OK: u8 = 0;
    /// The kernel refused (or there is no such process); the message says
    /// why and what to do.
    pub const REFUSED: u8 = 1;
    /// Bad command line (clap's own status for usage errors).
    pub const USAGE: u8 = 2;
    /// oci-hook: standard input is not a usable OCI state, or the ID
    /// annotation is not an ID.
    pub const BAD_INPUT: u8 = 3;
    /// oci-hook: its configuration file cannot be read, is not root's, or
    /// is invalid.
    pub const BAD_CONFIG: u8 = 4;
    /// exec: contid could not run the command with the ID.
    pub const EXEC_FAILED: u8 = 125;
    /// exec: the command cannot be executed.
    pub const CANNOT_EXECUTE: u8 = 126;
    /// exec: the command was not found.
    pub const NOT_FOUND: u8 = 127;
}

/// How `get` prints `id`.
pub fn format_id(id: u64, raw: bool) -> String {
    if id == UNSET && !raw {
        "unset".to_string()
    } else {
        id.to_string()
    }
}

/// The hook's log: standard error, and a file if one was given.
struct Log {
    file: Option<File>,
}

impl Log {
    fn open(path: Option<&Path>) -> Log {
        let file = path.and_then(
            |p| match OpenOptions::new().create(true).append(true).open(p) {
                Ok(f) => Some(f),
                Err(e) => {
                    eprintln!(
                        "contid oci-hook: warning: cannot open log file {}: {e}",
                        p.display()
                    );
                    None
                }
            },
        );
        Log { file }
    }

    fn line(&mut self, msg: &str) {
        eprintln!("contid oci-hook: {msg}");
        if let Some(f) = self.file.as_mut() {
            let t = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default();
            // One write(2) per line: hooks of containers that start at
            // the same time append to the same file (O_APPEND).
            let line = format!(
                "{}.{:03} contid[{}]: {msg}\n",
                t.as_secs(),
                t.subsec_millis(),
                std::process::id()
            );
            let _ = f.write_all(line.as_bytes());
        }
    }
}

/// The hook's policy from its configuration file: `path`, or the default
/// file if it exists.  The file must be root's and writable by root only
/// (checked on the open file, so that it cannot be swapped in between).
fn load_policy(path: Option<&Path>) -> Result<policy::Policy, String> {
    use std::os::unix::fs::MetadataExt;
    let (path, must_exist) = match path {
        Some(p) => (p, true),
        None => (Path::new(policy::DEFAULT_CONFIG), false),
    };
    let mut p = policy::Policy::default();
    let f = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !must_exist => return Ok(p),
        Err(e) => {
            return Err(format!(
                "cannot open the configuration {}: {e}",
                path.display()
            ))
        }
    };
    let bad = |why: String| format!("the configuration {}: {why}", path.display());
    let meta = f.metadata().map_err(|e| bad(e.to_string()))?;
    if !meta.is_file() {
        return Err(bad("not a regular file".to_string()));
    }
    policy::trusted_owner(meta.uid(), meta.mode()).map_err(bad)?;
    let mut text = String::new();
    f.take(1 << 16)
        .read_to_string(&mut text)
        .map_err(|e| bad(e.to_string()))?;
    p.apply_file(&text).map_err(bad)?;
    Ok(p)
}

/// Runs a parsed command line against the real /proc; returns the exit
/// status.
pub fn run(cmd: Cmd) -> u8 {
    let proc = Proc::default();
    match cmd {
        Cmd::Set { pid, id } => match proc.set(pid, id) {
            Ok(()) => exit::OK,
            Err(e) => {
                eprintln!("contid: {e}");
                exit::REFUSED
            }
        },
        Cmd::Get { raw, pid } => match proc.get(pid) {
            Ok(id) => {
                println!("{}", format_id(id, raw));
                exit::OK
            }
            Err(e) => {
                eprintln!("contid: {e}");
                exit::REFUSED
            }
        },
        Cmd::Derive { container_id } => {
            println!("{}", derive::derive_id(&container_id));
            exit::OK
        }
        Cmd::OciHook {
            log,
            config,
            fail_open,
            allow_annotation,
            rootless,
            fail_open_namespace,
        } => {
            let mut log = Log::open(log.as_deref());
            let mut policy = match load_policy(config.as_deref()) {
                Ok(p) => p,
                Err(e) => {
                    log.line(&format!("error: {e}; the container must not start"));
                    return exit::BAD_CONFIG;
                }
            };
            policy.apply_args(fail_open, allow_annotation, rootless, fail_open_namespace);
            let mut input = Vec::new();
            if let Err(e) = std::io::stdin()
                .lock()
                .take(hook::MAX_STATE)
                .read_to_end(&mut input)
            {
                log.line(&format!("error: cannot read the state from stdin: {e}"));
                return exit::BAD_INPUT;
            }
            let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
            let cx = hook::Context {
                privilege: policy::privileged(
                    &read("/proc/self/status"),
                    &read("/proc/self/uid_map"),
                ),
                old_optional_env: std::env::var(policy::OLD_OPTIONAL_ENV).ok(),
            };
            hook::run(&input, &proc, &policy, &cx, &mut |m| log.line(m))
        }
        Cmd::Exec { like, id, command } => {
            let id = match (like, id) {
                (_, Some(id)) => id,
                (Some(pid), None) => match proc.get(pid) {
                    Ok(UNSET) => {
                        eprintln!(
                            "contid exec: process {pid} has no audit container ID; not running {:?}",
                            command[0]
                        );
                        return exit::EXEC_FAILED;
                    }
                    Ok(id) => id,
                    Err(e) => {
                        eprintln!("contid exec: {e}; not running {:?}", command[0]);
                        return exit::EXEC_FAILED;
                    }
                },
                (None, None) => unreachable!("clap requires --like or --id"),
            };
            exec::run(&proc, id, &command)
        }
        Cmd::WaitExec { gate, id, command } => exec::wait_and_exec(&proc, &gate, id, &command),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_output() {
        assert_eq!(format_id(42, false), "42");
        assert_eq!(format_id(UNSET, false), "unset");
        assert_eq!(format_id(UNSET, true), "18446744073709551615");
        assert_eq!(format_id(0, true), "0");
    }
}
