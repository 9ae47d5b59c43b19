// SPDX-License-Identifier: GPL-2.0

//! `contid exec`: run a command with an audit container ID.
//!
//! OCI runtimes run no hook for `runc exec` / `crun exec`, so a process
//! that is exec'd into a running container would be outside its audit
//! container.  `contid exec --like PID -- runc exec CTR CMD...` closes that
//! gap: the ID is set on a process *before* it runs the runtime, so that the
//! runtime, its `runc init` and the exec'd command all inherit it.
//!
//! A process cannot set its own ID, and once it runs the runtime it is too
//! late, so:
//!
//! 1. the parent (`contid exec`, on the host, without an ID) creates a
//!    gate: an unlinked file that it holds an exclusive `flock` on;
//! 2. it starts `contid __wait-exec`, which opens the gate through
//!    /proc/<parent>/fd/<n> and waits for a shared lock on it;
//! 3. the parent writes the ID to the child's /proc/<child>/containerid
//!    (the child has no children yet, so the kernel allows it);
//! 4. on success the parent writes `go` into the gate and unlocks it; the
//!    child checks the word and its own ID, then execs the command;
//! 5. the parent waits for the command and exits with its status.
//!
//! Every failure ends without running the command: if the parent cannot
//! set the ID it kills the child; if the parent dies, the lock goes with
//! its file descriptor and the child finds no `go` (fail-closed).  No
//! `unsafe` is needed: std's `Command` cannot pause a child between fork
//! and exec without `pre_exec`, which is why the waiting is done by a
//! second program image.

use crate::exit;
use crate::procfs::Proc;
use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Command, ExitStatus};
use std::time::{SystemTime, UNIX_EPOCH};

/// The word the parent writes into the gate once the child's ID is set.
const GO: &str = "go";

/// The exit status of `contid exec` for the command's `status`, as a shell
/// reports it: the exit code, or 128 + the signal that killed it.
pub fn status_code(status: ExitStatus) -> u8 {
    match (status.code(), status.signal()) {
        (Some(c), _) => c as u8,
        (None, Some(s)) => 128u8.wrapping_add(s as u8),
        (None, None) => exit::EXEC_FAILED,
    }
}

/// Creates the gate: an anonymous file in `dir`, locked exclusively.
fn make_gate(dir: &Path) -> io::Result<File> {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let mut last = None;
    for attempt in 0..16u32 {
        let path = dir.join(format!(
            ".contid-exec-{}-{nanos}-{attempt}",
            std::process::id()
        ));
        match OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
        {
            Ok(f) => {
                fs::remove_file(&path)?;
                f.lock()?;
                return Ok(f);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no gate file")))
}

/// `contid exec`: runs `command` with audit container ID `id`; returns the
/// exit status.
pub fn run(proc: &Proc, id: u64, command: &[OsString]) -> u8 {
    let fail = |msg: String| {
        eprintln!("contid exec: {msg}; not running {:?}", command[0]);
        exit::EXEC_FAILED
    };
    let mut gate = match make_gate(&std::env::temp_dir()) {
        Ok(g) => g,
        Err(e) => return fail(format!("cannot create the gate file: {e}")),
    };
    let me = match std::env::current_exe() {
        Ok(p) => p,
        Err(e) => return fail(format!("cannot find contid's own executable: {e}")),
    };
    let gate_path = format!("/proc/{}/fd/{}", std::process::id(), gate.as_raw_fd());
    let mut child = match Command::new(me)
        .arg("__wait-exec")
        .arg("--gate")
        .arg(&gate_path)
        .arg("--id")
        .arg(id.to_string())
        .arg("--")
        .args(command)
        .spawn()
    {
        Ok(c) => c,
        Err(e) => return fail(format!("cannot start the waiting process: {e}")),
    };
    let pid = child.id() as i32;
    if let Err(e) = proc.set(pid, id) {
        let _ = child.kill();
        let _ = child.wait();
        return fail(e.to_string());
    }
    let opened = gate
        .write_all(GO.as_bytes())
        .and_then(|()| gate.flush())
        .and_then(|()| gate.unlock());
    if let Err(e) = opened {
        let _ = child.kill();
        let _ = child.wait();
        return fail(format!("cannot open the gate: {e}"));
    }
    // The gate stays open until the child is gone: the child may not have
    // opened /proc/<parent>/fd/<n> yet.
    let status = child.wait();
    drop(gate);
    match status {
        Ok(s) => status_code(s),
        Err(e) => {
            eprintln!("contid exec: waiting for {:?}: {e}", command[0]);
            exit::EXEC_FAILED
        }
    }
}

/// `contid __wait-exec`: waits at the gate, checks that the ID is set,
/// execs `command`.  Returns only on failure.
pub fn wait_and_exec(proc: &Proc, gate: &Path, id: u64, command: &[OsString]) -> u8 {
    let fail = |msg: String| {
        eprintln!("contid exec: {msg}; not running {:?}", command[0]);
        exit::EXEC_FAILED
    };
    let mut word = String::new();
    let passed = File::open(gate).and_then(|mut f| {
        f.lock_shared()?;
        f.seek(SeekFrom::Start(0))?;
        f.read_to_string(&mut word)
    });
    match passed {
        Ok(_) if word == GO => {}
        Ok(_) => return fail("the audit container ID was not set".to_string()),
        Err(e) => return fail(format!("lost the gate {}: {e}", gate.display())),
    }
    match proc.get(std::process::id() as i32) {
        Ok(got) if got == id => {}
        Ok(got) => return fail(format!("the audit container ID is {got}, not {id}")),
        Err(e) => return fail(e.to_string()),
    }
    let e = Command::new(&command[0]).args(&command[1..]).exec();
    eprintln!("contid exec: cannot run {:?}: {e}", command[0]);
    if e.kind() == io::ErrorKind::NotFound {
        exit::NOT_FOUND
    } else {
        exit::CANNOT_EXECUTE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes() {
        assert_eq!(status_code(ExitStatus::from_raw(0)), 0);
        assert_eq!(status_code(ExitStatus::from_raw(3 << 8)), 3);
        assert_eq!(status_code(ExitStatus::from_raw(9)), 137);
        assert_eq!(status_code(ExitStatus::from_raw(15)), 143);
    }

    #[test]
    fn the_gate_is_locked_and_anonymous() {
        let dir = std::env::temp_dir();
        let gate = make_gate(&dir).unwrap();
        let path = format!("/proc/self/fd/{}", gate.as_raw_fd());
        // Another open file description cannot take the lock while the
        // gate holds it, and can once the gate is unlocked.
        let other = File::open(&path).unwrap();
        assert!(other.try_lock_shared().is_err());
        gate.unlock().unwrap();
        other.try_lock_shared().unwrap();
        let name = fs::read_link(&path).unwrap();
        assert!(name.to_string_lossy().ends_with(" (deleted)"), "{name:?}");
    }
}
