// SPDX-License-Identifier: GPL-2.0

//! contid-test: the guest-side helper of the audit-contid tests.  Each
//! subcommand does one thing a shell cannot do precisely (report the exact
//! errno, drop one capability, act from another thread, race) and prints a
//! result the test scripts compare.

use contid_logic::abi::AUDIT_CONTAINERID;
use std::ffi::CString;
use std::fs::OpenOptions;
use std::io::{Error, Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::FileExt;
use std::process::exit;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

const USAGE: &str = "usage: contid-test COMMAND ...
  write PATH TEXT [--offset N]  write TEXT (\\n escapes) and print ok or the errno name
  read PATH                     print the content, or the errno name
  drop-cap CMD...               exec CMD without CAP_AUDIT_CONTROL
  threads N                     run N threads, print ready, sleep
  self-set ID [--from-thread]   write our own containerid
  gate FIFO CMD...              wait for a line on FIFO, then exec CMD
  race PID N                    N threads write distinct IDs to PID at once
  stress SECONDS                fork/exit/exec churn while setting IDs
  ptrace-attach PID             attach to PID with ptrace, then detach
  getppid-loop SECONDS          call getppid(2) as fast as possible, print the count
  as-user UID CMD...            exec CMD with uid and gid UID and no groups
  copy SRC [DEST]               copy SRC (- for stdin) to DEST (default stdout) in one
                                read and one write; on failure print the errno name on
                                stderr (setuid copies of the helper use this)
  sqpoll                        set up an io_uring with an SQPOLL kernel worker, print
                                \"ready TID\" (the worker's), sleep
  uring-write PATH TEXT         write TEXT to PATH with io_uring (IORING_OP_WRITE, forced
                                to an io_uring worker); print ok or the errno name
  uring-open PATH               open PATH with io_uring (IORING_OP_OPENAT, forced to an
                                io_uring worker); print ok or the errno name
  zombie-child                  fork a child that exits at once, never reap it, print
                                \"ready PID\" (the zombie's), sleep
  leader-exit                   start a thread, print ready, end the main thread only
  spawn-away clone-parent|reparent
                                create a process that is not our child (CLONE_PARENT,
                                or a grandchild whose parent exited), print \"ready PID\"
                                (that process's), sleep
  socket FAMILY                 socket(FAMILY, SOCK_STREAM, 0); print ok or the errno name
  udp-send ADDR PORT            send one UDP packet to ADDR:PORT
  containers-in NETNS ID...     for each ID a process that gets that audit container ID
                                and then joins the network namespace NETNS (a
                                /proc/PID/ns/net path); print \"ID PID\" for each, then
                                ready, and sleep (the processes are reaped by the kernel)
  udp-flood ADDR PORT MS        send UDP packets to ADDR:PORT for MS ms, ignoring errors;
                                print how many were sent
  fuzz SECONDS SEED             throw random writes, reads and rules at the module for
                                SECONDS while tasks fork, exec and exit and the module is
                                reloaded; print what was done (see tests/guest/fuzz.sh)
  fail-open PATH MAX            for N in 1..MAX: make the Nth slab allocation of this
                                thread fail (fail-nth) and open PATH; print how many
                                faults were injected and how many opens failed
  audit-rule add|del LIST LEN ID
                                send the kernel a rule \"containerid=ID\" on filter
                                list LIST with a value length of LEN bytes, bypassing
                                auditctl's checks; print ok or the errno name
  set-feature BIT 0|1           set audit feature BIT (0 only_unset_loginuid, 1
                                loginuid_immutable) unlocked; print ok or the errno name
  uring-rule add|del            an always rule for every operation on the io_uring
                                exit list, no fields; print ok or the errno name
  seccomp-log                   install a seccomp filter that logs getppid(2)
                                (SECCOMP_RET_LOG), call it, print our pid
  tty-audit TEXT                switch tty auditing on (AUDIT_TTY_SET), have a child
                                read the line TEXT from a new pty, print its pid";

fn errno_name(e: &Error) -> String {
    let n = e.raw_os_error().unwrap_or(0);
    let name = match n {
        libc::EPERM => "EPERM",
        libc::ENOENT => "ENOENT",
        libc::ESRCH => "ESRCH",
        libc::EACCES => "EACCES",
        libc::EFAULT => "EFAULT",
        libc::EBUSY => "EBUSY",
        libc::EEXIST => "EEXIST",
        libc::EXDEV => "EXDEV",
        libc::EINVAL => "EINVAL",
        libc::ENOMEM => "ENOMEM",
        libc::EOPNOTSUPP => "EOPNOTSUPP",
        libc::EAGAIN => "EAGAIN",
        libc::ENXIO => "ENXIO",
        libc::EMLINK => "EMLINK",
        libc::ENOTUNIQ => "ENOTUNIQ",
        libc::EAFNOSUPPORT => "EAFNOSUPPORT",
        _ => return format!("errno{n}"),
    };
    name.to_string()
}

fn unescape(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut it = s.bytes();
    while let Some(b) = it.next() {
        if b == b'\\' {
            match it.next() {
                Some(b'n') => out.push(b'\n'),
                Some(b'0') => out.push(0),
                Some(b'\\') => out.push(b'\\'),
                Some(o) => {
                    out.push(b'\\');
                    out.push(o);
                }
                None => out.push(b'\\'),
            }
        } else {
            out.push(b);
        }
    }
    out
}

/// Writes `data` to `path` in one write(2) (or pwrite(2) at `offset`).
fn write_once(path: &str, data: &[u8], offset: Option<u64>) -> Result<(), Error> {
    let f = OpenOptions::new().write(true).open(path)?;
    let n = match offset {
        Some(off) => f.write_at(data, off)?,
        None => (&f).write(data)?,
    };
    if n != data.len() {
        return Err(Error::from_raw_os_error(libc::EIO));
    }
    Ok(())
}

fn read_all(path: &str) -> Result<String, Error> {
    let mut s = String::new();
    std::fs::File::open(path)?.read_to_string(&mut s)?;
    Ok(s)
}

fn report(r: Result<(), Error>) -> ! {
    match r {
        Ok(()) => {
            println!("ok");
            exit(0)
        }
        Err(e) => {
            println!("{}", errno_name(&e));
            exit(1)
        }
    }
}

fn exec(args: &[String]) -> ! {
    if args.is_empty() {
        eprintln!("{USAGE}");
        exit(2);
    }
    let cargs: Vec<CString> = args
        .iter()
        .map(|a| CString::new(a.as_bytes()).expect("argument with NUL"))
        .collect();
    let mut ptrs: Vec<*const libc::c_char> = cargs.iter().map(|c| c.as_ptr()).collect();
    ptrs.push(std::ptr::null());
    // SAFETY: ptrs is a NULL-terminated array of valid C strings.
    unsafe { libc::execvp(ptrs[0], ptrs.as_ptr()) };
    eprintln!("exec {}: {}", args[0], Error::last_os_error());
    exit(127)
}

#[repr(C)]
struct CapHeader {
    version: u32,
    pid: i32,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

fn drop_audit_control() -> Result<(), Error> {
    const VERSION_3: u32 = 0x2008_0522;
    // CAP_AUDIT_CONTROL, from <linux/capability.h>.
    let cap: u32 = 30;
    // SAFETY: prctl with integer arguments.
    if unsafe { libc::prctl(libc::PR_CAPBSET_DROP, cap as libc::c_ulong, 0, 0, 0) } != 0 {
        return Err(Error::last_os_error());
    }
    let mut hdr = CapHeader {
        version: VERSION_3,
        pid: 0,
    };
    let mut data = [CapData::default(); 2];
    // SAFETY: header and two data structs, as capget(2) requires for v3.
    if unsafe { libc::syscall(libc::SYS_capget, &mut hdr, data.as_mut_ptr()) } != 0 {
        return Err(Error::last_os_error());
    }
    let (word, bit) = ((cap / 32) as usize, 1u32 << (cap % 32));
    data[word].effective &= !bit;
    data[word].permitted &= !bit;
    data[word].inheritable &= !bit;
    // SAFETY: as above.
    if unsafe { libc::syscall(libc::SYS_capset, &mut hdr, data.as_ptr()) } != 0 {
        return Err(Error::last_os_error());
    }
    Ok(())
}

fn sleep_forever() -> ! {
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}

fn cmd_threads(n: usize) -> ! {
    for _ in 1..n.max(1) {
        std::thread::spawn(|| sleep_forever());
    }
    // Wait until the kernel shows every thread.
    let want = n.max(1);
    while std::fs::read_dir("/proc/self/task")
        .map(|d| d.count())
        .unwrap_or(0)
        < want
    {
        std::thread::sleep(Duration::from_millis(10));
    }
    println!("ready");
    std::io::stdout().flush().ok();
    sleep_forever()
}

fn cmd_self_set(id: &str, from_thread: bool) -> ! {
    let data = format!("{id}\n").into_bytes();
    if from_thread {
        let leader = format!("/proc/{}/containerid", std::process::id());
        let r = std::thread::spawn(move || write_once(&leader, &data, None))
            .join()
            .expect("thread");
        report(r)
    }
    report(write_once("/proc/self/containerid", &data, None))
}

fn cmd_gate(fifo: &str, cmd: &[String]) -> ! {
    let mut line = [0u8; 1];
    match std::fs::File::open(fifo) {
        Ok(mut f) => {
            let _ = f.read(&mut line);
        }
        Err(e) => {
            eprintln!("gate {fifo}: {e}");
            exit(126)
        }
    }
    exec(cmd)
}

fn cmd_race(pid: &str, n: usize) -> ! {
    let barrier = Arc::new(Barrier::new(n));
    let path = format!("/proc/{pid}/containerid");
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let b = Arc::clone(&barrier);
            let p = path.clone();
            std::thread::spawn(move || {
                let data = format!("{}\n", 1000 + i).into_bytes();
                b.wait();
                write_once(&p, &data, None)
            })
        })
        .collect();
    let mut ok = 0;
    let mut eexist = 0;
    let mut other = Vec::new();
    for h in handles {
        match h.join().expect("thread") {
            Ok(()) => ok += 1,
            Err(e) if e.raw_os_error() == Some(libc::EEXIST) => eexist += 1,
            Err(e) => other.push(errno_name(&e)),
        }
    }
    println!("ok={ok} EEXIST={eexist} other={}", other.join(","));
    exit(0)
}

/// A child process that waits on a pipe and then runs `then`.
struct Held {
    pid: libc::pid_t,
    release: libc::c_int,
}

fn fork_held(then: impl FnOnce() -> i32) -> Held {
    let mut fds = [0; 2];
    // SAFETY: pipe with a valid two-int array.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: the child only calls async-signal-safe functions and `then`,
    // which the callers keep to raw system calls.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork: {}", Error::last_os_error());
    if pid == 0 {
        let mut b = [0u8; 1];
        // SAFETY: valid fds and buffer.
        unsafe {
            libc::close(fds[1]);
            libc::read(fds[0], b.as_mut_ptr().cast(), 1);
            libc::_exit(then());
        }
    }
    // SAFETY: closing our copy of the read end.
    unsafe { libc::close(fds[0]) };
    Held {
        pid,
        release: fds[1],
    }
}

impl Held {
    fn release_and_wait(self) -> i32 {
        // SAFETY: valid fd and status pointer.
        unsafe {
            libc::write(self.release, b"x".as_ptr().cast(), 1);
            libc::close(self.release);
            let mut status = 0;
            libc::waitpid(self.pid, &mut status, 0);
            if libc::WIFEXITED(status) {
                libc::WEXITSTATUS(status)
            } else {
                -1
            }
        }
    }
}

/// In a child: fork a grandchild that reports whether it inherited `id`.
fn child_checks_inheritance(id: u64) -> i32 {
    // SAFETY: fork and raw syscalls only.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        let ok = read_all("/proc/self/containerid")
            .map(|s| s.trim() == id.to_string())
            .unwrap_or(false);
        // SAFETY: exiting the grandchild.
        unsafe { libc::_exit(if ok { 0 } else { 3 }) };
    }
    let mut status = 0;
    // SAFETY: valid status pointer.
    unsafe { libc::waitpid(pid, &mut status, 0) };
    if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        4
    }
}

