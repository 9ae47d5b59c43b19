// SPDX-License-Identifier: GPL-2.0

//! contid-bench: the workloads of `scripts/bench`, run in the guest.  Each
//! prints one line `RESULT NAME VALUE UNIT`; the host side interleaves the
//! kernels and configurations and computes the ratios.  Timing is
//! CLOCK_MONOTONIC, which under QEMU's `-icount` is the instruction count.

use std::ffi::CString;
use std::fs::OpenOptions;
use std::io::{Error, Read, Write};
use std::process::exit;
use std::time::Instant;

const USAGE: &str = "usage: contid-bench [--contid ID] WORKLOAD ...
  --contid ID           run the workload in a child whose audit container ID
                        is set to ID (by this process, before the child starts)
  fork N                N x fork, _exit in the child, waitpid
  vfork-exec N          N x vfork+execve (posix_spawn) of this program's `noop`,
                        waitpid
  thread N              N x pthread create + join
  null N                N x getppid(2) (a syscall that does nothing)
  open PATH N           N x open(2) + close(2) of PATH
  set THREADS N         N x: a fresh process with THREADS threads gets an ID
                        (write(2) to its /proc/PID/containerid, timed); ID from
                        the environment's BENCH_ID_BASE upwards
  hold THREADS ID       a process of THREADS threads gets ID; print ready, sleep
  park THREADS          the same without an ID (the baseline of memory figures)
  unload MODULE         delete_module(2) of MODULE, timed
  drain                 become the audit daemon (AUDIT_SET pid) and discard
                        every record: the cheapest consumer there is, so
                        that an event's timing is the kernel's cost; print
                        ready, then read until killed
  noop                  exit at once";

fn die(msg: &str) -> ! {
    eprintln!("contid-bench: {msg}");
    exit(1)
}

fn parse<T: std::str::FromStr>(s: Option<&String>) -> T {
    s.and_then(|s| s.parse().ok()).unwrap_or_else(|| die(USAGE))
}

fn result(name: &str, per_op_ns: f64) {
    println!("RESULT {name} {per_op_ns:.1} ns");
}

fn timed(n: u64, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..n {
        f();
    }
    start.elapsed().as_nanos() as f64 / n as f64
}

fn wait_child(pid: libc::pid_t) {
    let mut status = 0;
    // SAFETY: waitpid on our own child with a valid status pointer.
    if unsafe { libc::waitpid(pid, &mut status, 0) } != pid {
        die(&format!("waitpid: {}", Error::last_os_error()));
    }
}

fn fork_bench(n: u64) {
    result(
        "fork",
        timed(n, || {
            // SAFETY: the child only calls _exit, which is async-signal-safe.
            let pid = unsafe { libc::fork() };
            match pid {
                // SAFETY: _exit ends the forked child at once.
                0 => unsafe { libc::_exit(0) },
                p if p < 0 => die(&format!("fork: {}", Error::last_os_error())),
                p => wait_child(p),
            }
        }),
    );
}

fn vfork_exec_bench(n: u64) {
    let exe = CString::new(
        std::env::current_exe()
            .unwrap_or_else(|e| die(&format!("current_exe: {e}")))
            .into_os_string()
            .into_encoded_bytes(),
    )
    .unwrap_or_else(|_| die("NUL in the program's path"));
    let noop = c"noop";
    let argv = [
        exe.as_ptr().cast_mut(),
        noop.as_ptr().cast_mut(),
        std::ptr::null_mut(),
    ];
    let envp: [*mut libc::c_char; 1] = [std::ptr::null_mut()];
    // glibc's posix_spawn is clone(CLONE_VM | CLONE_VFORK) and execve: the
    // vfork+exec of a shell, without Rust code running in a vfork child.
    result(
        "vfork-exec",
        timed(n, || {
            let mut pid = 0;
            // SAFETY: valid NUL-terminated argv and envp arrays that
            // outlive the call; no file actions or attributes.
            let rc = unsafe {
                libc::posix_spawn(
                    &mut pid,
                    exe.as_ptr(),
                    std::ptr::null(),
                    std::ptr::null(),
                    argv.as_ptr(),
                    envp.as_ptr(),
                )
            };
            if rc != 0 {
                die(&format!("posix_spawn: {}", Error::from_raw_os_error(rc)));
            }
            wait_child(pid);
        }),
    );
}

fn thread_bench(n: u64) {
    result(
        "thread",
        timed(n, || {
            std::thread::spawn(|| {})
                .join()
                .unwrap_or_else(|_| die("thread panicked"))
        }),
    );
}

fn null_bench(n: u64) {
    result(
        "null",
        timed(n, || {
            // SAFETY: getppid takes no arguments and cannot fail.
            unsafe { libc::syscall(libc::SYS_getppid) };
        }),
    );
}

