// SPDX-License-Identifier: GPL-2.0

//! Reading and writing /proc/PID/containerid.

use crate::explain::{Action, ProcError};
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::PathBuf;

/// A proc file system (`/proc`, or a directory laid out like it in tests).
#[derive(Debug, Clone)]
pub struct Proc {
    root: PathBuf,
    /// Whether `root` is the kernel's: the processes it names are real, so
    /// a set holds a pidfd on its target.
    real: bool,
}

impl Default for Proc {
    fn default() -> Self {
        Proc {
            root: PathBuf::from("/proc"),
            real: true,
        }
    }
}

/// A process held by a pidfd: while the pidfd's process has not exited,
/// its PID names it and nothing else.
struct Held(rustix::fd::OwnedFd);

impl Held {
    fn open(pid: i32) -> io::Result<Held> {
        let pid = rustix::process::Pid::from_raw(pid)
            .ok_or_else(|| io::Error::from_raw_os_error(libc::ESRCH))?;
        rustix::process::pidfd_open(pid, rustix::process::PidfdFlags::empty())
            .map(Held)
            .map_err(io::Error::from)
    }

    /// Fails with ESRCH if the process has exited (a pidfd becomes
    /// readable when its process exits).
    fn running(&self) -> io::Result<()> {
        use rustix::event::{poll, PollFd, PollFlags, Timespec};
        let mut fds = [PollFd::new(&self.0, PollFlags::IN)];
        let none = Timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        match poll(&mut fds, Some(&none)) {
            Ok(0) => Ok(()),
            Ok(_) => Err(io::Error::from_raw_os_error(libc::ESRCH)),
            Err(e) => Err(e.into()),
        }
    }
}

impl Proc {
    /// A directory laid out like /proc (for tests): no pidfds.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Proc {
            root: root.into(),
            real: false,
        }
    }

    /// The directory of process `pid`.
    pub fn process_dir(&self, pid: i32) -> PathBuf {
        self.root.join(pid.to_string())
    }

    /// The containerid file of process `pid`.
    pub fn containerid_path(&self, pid: i32) -> PathBuf {
        self.process_dir(pid).join("containerid")
    }

    fn error(&self, action: Action, error: io::Error) -> ProcError {
        let process_exists = self.process_dir(action.pid()).is_dir();
        ProcError {
            action,
            error,
            process_exists,
        }
    }

    /// Sets the audit container ID of process `pid`: one write(2) of the
    /// decimal value and a newline, as `echo ID > /proc/PID/containerid`.
    ///
    /// On the real /proc the process is held by a pidfd from before the
    /// file is opened, and the write happens only if it is still running
    /// after the open: the file then belongs to the pidfd's process (a PID
    /// is not reused while its process runs), and a PID that was reused
    /// meanwhile never gets the ID (ESRCH).
    pub fn set(&self, pid: i32, id: u64) -> Result<(), ProcError> {
        let action = Action::Set { pid, id };
        let data = format!("{id}\n");
        let held = if self.real {
            match Held::open(pid) {
                Ok(h) => Some(h),
                Err(e) => return Err(self.error(action, e)),
            }
        } else {
            None
        };
        let result = OpenOptions::new()
            .write(true)
            .open(self.containerid_path(pid))
            .and_then(|f| match &held {
                Some(h) => h.running().map(|()| f),
                None => Ok(f),
            })
            .and_then(|mut f| f.write(data.as_bytes()))
            .and_then(|n| {
                if n == data.len() {
                    Ok(())
                } else {
                    Err(io::Error::new(
                        io::ErrorKind::WriteZero,
                        format!("the kernel took {n} of {} bytes", data.len()),
                    ))
                }
            });
        result.map_err(|e| self.error(action, e))
    }

    /// Reads the audit container ID of process `pid` (the unset value for a
    /// process outside any container).
    pub fn get(&self, pid: i32) -> Result<u64, ProcError> {
        let action = Action::Get { pid };
        let mut text = String::new();
        File::open(self.containerid_path(pid))
            .and_then(|mut f| f.read_to_string(&mut text))
            .and_then(|_| parse_read(&text))
            .map_err(|e| self.error(action, e))
    }
}