fn churn(deadline: Instant) {
    while Instant::now() < deadline {
        // SAFETY: the child only forks, spawns nothing else and exits.
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            for _ in 0..3 {
                // SAFETY: as above.
                if unsafe { libc::fork() } == 0 {
                    // SAFETY: exiting the grandchild.
                    unsafe { libc::_exit(0) };
                }
            }
            // SAFETY: reap all grandchildren and exit.
            unsafe {
                while libc::wait(std::ptr::null_mut()) > 0 {}
                libc::_exit(0);
            }
        }
        // SAFETY: reap.
        unsafe { libc::waitpid(pid, std::ptr::null_mut(), 0) };
    }
}

fn cmd_stress(seconds: u64) -> ! {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let churners: Vec<_> = (0..2)
        .map(|_| std::thread::spawn(move || churn(deadline)))
        .collect();
    let mut iterations = 0u64;
    let mut failures = Vec::new();
    let mut exit_races = [0u64; 2];
    let mut next_id = 1u64;
    while Instant::now() < deadline {
        iterations += 1;
        // Two writers race on a fresh target; exactly one wins and the
        // target's children inherit the winner's ID.
        let (a, b) = (next_id, next_id + 1);
        next_id += 2;
        let target = fork_held(|| 0);
        let path = format!("/proc/{}/containerid", target.pid);
        let barrier = Arc::new(Barrier::new(2));
        let writers: Vec<_> = [a, b]
            .into_iter()
            .map(|id| {
                let p = path.clone();
                let br = Arc::clone(&barrier);
                std::thread::spawn(move || {
                    br.wait();
                    write_once(&p, format!("{id}").as_bytes(), None).map(|()| id)
                })
            })
            .collect();
        let results: Vec<_> = writers
            .into_iter()
            .map(|h| h.join().expect("writer"))
            .collect();
        let wins: Vec<u64> = results
            .iter()
            .filter_map(|r| r.as_ref().ok().copied())
            .collect();
        let losses_ok = results
            .iter()
            .filter(|r| matches!(r, Err(e) if e.raw_os_error() == Some(libc::EEXIST)))
            .count();
        if wins.len() != 1 || losses_ok != 1 {
            failures.push(format!("race: {results:?}"));
        }
        if let Some(&w) = wins.first() {
            match read_all(&path) {
                Ok(s) if s.trim() == w.to_string() => {}
                other => failures.push(format!("readback after winning {w}: {other:?}")),
            }
        }
        target.release_and_wait();

        // The target's fork and the write race: the outcome is set (and the
        // children inherit) or refused with EBUSY.
        let id = next_id;
        next_id += 1;
        let forker = fork_held(move || child_checks_inheritance(id));
        let path = format!("/proc/{}/containerid", forker.pid);
        let writer =
            std::thread::spawn(move || write_once(&path, format!("{id}").as_bytes(), None));
        let status = forker.release_and_wait();
        match writer.join().expect("writer") {
            Ok(()) if status != 0 && status != 3 => {
                failures.push(format!("fork race: child status {status}"))
            }
            Ok(()) => {}
            // Refused because the child had forked, or it was gone.
            Err(e)
                if matches!(
                    e.raw_os_error(),
                    Some(libc::EBUSY) | Some(libc::ESRCH) | Some(libc::ENOENT)
                ) => {}
            Err(e) => failures.push(format!("fork race: {}", errno_name(&e))),
        }

        // Write against exit: set, or ESRCH/ENOENT.
        let quitter = fork_held(|| 0);
        let path = format!("/proc/{}/containerid", quitter.pid);
        let id = next_id;
        next_id += 1;
        let writer =
            std::thread::spawn(move || write_once(&path, format!("{id}").as_bytes(), None));
        quitter.release_and_wait();
        match writer.join().expect("writer") {
            Ok(()) => exit_races[0] += 1,
            Err(e) if matches!(e.raw_os_error(), Some(libc::ESRCH) | Some(libc::ENOENT)) => {
                exit_races[1] += 1
            }
            Err(e) => failures.push(format!("exit race: {}", errno_name(&e))),
        }
    }
    for c in churners {
        c.join().expect("churner");
    }
    println!(
        "iterations={iterations} exit_race_set={} exit_race_gone={} failures={}",
        exit_races[0],
        exit_races[1],
        failures.len()
    );
    for f in failures.iter().take(20) {
        println!("failure: {f}");
    }
    exit(if failures.is_empty() { 0 } else { 1 })
}