fn open_bench(path: &str, n: u64) {
    let c = CString::new(path).unwrap();
    result(
        "open",
        timed(n, || {
            // SAFETY: a valid NUL-terminated path; the descriptor is closed.
            let fd = unsafe { libc::open(c.as_ptr(), libc::O_RDONLY) };
            if fd < 0 {
                die(&format!("open {path}: {}", Error::last_os_error()));
            }
            // SAFETY: fd is the descriptor open(2) just returned.
            unsafe { libc::close(fd) };
        }),
    );
}

/// A child process of `threads` threads (the main one included) that waits
/// until it is told to go on (a byte on `go`), then runs `then`.
struct Child {
    pid: libc::pid_t,
    go: std::fs::File,
}

fn pipe() -> (std::fs::File, std::fs::File) {
    use std::os::fd::FromRawFd;
    let mut fds = [0; 2];
    // SAFETY: pipe2 fills two descriptors that we then own.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        die(&format!("pipe: {}", Error::last_os_error()));
    }
    // SAFETY: the descriptors are fresh and owned by nobody else.
    unsafe {
        (
            std::fs::File::from_raw_fd(fds[0]),
            std::fs::File::from_raw_fd(fds[1]),
        )
    }
}

fn spawn_child(threads: u64, then: impl FnOnce()) -> Child {
    let (mut ready_r, mut ready_w) = pipe();
    let (mut go_r, go_w) = pipe();
    // SAFETY: the child is single-threaded at this point (we are); it only
    // uses its own copies of the pipes and starts threads of its own.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        die(&format!("fork: {}", Error::last_os_error()));
    }
    if pid == 0 {
        drop(ready_r);
        drop(go_w);
        for _ in 1..threads {
            std::thread::spawn(|| loop {
                std::thread::park();
            });
        }
        let _ = ready_w.write_all(b"r");
        drop(ready_w);
        let mut b = [0u8; 1];
        if go_r.read(&mut b).unwrap_or(0) == 1 {
            then();
        }
        // SAFETY: ends the child, its threads included, without running
        // the parent's exit handlers.
        unsafe { libc::_exit(0) };
    }
    drop(ready_w);
    drop(go_r);
    let mut b = [0u8; 1];
    if ready_r.read(&mut b).unwrap_or(0) != 1 {
        die("child did not get ready");
    }
    Child { pid, go: go_w }
}

fn set_id(pid: libc::pid_t, id: u64) -> Result<f64, Error> {
    let mut f = OpenOptions::new()
        .write(true)
        .open(format!("/proc/{pid}/containerid"))?;
    let text = id.to_string();
    let start = Instant::now();
    f.write_all(text.as_bytes())?;
    Ok(start.elapsed().as_nanos() as f64)
}

fn kill_child(c: Child) {
    // SAFETY: signalling and reaping our own child.
    unsafe { libc::kill(c.pid, libc::SIGKILL) };
    wait_child(c.pid);
}