/// Parses what a read of the proc file returns: a decimal u64 and a
/// newline.
pub fn parse_read(text: &str) -> io::Result<u64> {
    let digits = text.strip_suffix('\n').unwrap_or(text);
    digits.parse::<u64>().map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("the kernel returned {text:?}, not a decimal number"),
        )
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use contid_logic::value::UNSET;
    use std::fs;

    /// A directory laid out like /proc, removed when dropped.
    pub struct FakeProc {
        pub dir: PathBuf,
    }

    impl FakeProc {
        pub fn new(name: &str) -> Self {
            let dir = std::env::temp_dir().join(format!(
                "contid-test-{}-{name}-{:?}",
                std::process::id(),
                std::thread::current().id()
            ));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            FakeProc { dir }
        }

        /// Adds process `pid` with a containerid file holding `content`.
        pub fn add(&self, pid: i32, content: &str) {
            let d = self.dir.join(pid.to_string());
            fs::create_dir_all(&d).unwrap();
            fs::write(d.join("containerid"), content).unwrap();
        }

        pub fn proc(&self) -> Proc {
            Proc::new(&self.dir)
        }

        pub fn content(&self, pid: i32) -> String {
            fs::read_to_string(self.dir.join(pid.to_string()).join("containerid")).unwrap()
        }
    }

    impl Drop for FakeProc {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }

    #[test]
    fn set_writes_the_value_and_a_newline() {
        let p = FakeProc::new("set");
        p.add(10, "");
        p.proc().set(10, 123456).unwrap();
        assert_eq!(p.content(10), "123456\n");
    }

    #[test]
    fn get_reads_values_and_unset() {
        let p = FakeProc::new("get");
        p.add(10, "42\n");
        p.add(11, "18446744073709551615\n");
        p.add(12, "garbage\n");
        assert_eq!(p.proc().get(10).unwrap(), 42);
        assert_eq!(p.proc().get(11).unwrap(), UNSET);
        let e = p.proc().get(12).unwrap_err();
        assert_eq!(e.errno(), None);
        assert!(e.to_string().contains("not a decimal number"), "{e}");
    }

    #[test]
    fn missing_process_and_missing_file_are_told_apart() {
        let p = FakeProc::new("missing");
        fs::create_dir_all(p.dir.join("20")).unwrap();
        let no_file = p.proc().set(20, 1).unwrap_err();
        assert_eq!(no_file.errno(), Some(libc::ENOENT));
        assert!(no_file.process_exists);
        assert!(no_file.to_string().contains("hook series"), "{no_file}");
        let no_process = p.proc().get(21).unwrap_err();
        assert!(!no_process.process_exists);
        assert!(
            no_process.to_string().contains("no process 21"),
            "{no_process}"
        );
    }

    #[test]
    fn parse_read_forms() {
        assert_eq!(parse_read("7\n").unwrap(), 7);
        assert_eq!(parse_read("7").unwrap(), 7);
        assert!(parse_read("").is_err());
        assert!(parse_read("7\n\n").is_err());
    }

    #[test]
    fn pidfd_tells_running_from_exited() {
        let mut child = std::process::Command::new("sleep")
            .arg("100")
            .spawn()
            .unwrap();
        let pid = child.id() as i32;
        let held = Held::open(pid).unwrap();
        assert!(held.running().is_ok());
        child.kill().unwrap();
        // Exited but not reaped: its PID is not free yet, and the pidfd
        // says it is no longer running.
        let mut tries = 0;
        let e = loop {
            match held.running() {
                Err(e) => break e,
                Ok(()) if tries < 500 => tries += 1,
                Ok(()) => panic!("the pidfd never saw the exit"),
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        };
        assert_eq!(e.raw_os_error(), Some(libc::ESRCH));
        child.wait().unwrap();
        // Reaped: a set on the real /proc fails before it opens anything.
        let e = Proc::default().set(pid, 5).unwrap_err();
        assert_eq!(e.errno(), Some(libc::ESRCH), "{e}");
    }
}