/// Attaches to `pid` (one PTRACE_ATTACH, the syscall audit sees as the
/// ptrace event), waits for it to stop, and detaches.
fn cmd_ptrace_attach(pid: libc::pid_t) -> ! {
    // SAFETY: plain syscalls on a pid; no memory is shared with the tracee.
    let r = unsafe {
        libc::ptrace(
            libc::PTRACE_ATTACH,
            pid,
            std::ptr::null_mut::<libc::c_void>(),
            std::ptr::null_mut::<libc::c_void>(),
        )
    };
    if r != 0 {
        println!("{}", errno_name(&Error::last_os_error()));
        exit(1);
    }
    let mut status = 0;
    // SAFETY: waits for the tracee's stop; `status` is a valid out pointer.
    unsafe { libc::waitpid(pid, &mut status, libc::__WALL) };
    // SAFETY: the tracee is stopped and traced by us.
    unsafe {
        libc::ptrace(
            libc::PTRACE_DETACH,
            pid,
            std::ptr::null_mut::<libc::c_void>(),
            std::ptr::null_mut::<libc::c_void>(),
        )
    };
    println!("ok");
    exit(0)
}

/// Calls getppid(2) for `secs` seconds and prints how many calls it made:
/// a load test compares that with the events in the log.
fn cmd_getppid_loop(secs: u64) -> ! {
    let end = Instant::now() + Duration::from_secs(secs);
    let mut calls: u64 = 0;
    while Instant::now() < end {
        for _ in 0..64 {
            // SAFETY: getppid has no arguments and cannot fail.
            unsafe { libc::getppid() };
        }
        calls += 64;
    }
    println!("{calls}");
    exit(0)
}

/// Drops to `uid` (as uid, gid and no supplementary groups) and runs `cmd`.
fn cmd_as_user(uid: u32, cmd: &[String]) -> ! {
    // SAFETY: plain system calls with integer arguments.
    let ok = unsafe {
        libc::setgroups(0, std::ptr::null()) == 0
            && libc::setgid(uid) == 0
            && libc::setuid(uid) == 0
    };
    if !ok {
        eprintln!("as-user {uid}: {}", Error::last_os_error());
        exit(126);
    }
    exec(cmd)
}