fn set_bench(threads: u64, n: u64) {
    let base: u64 = std::env::var("BENCH_ID_BASE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let mut times = Vec::new();
    for i in 0..n {
        let c = spawn_child(threads, || {});
        let t = set_id(c.pid, base + i).unwrap_or_else(|e| die(&format!("set: {e}")));
        times.push(t);
        kill_child(c);
    }
    times.sort_by(f64::total_cmp);
    println!("RESULT set-{threads} {:.1} ns", times[times.len() / 2]);
}

fn hold(threads: u64, id: u64) {
    let c = spawn_child(threads, || loop {
        // SAFETY: pause() only waits for a signal.
        unsafe { libc::pause() };
    });
    set_id(c.pid, id).unwrap_or_else(|e| die(&format!("set: {e}")));
    println!("ready {}", c.pid);
    let _ = std::io::stdout().flush();
    let mut go = c.go;
    let _ = go.write_all(b"g");
    wait_child(c.pid);
}

/// Like `hold` without an ID: what the threads cost before the module adds
/// anything.
fn park(threads: u64) {
    let c = spawn_child(threads, || loop {
        // SAFETY: pause() only waits for a signal.
        unsafe { libc::pause() };
    });
    println!("ready {}", c.pid);
    let _ = std::io::stdout().flush();
    let mut go = c.go;
    let _ = go.write_all(b"g");
    wait_child(c.pid);
}

fn unload(module: &str) {
    let name = CString::new(module).unwrap_or_else(|_| die("NUL in the module's name"));
    let start = Instant::now();
    // SAFETY: a valid NUL-terminated name; O_NONBLOCK fails at once with
    // EWOULDBLOCK instead of waiting if the module is still in use.
    let rc = unsafe { libc::syscall(libc::SYS_delete_module, name.as_ptr(), libc::O_NONBLOCK) };
    let err = (rc != 0).then(Error::last_os_error);
    let ns = start.elapsed().as_nanos() as f64;
    if let Some(e) = err {
        die(&format!("delete_module {module}: {e}"));
    }
    result("unload", ns);
}

/// The audit netlink messages `drain` needs (`linux/audit.h`).
const AUDIT_SET: u16 = 1001;
const AUDIT_STATUS_PID: u32 = 4;

fn drain() {
    // SAFETY: socket(2) with constant arguments; the descriptor is ours.
    let fd = unsafe {
        libc::socket(
            libc::AF_NETLINK,
            libc::SOCK_RAW | libc::SOCK_CLOEXEC,
            libc::NETLINK_AUDIT,
        )
    };
    if fd < 0 {
        die(&format!("audit socket: {}", Error::last_os_error()));
    }
    // A netlink header and the first four fields of struct audit_status
    // (mask, enabled, failure, pid); the kernel reads what it is given.
    #[repr(C)]
    struct SetPid {
        hdr: libc::nlmsghdr,
        status: [u32; 4],
    }
    let msg = SetPid {
        hdr: libc::nlmsghdr {
            nlmsg_len: std::mem::size_of::<SetPid>() as u32,
            nlmsg_type: AUDIT_SET,
            nlmsg_flags: (libc::NLM_F_REQUEST | libc::NLM_F_ACK) as u16,
            nlmsg_seq: 1,
            nlmsg_pid: 0,
        },
        // SAFETY: getpid cannot fail.
        status: [AUDIT_STATUS_PID, 0, 0, unsafe { libc::getpid() } as u32],
    };
    // SAFETY: msg is a valid buffer of the given length; the kernel's
    // address is the zeroed sockaddr_nl.
    let sent = unsafe {
        let mut to: libc::sockaddr_nl = std::mem::zeroed();
        to.nl_family = libc::AF_NETLINK as u16;
        libc::sendto(
            fd,
            std::ptr::addr_of!(msg).cast(),
            std::mem::size_of::<SetPid>(),
            0,
            std::ptr::addr_of!(to).cast(),
            std::mem::size_of::<libc::sockaddr_nl>() as u32,
        )
    };
    if sent < 0 {
        die(&format!("AUDIT_SET: {}", Error::last_os_error()));
    }
    let mut buf = vec![0u8; 16384];
    // The first answer is the ACK (an NLMSG_ERROR whose error is 0).
    // SAFETY: buf is writable for its length.
    let got = unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), 0) };
    let hdr = std::mem::size_of::<libc::nlmsghdr>();
    if got < (hdr + 4) as isize {
        die(&format!("AUDIT_SET: no answer: {}", Error::last_os_error()));
    }
    let kind = u16::from_ne_bytes([buf[4], buf[5]]);
    let error = i32::from_ne_bytes([buf[hdr], buf[hdr + 1], buf[hdr + 2], buf[hdr + 3]]);
    if kind != libc::NLMSG_ERROR as u16 || error != 0 {
        die(&format!(
            "AUDIT_SET: {}",
            Error::from_raw_os_error(error.wrapping_neg())
        ));
    }
    println!("ready");
    let _ = std::io::stdout().flush();
    loop {
        // SAFETY: as above.
        let got = unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), 0) };
        if got < 0 && Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
            die(&format!("recv: {}", Error::last_os_error()));
        }
    }
}

fn run(args: &[String]) {
    let n = || parse::<u64>(args.get(1));
    match args.first().map(String::as_str) {
        Some("fork") => fork_bench(n()),
        Some("vfork-exec") => vfork_exec_bench(n()),
        Some("thread") => thread_bench(n()),
        Some("null") => null_bench(n()),
        Some("open") => open_bench(
            args.get(1).unwrap_or_else(|| die(USAGE)),
            parse(args.get(2)),
        ),
        Some("set") => set_bench(n(), parse(args.get(2))),
        Some("hold") => hold(n(), parse(args.get(2))),
        Some("park") => park(n()),
        Some("unload") => unload(args.get(1).unwrap_or_else(|| die(USAGE))),
        Some("drain") => drain(),
        Some("noop") => {}
        _ => die(USAGE),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--contid") {
        let id: u64 = parse(args.get(1));
        let rest = args[2..].to_vec();
        let c = spawn_child(1, move || {
            run(&rest);
            let _ = std::io::stdout().flush();
        });
        set_id(c.pid, id).unwrap_or_else(|e| die(&format!("set: {e}")));
        let mut go = &c.go;
        go.write_all(b"g")
            .unwrap_or_else(|e| die(&format!("go: {e}")));
        wait_child(c.pid);
        return;
    }
    run(&args);
}