/// Copies SRC (or stdin) to DEST (or stdout) with one read and one write.
fn cmd_copy(src: &str, dest: Option<&str>) -> ! {
    let mut buf = [0u8; 4096];
    let n = if src == "-" {
        // SAFETY: reading into a buffer we own.
        let n = unsafe { libc::read(0, buf.as_mut_ptr().cast(), buf.len()) };
        if n < 0 {
            eprintln!("{}", errno_name(&Error::last_os_error()));
            exit(1);
        }
        n as usize
    } else {
        match std::fs::File::open(src).and_then(|mut f| f.read(&mut buf)) {
            Ok(n) => n,
            Err(e) => {
                eprintln!("{}", errno_name(&e));
                exit(1)
            }
        }
    };
    let r = match dest {
        Some(d) => write_once(d, &buf[..n], None),
        None => {
            // SAFETY: writing a buffer we own to stdout.
            let w = unsafe { libc::write(1, buf.as_ptr().cast(), n) };
            if w < 0 {
                Err(Error::last_os_error())
            } else {
                Ok(())
            }
        }
    };
    if let Err(e) = r {
        eprintln!("{}", errno_name(&e));
        exit(1);
    }
    exit(0)
}

/// The TID of our thread whose name starts with `prefix`, if any.
fn thread_named(prefix: &str) -> Option<String> {
    for e in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
        let tid = e.file_name().to_string_lossy().into_owned();
        if let Ok(comm) = read_all(&format!("/proc/self/task/{tid}/comm")) {
            if comm.starts_with(prefix) {
                return Some(tid);
            }
        }
    }
    None
}

/// struct io_uring_params, as io_uring_setup(2) takes it.
#[repr(C)]
#[derive(Default)]
struct IoUringParams {
    sq_entries: u32,
    cq_entries: u32,
    flags: u32,
    sq_thread_cpu: u32,
    sq_thread_idle: u32,
    features: u32,
    wq_fd: u32,
    resv: [u32; 3],
    sq_off: [u64; 5],
    cq_off: [u64; 5],
}

/// Sets up an io_uring with a submission-queue polling kernel worker (an
/// io_uring worker thread of this process) and reports its TID.
fn cmd_sqpoll() -> ! {
    const IORING_SETUP_SQPOLL: u32 = 1 << 1;
    let mut p = IoUringParams {
        flags: IORING_SETUP_SQPOLL,
        sq_thread_idle: 1000,
        ..Default::default()
    };
    // SAFETY: io_uring_setup with a valid params struct; the ring's fd is
    // kept open (and its worker alive) until we exit.
    let fd = unsafe { libc::syscall(libc::SYS_io_uring_setup, 4u32, &mut p) };
    if fd < 0 {
        println!("{}", errno_name(&Error::last_os_error()));
        exit(1);
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    let tid = loop {
        if let Some(t) = thread_named("iou-sqp") {
            break t;
        }
        if Instant::now() > deadline {
            println!("no io_uring worker appeared");
            exit(1);
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    println!("ready {tid}");
    std::io::stdout().flush().ok();
    sleep_forever()
}

/// Writes `text` to `path` through io_uring, forced to an io_uring
/// worker (IOSQE_ASYNC), and reports the result.
/// What `uring_op` submits: a write of text to a path (IORING_OP_WRITE,
/// which io_uring does not audit), or an open of a path (IORING_OP_OPENAT,
/// which it does: a URINGOP record where a rule asks for it).
enum UringOp<'a> {
    Write(&'a str, &'a str),
    Open(&'a str),
}

fn cmd_uring_write(path: &str, text: &str) -> ! {
    uring_op(UringOp::Write(path, text))
}

fn cmd_uring_open(path: &str) -> ! {
    uring_op(UringOp::Open(path))
}

fn uring_op(op: UringOp<'_>) -> ! {
    const IORING_OP_WRITE: u8 = 23;
    const IORING_OP_OPENAT: u8 = 18;
    const IOSQE_ASYNC: u8 = 1 << 4;
    const IORING_ENTER_GETEVENTS: u32 = 1;
    const OFF_SQ_RING: i64 = 0;
    const OFF_CQ_RING: i64 = 0x800_0000;
    const OFF_SQES: i64 = 0x1000_0000;
    let (data, file, cpath) = match op {
        UringOp::Write(path, text) => match OpenOptions::new().write(true).open(path) {
            Ok(f) => (unescape(text), Some(f), None),
            Err(e) => report(Err(e)),
        },
        UringOp::Open(path) => (
            Vec::new(),
            None,
            Some(std::ffi::CString::new(path).expect("no NUL in the path")),
        ),
    };
    let mut p = IoUringParams::default();
    // SAFETY: io_uring_setup with a valid params struct.
    let ring = unsafe { libc::syscall(libc::SYS_io_uring_setup, 1u32, &mut p) } as i32;
    if ring < 0 {
        report(Err(Error::last_os_error()));
    }
    // The offsets are u32 fields (the last is a u64 we do not use).
    // SAFETY: [u64; 5] and [u32; 10] have the same size, and every bit
    // pattern is a valid u32.
    let sq: [u32; 10] = unsafe { std::mem::transmute(p.sq_off) };
    // SAFETY: as above.
    let cq: [u32; 10] = unsafe { std::mem::transmute(p.cq_off) };
    let map = |len: usize, off: i64| -> *mut u8 {
        // SAFETY: mapping the ring's memory as io_uring(7) describes.
        let m = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED | libc::MAP_POPULATE,
                ring,
                off,
            )
        };
        assert!(m != libc::MAP_FAILED, "mmap: {}", Error::last_os_error());
        m.cast()
    };
    let sq_ring = map(sq[6] as usize + p.sq_entries as usize * 4, OFF_SQ_RING);
    let cq_ring = map(cq[5] as usize + p.cq_entries as usize * 16, OFF_CQ_RING);
    let sqes = map(p.sq_entries as usize * 64, OFF_SQES);
    // SAFETY: the mappings are the kernel's ring layout at the offsets it
    // gave; one SQE is filled and submitted, one CQE read.
    let res = unsafe {
        let sqe = sqes;
        std::ptr::write_bytes(sqe, 0, 64);
        *sqe.add(1) = IOSQE_ASYNC;
        sqe.add(32).cast::<u64>().write(1);
        match (&file, &cpath) {
            (Some(f), _) => {
                *sqe = IORING_OP_WRITE;
                sqe.add(4).cast::<i32>().write(f.as_raw_fd());
                sqe.add(8).cast::<u64>().write(0);
                sqe.add(16).cast::<u64>().write(data.as_ptr() as u64);
                sqe.add(24).cast::<u32>().write(data.len() as u32);
            }
            (None, Some(c)) => {
                // dirfd AT_FDCWD, the path, mode 0, open_flags O_RDONLY
                *sqe = IORING_OP_OPENAT;
                sqe.add(4).cast::<i32>().write(libc::AT_FDCWD);
                sqe.add(16).cast::<u64>().write(c.as_ptr() as u64);
                sqe.add(28).cast::<u32>().write(libc::O_RDONLY as u32);
            }
            (None, None) => unreachable!("an operation has a file or a path"),
        }
        let tail = sq_ring.add(sq[1] as usize).cast::<u32>();
        let mask = *sq_ring.add(sq[2] as usize).cast::<u32>();
        let array = sq_ring.add(sq[6] as usize).cast::<u32>();
        let t = tail.read_volatile();
        array.add((t & mask) as usize).write(0);
        std::sync::atomic::fence(std::sync::atomic::Ordering::SeqCst);
        tail.write_volatile(t.wrapping_add(1));
        let n = libc::syscall(
            libc::SYS_io_uring_enter,
            ring,
            1u32,
            1u32,
            IORING_ENTER_GETEVENTS,
            std::ptr::null::<libc::c_void>(),
            0usize,
        );
        if n < 0 {
            report(Err(Error::last_os_error()));
        }
        let head = cq_ring.add(cq[0] as usize).cast::<u32>().read_volatile();
        let cmask = *cq_ring.add(cq[2] as usize).cast::<u32>();
        let cqe = cq_ring.add(cq[5] as usize + (head & cmask) as usize * 16);
        cqe.add(8).cast::<i32>().read_volatile()
    };
    if res < 0 {
        report(Err(Error::from_raw_os_error(-res)));
    }
    report(Ok(()))
}

/// Leaves a zombie child behind and reports its PID.
fn cmd_zombie_child() -> ! {
    // SAFETY: the child exits at once.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        // SAFETY: exiting the child.
        unsafe { libc::_exit(0) };
    }
    // Wait until it is a zombie.
    let stat = format!("/proc/{pid}/stat");
    while !read_all(&stat).map(|s| s.contains(") Z ")).unwrap_or(false) {
        std::thread::sleep(Duration::from_millis(10));
    }
    println!("ready {pid}");
    std::io::stdout().flush().ok();
    sleep_forever()
}

/// containers-in NETNS ID...: for each ID, a child that gets the audit
/// container ID (we write it) and then joins the network namespace NETNS
/// with setns(2); prints "ID PID" for each once it has joined, then
/// "ready", and sleeps.  SIGCHLD is ignored, so that the kernel reaps a
/// child that is killed: its /proc entry goes once it has left its
/// namespaces.  One process for many containers: on the KASAN kernel a
/// shell's fork and exec per container cost a second each.
fn cmd_containers_in(netns: &str, ids: &[&str]) -> ! {
    let ns = std::fs::File::open(netns).unwrap_or_else(|e| {
        eprintln!("containers-in {netns}: {e}");
        exit(1)
    });
    let nsfd = ns.as_raw_fd();
    let mut children = Vec::new();
    // On an error, no child is left behind (in NETNS, or in it without
    // its ID).
    let give_up = |children: &[libc::pid_t], why: String| -> ! {
        eprintln!("containers-in: {why}");
        for &pid in children {
            // SAFETY: a signal to a child of ours (reaped by the kernel).
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
        exit(1)
    };
    // SAFETY: setting a signal's disposition.
    unsafe { libc::signal(libc::SIGCHLD, libc::SIG_IGN) };
    for id in ids {
        let mut ack = [0; 2];
        // SAFETY: pipe with a valid two-int array.
        assert_eq!(unsafe { libc::pipe(ack.as_mut_ptr()) }, 0);
        let held = fork_held(move || {
            // SAFETY: raw system calls on fds the child has.
            unsafe {
                // If we die, so do the children (the test kills us last).
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                if libc::setns(nsfd, libc::CLONE_NEWNET) != 0 {
                    return 1;
                }
                libc::write(ack[1], b"x".as_ptr().cast(), 1);
                loop {
                    libc::pause();
                }
            }
        });
        children.push(held.pid);
        // SAFETY: closing our copy of the write end.
        unsafe { libc::close(ack[1]) };
        let path = format!("/proc/{}/containerid", held.pid);
        if let Err(e) = write_once(&path, format!("{id}\n").as_bytes(), None) {
            give_up(&children, format!("{path}: {}", errno_name(&e)));
        }
        let mut b = [0u8; 1];
        // SAFETY: valid fds and buffer.
        let n = unsafe {
            libc::write(held.release, b"x".as_ptr().cast(), 1);
            libc::close(held.release);
            let n = libc::read(ack[0], b.as_mut_ptr().cast(), 1);
            libc::close(ack[0]);
            n
        };
        if n != 1 {
            give_up(
                &children,
                format!("process {} did not join {netns}", held.pid),
            );
        }
        println!("{id} {}", held.pid);
    }
    println!("ready");
    std::io::stdout().flush().ok();
    sleep_forever()
}

/// Sends one UDP packet to `addr`:`port` (in the caller's network
/// namespace; nothing needs to listen).
fn cmd_udp_send(addr: &str, port: u16) -> ! {
    let sock = std::net::UdpSocket::bind("0.0.0.0:0").expect("bind");
    match sock.send_to(b"audit-contid", (addr, port)) {
        Ok(_) => exit(0),
        Err(e) => {
            eprintln!("udp-send: {e}");
            exit(1)
        }
    }
}

/// Sends UDP packets to `addr`:`port` for `ms` milliseconds, whether or
/// not they can be sent (the route may go away meanwhile).
fn cmd_udp_flood(addr: &str, port: u16, ms: u64) -> ! {
    let sock = std::net::UdpSocket::bind("0.0.0.0:0").expect("bind");
    let end = std::time::Instant::now() + Duration::from_millis(ms);
    let mut sent = 0u64;
    while std::time::Instant::now() < end {
        if sock.send_to(b"audit-contid", (addr, port)).is_ok() {
            sent += 1;
        }
    }
    println!("{sent}");
    exit(0)
}

/// Ends the main thread while another thread keeps the process alive.
fn cmd_leader_exit() -> ! {
    std::thread::spawn(|| sleep_forever());
    while std::fs::read_dir("/proc/self/task")
        .map(|d| d.count())
        .unwrap_or(0)
        < 2
    {
        std::thread::sleep(Duration::from_millis(10));
    }
    println!("ready");
    std::io::stdout().flush().ok();
    // SAFETY: exit(2) (not exit_group) ends only this thread; nothing of
    // ours is used after it.
    unsafe { libc::syscall(libc::SYS_exit, 0) };
    unreachable!("the main thread has exited")
}

/// Creates a process that is not our child and reports its PID.
fn cmd_spawn_away(how: &str) -> ! {
    let pid = match how {
        "clone-parent" => {
            // SAFETY: a fork-like clone (no shared memory); the child only
            // makes raw system calls.
            let pid = unsafe {
                libc::syscall(
                    libc::SYS_clone,
                    (libc::CLONE_PARENT | libc::SIGCHLD) as libc::c_ulong,
                    0usize,
                    0usize,
                    0usize,
                    0usize,
                )
            };
            if pid == 0 {
                loop {
                    // SAFETY: pause(2) in the child.
                    unsafe { libc::pause() };
                }
            }
            pid as libc::pid_t
        }
        "reparent" => {
            let mut fds = [0; 2];
            // SAFETY: pipe with a valid two-int array.
            assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
            // SAFETY: the child forks once, reports and exits.
            let child = unsafe { libc::fork() };
            if child == 0 {
                // SAFETY: the grandchild only pauses.
                let g = unsafe { libc::fork() };
                if g == 0 {
                    loop {
                        // SAFETY: pause(2) in the grandchild.
                        unsafe { libc::pause() };
                    }
                }
                // SAFETY: write the grandchild's pid and exit.
                unsafe {
                    libc::write(fds[1], std::ptr::from_ref(&g).cast(), 4);
                    libc::_exit(0);
                }
            }
            let mut g: libc::pid_t = 0;
            // SAFETY: reading 4 bytes into `g`, reaping the child.
            unsafe {
                libc::read(fds[0], std::ptr::from_mut(&mut g).cast(), 4);
                libc::waitpid(child, std::ptr::null_mut(), 0);
            }
            g
        }
        _ => {
            eprintln!("{USAGE}");
            exit(2)
        }
    };
    println!("ready {pid}");
    std::io::stdout().flush().ok();
    sleep_forever()
}

fn cmd_socket(family: i32) -> ! {
    // SAFETY: socket(2) with integer arguments; the fd is dropped on exit.
    let fd = unsafe { libc::socket(family, libc::SOCK_STREAM, 0) };
    if fd < 0 {
        println!("{}", errno_name(&Error::last_os_error()));
        exit(1);
    }
    println!("ok");
    exit(0)
}

const AUDIT_ADD_RULE: u16 = 1011;
const AUDIT_DEL_RULE: u16 = 1012;
const AUDIT_EQUAL: u32 = 0x4000_0000;
const AUDIT_ALWAYS: u32 = 2;
/// flags, action, field_count, mask[64], fields[64], values[64],
/// fieldflags[64], buflen: struct audit_rule_data without its buffer.
const RULE_WORDS: usize = 3 + 4 * 64 + 1;

/// Sends one AUDIT_ADD_RULE/AUDIT_DEL_RULE message with a single
/// containerid field, as auditctl would but without its checks, and
/// returns the kernel's answer (0 or a negative errno).
fn send_audit_rule(msg_type: u16, list: u32, len: u32, id: u64) -> std::io::Result<i32> {
    send_rule(msg_type, list, AUDIT_ALWAYS, AUDIT_EQUAL, len, id)
}

/// The same with the rule's action (`AUDIT_NEVER`, `AUDIT_ALWAYS`) and
/// operator (`AUDIT_EQUAL`, ...) given.
fn send_rule(
    msg_type: u16,
    list: u32,
    action: u32,
    op: u32,
    len: u32,
    id: u64,
) -> std::io::Result<i32> {
    let mut words = [0u32; RULE_WORDS];
    words[0] = list;
    words[1] = action;
    words[2] = 1;
    words[3..3 + 64].fill(u32::MAX);
    words[3 + 64] = AUDIT_CONTAINERID;
    words[3 + 128] = len;
    words[3 + 192] = op;
    words[3 + 256] = len;
    let mut payload: Vec<u8> = words.iter().flat_map(|w| w.to_ne_bytes()).collect();
    payload.extend_from_slice(&id.to_ne_bytes()[..len.min(8) as usize]);
    audit_request(msg_type, &payload)
}

/// Sends one audit netlink request with `payload` and returns the error
/// field of the kernel's acknowledgement (0, or a negative errno).
fn audit_request(msg_type: u16, payload: &[u8]) -> std::io::Result<i32> {
    let total = 16 + payload.len();
    let mut msg = Vec::with_capacity(total);
    msg.extend_from_slice(&(total as u32).to_ne_bytes());
    msg.extend_from_slice(&msg_type.to_ne_bytes());
    msg.extend_from_slice(&(libc::NLM_F_REQUEST as u16 | libc::NLM_F_ACK as u16).to_ne_bytes());
    msg.extend_from_slice(&1u32.to_ne_bytes());
    msg.extend_from_slice(&0u32.to_ne_bytes());
    msg.extend_from_slice(payload);

    // SAFETY: plain socket calls; every buffer outlives the call using it.
    unsafe {
        let fd = libc::socket(libc::AF_NETLINK, libc::SOCK_RAW, libc::NETLINK_AUDIT);
        if fd < 0 {
            return Err(Error::last_os_error());
        }
        let mut addr: libc::sockaddr_nl = std::mem::zeroed();
        addr.nl_family = libc::AF_NETLINK as u16;
        let sent = libc::sendto(
            fd,
            msg.as_ptr().cast(),
            msg.len(),
            0,
            std::ptr::from_ref(&addr).cast(),
            std::mem::size_of::<libc::sockaddr_nl>() as u32,
        );
        if sent < 0 {
            let e = Error::last_os_error();
            libc::close(fd);
            return Err(e);
        }
        let mut reply = [0u8; 8192];
        let n = libc::recv(fd, reply.as_mut_ptr().cast(), reply.len(), 0);
        libc::close(fd);
        if n < 20 {
            return Err(Error::other("short netlink reply"));
        }
        // nlmsghdr (16 bytes), then the NLMSG_ERROR's error field.
        Ok(i32::from_ne_bytes([
            reply[16], reply[17], reply[18], reply[19],
        ]))
    }
}

/// uring-rule add|del: an "always" rule with no fields for every
/// operation on the io_uring exit list (AUDIT_FILTER_URING_EXIT, 7), which
/// Debian's auditctl cannot add; prints ok or the errno name.
fn cmd_uring_rule(op: &str) -> ! {
    const AUDIT_FILTER_URING_EXIT: u32 = 7;
    let mut words = [0u32; RULE_WORDS];
    words[0] = AUDIT_FILTER_URING_EXIT;
    words[1] = AUDIT_ALWAYS;
    words[3..3 + 64].fill(u32::MAX);
    let payload: Vec<u8> = words.iter().flat_map(|w| w.to_ne_bytes()).collect();
    let msg_type = if op == "add" {
        AUDIT_ADD_RULE
    } else {
        AUDIT_DEL_RULE
    };
    report_ack("uring-rule", audit_request(msg_type, &payload))
}

/// AUDIT_SET_FEATURE (linux/audit.h) and struct audit_features version 1.
const AUDIT_SET_FEATURE: u16 = 1018;
const AUDIT_FEATURE_VERSION: u32 = 1;

/// set-feature BIT VALUE: sets audit feature BIT (0: only_unset_loginuid,
/// 1: loginuid_immutable) to VALUE without locking it; prints ok or the
/// errno.  The kernel logs a FEATURE_CHANGE record.
fn cmd_set_feature(bit: u32, value: bool) -> ! {
    let mask = 1u32 << bit;
    let words = [AUDIT_FEATURE_VERSION, mask, if value { mask } else { 0 }, 0];
    let payload: Vec<u8> = words.iter().flat_map(|w| w.to_ne_bytes()).collect();
    report_ack("set-feature", audit_request(AUDIT_SET_FEATURE, &payload))
}

/// seccomp-log: installs a seccomp filter whose action for getppid(2) is
/// SECCOMP_RET_LOG (allowed, and logged: a SECCOMP record) and calls it.
fn cmd_seccomp_log() -> ! {
    // The classic BPF program: load the syscall number (offset 0 of
    // struct seccomp_data), if getppid return LOG, else ALLOW.
    const LD_W_ABS: u16 = 0x20; // BPF_LD | BPF_W | BPF_ABS
    const JEQ_K: u16 = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
    const RET_K: u16 = 0x06; // BPF_RET | BPF_K
    const SECCOMP_RET_LOG: u32 = 0x7ffc_0000;
    const SECCOMP_RET_ALLOW: u32 = 0x7fff_0000;
    let filter = [
        libc::sock_filter {
            code: LD_W_ABS,
            jt: 0,
            jf: 0,
            k: 0,
        },
        libc::sock_filter {
            code: JEQ_K,
            jt: 0,
            jf: 1,
            k: libc::SYS_getppid as u32,
        },
        libc::sock_filter {
            code: RET_K,
            jt: 0,
            jf: 0,
            k: SECCOMP_RET_LOG,
        },
        libc::sock_filter {
            code: RET_K,
            jt: 0,
            jf: 0,
            k: SECCOMP_RET_ALLOW,
        },
    ];
    let prog = libc::sock_fprog {
        len: filter.len() as u16,
        filter: filter.as_ptr().cast_mut(),
    };
    // SAFETY: prctl and seccomp(2) with a valid program that outlives the
    // calls; getppid takes no arguments.
    unsafe {
        if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0
            || libc::syscall(
                libc::SYS_seccomp,
                libc::SECCOMP_SET_MODE_FILTER,
                0,
                std::ptr::from_ref(&prog),
            ) != 0
        {
            eprintln!("seccomp-log: {}", Error::last_os_error());
            exit(2)
        }
        libc::syscall(libc::SYS_getppid);
    }
    println!("{}", std::process::id());
    exit(0)
}

/// Prints the kernel's answer to an audit request (ok, or the errno name)
/// and exits 0 or 1; 2 if the request could not be sent.
/// AUDIT_TTY_SET (linux/audit.h): struct audit_tty_status for the sender.
const AUDIT_TTY_SET: u16 = 1017;

/// tty-audit TEXT: switches tty auditing on for this process (as
/// pam_tty_audit does, AUDIT_TTY_SET) and has a child, which inherits it,
/// read the line TEXT typed on a new pty; prints the child's pid once it
/// has exited (its exit flushes the AUDIT_TTY record of what it read).
fn cmd_tty_audit(text: &str) -> ! {
    fn die(what: &str, e: Error) -> ! {
        eprintln!("{what}: {e}");
        exit(2)
    }
    let status: Vec<u8> = [1u32, 0u32].iter().flat_map(|w| w.to_ne_bytes()).collect();
    match audit_request(AUDIT_TTY_SET, &status) {
        Ok(0) => {}
        other => report_ack("tty-audit: AUDIT_TTY_SET", other),
    }
    // SAFETY: plain libc calls on descriptors this function owns; every
    // buffer outlives the call that uses it; the child only makes
    // async-signal-safe calls before _exit.
    unsafe {
        let master = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY);
        if master < 0 || libc::grantpt(master) != 0 || libc::unlockpt(master) != 0 {
            die("tty-audit: posix_openpt", Error::last_os_error());
        }
        let mut name = [0 as libc::c_char; 64];
        if libc::ptsname_r(master, name.as_mut_ptr(), name.len()) != 0 {
            die("tty-audit: ptsname", Error::last_os_error());
        }
        let mut ready = [0i32; 2];
        if libc::pipe(ready.as_mut_ptr()) != 0 {
            die("tty-audit: pipe", Error::last_os_error());
        }
        let child = libc::fork();
        if child < 0 {
            die("tty-audit: fork", Error::last_os_error());
        }
        if child == 0 {
            // A new session whose controlling terminal is the pty.
            libc::setsid();
            let slave = libc::open(name.as_ptr(), libc::O_RDWR);
            if slave < 0 {
                libc::_exit(3);
            }
            libc::write(ready[1], b"r".as_ptr().cast(), 1);
            let mut buf = [0u8; 256];
            let n = libc::read(slave, buf.as_mut_ptr().cast(), buf.len());
            libc::_exit(if n > 0 { 0 } else { 4 });
        }
        libc::close(ready[1]);
        let mut b = [0u8; 1];
        if libc::read(ready[0], b.as_mut_ptr().cast(), 1) != 1 {
            die(
                "tty-audit: the child did not open the pty",
                Error::other("no slave"),
            );
        }
        let line = format!("{text}\n");
        if libc::write(master, line.as_ptr().cast(), line.len()) != line.len() as isize {
            die("tty-audit: write", Error::last_os_error());
        }
        let mut st = 0;
        libc::waitpid(child, &mut st, 0);
        if !libc::WIFEXITED(st) || libc::WEXITSTATUS(st) != 0 {
            die(
                "tty-audit: the child failed",
                Error::other(format!("status {st:#x}")),
            );
        }
        println!("{child}");
        exit(0)
    }
}

fn report_ack(what: &str, answer: std::io::Result<i32>) -> ! {
    match answer {
        Ok(0) => {
            println!("ok");
            exit(0)
        }
        Ok(e) => {
            println!("{}", errno_name(&Error::from_raw_os_error(-e)));
            exit(1)
        }
        Err(e) => {
            eprintln!("{what}: {e}");
            exit(2)
        }
    }
}

fn cmd_audit_rule(op: &str, list: u32, len: u32, id: u64) -> ! {
    let msg_type = if op == "add" {
        AUDIT_ADD_RULE
    } else {
        AUDIT_DEL_RULE
    };
    report_ack("audit-rule", send_audit_rule(msg_type, list, len, id))
}

mod faults;
mod fuzz;

fn cmd_fail_open(path: &str, max: u32) -> ! {
    let fail = faults::enable_failslab().and_then(|()| faults::FailNth::open());
    let fail = match fail {
        Ok(f) => f,
        Err(e) => {
            eprintln!("fail-open: fault injection: {e}");
            exit(2)
        }
    };
    let (mut injected, mut failed) = (0, 0);
    for n in 1..=max {
        if let Err(e) = fail.arm(n) {
            eprintln!("fail-open: arming: {e}");
            exit(2);
        }
        if std::fs::File::open(path).is_err() {
            failed += 1;
        }
        match fail.disarm() {
            Ok(true) => injected += 1,
            Ok(false) => {}
            Err(e) => {
                eprintln!("fail-open: disarming: {e}");
                exit(2)
            }
        }
    }
    println!("tries={max} injected={injected} failed={failed}");
    exit(0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    match a.as_slice() {
        ["write", path, text] => report(write_once(path, &unescape(text), None)),
        ["write", path, text, "--offset", off] => {
            let off = off.parse().expect("offset");
            report(write_once(path, &unescape(text), Some(off)))
        }
        ["read", path] => match read_all(path) {
            Ok(s) => {
                print!("{s}");
                exit(0)
            }
            Err(e) => {
                println!("{}", errno_name(&e));
                exit(1)
            }
        },
        ["drop-cap", ..] => {
            if let Err(e) = drop_audit_control() {
                eprintln!("dropping CAP_AUDIT_CONTROL: {e}");
                exit(126);
            }
            exec(&args[1..])
        }
        ["threads", n] => cmd_threads(n.parse().expect("thread count")),
        ["self-set", id] => cmd_self_set(id, false),
        ["self-set", id, "--from-thread"] => cmd_self_set(id, true),
        ["gate", fifo, ..] => cmd_gate(fifo, &args[2..]),
        ["race", pid, n] => cmd_race(pid, n.parse().expect("writer count")),
        ["stress", secs] => cmd_stress(secs.parse().expect("seconds")),
        ["ptrace-attach", pid] => cmd_ptrace_attach(pid.parse().expect("pid")),
        ["getppid-loop", secs] => cmd_getppid_loop(secs.parse().expect("seconds")),
        ["as-user", uid, ..] => cmd_as_user(uid.parse().expect("uid"), &args[2..]),
        ["copy", src] => cmd_copy(src, None),
        ["copy", src, dest] => cmd_copy(src, Some(dest)),
        ["sqpoll"] => cmd_sqpoll(),
        ["uring-write", path, text] => cmd_uring_write(path, text),
        ["uring-open", path] => cmd_uring_open(path),
        ["zombie-child"] => cmd_zombie_child(),
        ["leader-exit"] => cmd_leader_exit(),
        ["spawn-away", how] => cmd_spawn_away(how),
        ["socket", family] => cmd_socket(family.parse().expect("family")),
        ["containers-in", netns, ids @ ..] if !ids.is_empty() => cmd_containers_in(netns, ids),
        ["udp-send", addr, port] => cmd_udp_send(addr, port.parse().expect("port")),
        ["udp-flood", addr, port, ms] => cmd_udp_flood(
            addr,
            port.parse().expect("port"),
            ms.parse().expect("milliseconds"),
        ),
        ["fuzz", secs, seed] => {
            fuzz::run(secs.parse().expect("seconds"), seed.parse().expect("seed"))
        }
        ["set-feature", bit, value] => cmd_set_feature(
            bit.parse().expect("feature bit"),
            value.parse::<u8>().expect("0 or 1") != 0,
        ),
        ["seccomp-log"] => cmd_seccomp_log(),
        ["tty-audit", text] => cmd_tty_audit(text),
        ["uring-rule", op @ ("add" | "del")] => cmd_uring_rule(op),
        ["fail-open", path, max] => cmd_fail_open(path, max.parse().expect("count")),
        ["audit-rule", op @ ("add" | "del"), list, len, id] => cmd_audit_rule(
            op,
            list.parse().expect("list"),
            len.parse().expect("length"),
            id.parse().expect("ID"),
        ),
        _ => {
            eprintln!("{USAGE}");
            exit(2)
        }
    }
}
