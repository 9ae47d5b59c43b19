// SPDX-License-Identifier: GPL-2.0

//! `contid-test fuzz SECONDS SEED`: random input for the module, from a
//! seed it prints, for a bounded time.
//!
//! - writes of random bytes, lengths and offsets to /proc/PID/containerid
//!   and /proc/PID/task/TID/containerid of random targets: itself and its
//!   threads, children that sleep, run threads, exit (zombies until they
//!   are reaped) or exec, and kernel threads;
//! - reads of the same files;
//! - containerid rules added and deleted through raw netlink, with random
//!   lists, operators, value lengths and values, each answer checked
//!   against what the kernel must say;
//! - a churn thread forking and reaping, and a thread that unloads and
//!   reloads the module every few seconds;
//! - on some writes, a slab allocation made to fail (fail-nth), so that
//!   the module's and the record's allocation failures are exercised.
//!
//! Only its own descendants and kernel threads are targets, so the rest of
//! the system keeps its IDs.  It checks every answer it can predict and
//! counts the writes the module must have recorded (and, for writes with a
//! fault, recorded or counted as lost); the test compares those with the
//! log and the lost counter.

use crate::faults::{enable_failslab, FailNth};
use crate::{errno_name, send_rule, write_once, AUDIT_ADD_RULE, AUDIT_DEL_RULE};
use std::io::Read;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// xorshift64*: small, seedable, good enough to pick cases.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const UNSET: u64 = u64::MAX;
/// The most children kept as targets at a time.
const MAX_KIDS: usize = 48;
// Operators and lists of <linux/audit.h>.
const OPS: [u32; 8] = [
    0x4000_0000, // =
    0x3000_0000, // !=
    0x1000_0000, // <
    0x2000_0000, // >
    0x5000_0000, // <=
    0x6000_0000, // >=
    0x0800_0000, // &
    0x4800_0000, // &=
];
const OP_EQUAL: u32 = 0x4000_0000;
const OP_NOT_EQUAL: u32 = 0x3000_0000;
const BIT_OPS: [u32; 2] = [0x0800_0000, 0x4800_0000];
const FILTER_USER: u32 = 0;
const FILTER_EXIT: u32 = 4;
const FILTER_EXCLUDE: u32 = 5;
/// task, entry (gone), watch, filesystem, io_uring: never take the field.
const BAD_LISTS: [u32; 5] = [1, 2, 3, 6, 7];
const NEVER: u32 = 0;
const ALWAYS: u32 = 2;

/// The errnos with which the module refuses a write; each is recorded.
const RECORDED: [i32; 10] = [
    libc::EINVAL,
    libc::EPERM,
    libc::EACCES,
    libc::ENXIO,
    libc::EXDEV,
    libc::EBUSY,
    libc::EEXIST,
    libc::EMLINK,
    libc::ENOTUNIQ,
    libc::ENOMEM,
];

#[derive(Default)]
struct Counts {
    writes: u64,
    recorded: u64,
    maybe: u64,
    unrecorded: u64,
    faulted: u64,
    faulted_due: u64,
    faulted_maybe: u64,
    reads: u64,
    rules_added: u64,
    rules_refused: u64,
    rules_deleted: u64,
    forks: u64,
}

fn value_bytes(rng: &mut Rng) -> Vec<u8> {
    let mut v = match rng.below(12) {
        0..=3 => format!("{}", rng.below(5000)).into_bytes(),
        4 => format!("{}", rng.next() % UNSET).into_bytes(),
        5 => format!("+{}\n", rng.below(100)).into_bytes(),
        6 => b"18446744073709551615".to_vec(),
        7 => b"18446744073709551616".to_vec(),
        8 => Vec::new(),
        9 => (0..rng.below(80))
            .map(|_| (rng.next() & 0xff) as u8)
            .collect(),
        10 => vec![b'7'; 60 + rng.below(20) as usize],
        _ => b"12\n\n".to_vec(),
    };
    if rng.chance(20) {
        v.push(b'\n');
    }
    if rng.chance(5) {
        let at = rng.below(v.len() as u64 + 1) as usize;
        v.insert(at, 0);
    }
    v
}

/// The children the fuzzer keeps as targets.
struct Zoo {
    kids: Vec<libc::pid_t>,
}

impl Zoo {
    fn spawn(&mut self, rng: &mut Rng, counts: &mut Counts) {
        let kind = rng.below(4);
        // SAFETY: the child makes raw system calls only, then exits or
        // execs.
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            // SAFETY: as above.
            unsafe {
                match kind {
                    0 => libc::_exit(0),
                    1 => {
                        let args = [c"sleep".as_ptr(), c"1".as_ptr(), std::ptr::null()];
                        libc::execv(c"/bin/sleep".as_ptr(), args.as_ptr());
                        libc::_exit(127)
                    }
                    _ => loop {
                        libc::pause();
                    },
                }
            }
        }
        if pid > 0 {
            counts.forks += 1;
            self.kids.push(pid);
        }
    }

    fn reap(&mut self, rng: &mut Rng) {
        if self.kids.is_empty() {
            return;
        }
        let i = rng.below(self.kids.len() as u64) as usize;
        let pid = self.kids.swap_remove(i);
        // SAFETY: signalling and reaping our own child.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
            libc::waitpid(pid, std::ptr::null_mut(), 0);
        }
    }

    fn target(&self, rng: &mut Rng) -> String {
        match rng.below(10) {
            0 => "/proc/self/containerid".into(),
            1 => "/proc/thread-self/containerid".into(),
            2 => "/proc/2/containerid".into(),
            _ if !self.kids.is_empty() => {
                let pid = self.kids[rng.below(self.kids.len() as u64) as usize];
                if rng.chance(30) {
                    format!("/proc/{pid}/task/{pid}/containerid")
                } else {
                    format!("/proc/{pid}/containerid")
                }
            }
            _ => "/proc/self/containerid".into(),
        }
    }
}

/// Adds or deletes a random containerid rule and checks the answer.
fn fuzz_rule(
    rng: &mut Rng,
    added: &mut Vec<(u32, u32, u32, u64)>,
    counts: &mut Counts,
    failures: &mut Vec<String>,
) {
    if !added.is_empty() && rng.chance(40) {
        let r = added.swap_remove(rng.below(added.len() as u64) as usize);
        match send_rule(AUDIT_DEL_RULE, r.0, r.1, r.2, 8, r.3) {
            Ok(0) => counts.rules_deleted += 1,
            other => failures.push(format!("deleting rule {r:?}: {other:?}")),
        }
        return;
    }
    let op = OPS[rng.below(OPS.len() as u64) as usize];
    let len = if rng.chance(85) {
        8
    } else {
        [0, 4, 7, 9, 16][rng.below(5) as usize]
    };
    let value = if rng.chance(10) {
        UNSET
    } else {
        rng.below(6000)
    };
    let (list, action) = match rng.below(10) {
        0..=2 => (FILTER_EXIT, NEVER),
        3..=5 => (FILTER_USER, NEVER),
        // On the exclude list any match drops records; keep the fuzzer's
        // own (it has no ID) by never matching the host.
        6..=8 if op != OP_NOT_EQUAL && !(op == OP_EQUAL && value == UNSET) => {
            (FILTER_EXCLUDE, ALWAYS)
        }
        _ => (
            BAD_LISTS[rng.below(BAD_LISTS.len() as u64) as usize],
            ALWAYS,
        ),
    };
    let key = (list, action, op, value);
    let must_fail = len != 8 || BIT_OPS.contains(&op) || BAD_LISTS.contains(&list);
    let expect = if must_fail {
        -libc::EINVAL
    } else if added.contains(&key) {
        -libc::EEXIST
    } else {
        0
    };
    match send_rule(AUDIT_ADD_RULE, list, action, op, len, value) {
        Ok(r) if r == expect => {
            if r == 0 {
                added.push(key);
                counts.rules_added += 1;
            } else {
                counts.rules_refused += 1;
            }
        }
        other => failures.push(format!(
            "adding rule list={list} op={op:#x} len={len} value={value}: {other:?}, expected {expect}"
        )),
    }
}

fn module_loaded() -> bool {
    std::path::Path::new("/sys/module/audit_contid").exists()
}

fn reload_module() -> Result<(), String> {
    let rm = std::process::Command::new("rmmod")
        .arg("audit_contid")
        .status()
        .map_err(|e| format!("rmmod: {e}"))?;
    std::thread::sleep(Duration::from_millis(20));
    let ins = std::process::Command::new("insmod")
        .arg("/lib/modules/audit_contid.ko")
        .status()
        .map_err(|e| format!("insmod: {e}"))?;
    if !rm.success() || !ins.success() {
        return Err(format!("rmmod {rm}, insmod {ins}"));
    }
    Ok(())
}

/// A write with its Nth slab allocation made to fail.  A write the module
/// answered is due a record, which is logged or counted as lost; ENOMEM
/// may also come from before the module.
fn fault_write(
    fail: &FailNth,
    rng: &mut Rng,
    path: &str,
    data: &[u8],
    offset: Option<u64>,
    counts: &mut Counts,
    failures: &mut Vec<String>,
) {
    if let Err(e) = fail.arm(1 + rng.below(40) as u32) {
        failures.push(format!("arming fail-nth: {e}"));
        return;
    }
    let answer = write_once(path, data, offset);
    match fail.disarm() {
        Ok(true) => counts.faulted += 1,
        Ok(false) => {}
        Err(e) => failures.push(format!("disarming fail-nth: {e}")),
    }
    match answer {
        Ok(()) => counts.faulted_due += 1,
        Err(e) => match e.raw_os_error() {
            Some(libc::ENOMEM | libc::ESRCH) => counts.faulted_maybe += 1,
            Some(n) if RECORDED.contains(&n) => counts.faulted_due += 1,
            Some(libc::ENOENT | libc::EOPNOTSUPP) => counts.unrecorded += 1,
            _ => failures.push(format!(
                "write {:?} to {path} at {offset:?} with a fault: {}",
                String::from_utf8_lossy(data),
                errno_name(&e)
            )),
        },
    }
}

/// Runs the fuzzer; prints its counts and exits 0 if every answer was as
/// expected.
pub(crate) fn run(seconds: u64, seed: u64) -> ! {
    println!(
        "fuzz: pid={} seed={seed} seconds={seconds}",
        std::process::id()
    );
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut rng = Rng(seed | 1);
    let stop = Arc::new(AtomicBool::new(false));
    let reloads = Arc::new(AtomicU64::new(0));
    let thread_failures = Arc::new(Mutex::new(Vec::<String>::new()));

    // A thread of ours, so that /proc/self/task/TID names a second target
    // in our own group.
    std::thread::spawn(|| loop {
        std::thread::sleep(Duration::from_secs(3600));
    });
    // Churn: processes created and reaped while everything else happens,
    // also while the module goes away and comes back.
    let churn = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                // SAFETY: the child exits at once.
                let pid = unsafe { libc::fork() };
                if pid == 0 {
                    // SAFETY: exiting the child.
                    unsafe { libc::_exit(0) };
                }
                // SAFETY: reaping our child.
                unsafe { libc::waitpid(pid, std::ptr::null_mut(), 0) };
            }
        })
    };
    let reloader = {
        let stop = Arc::clone(&stop);
        let reloads = Arc::clone(&reloads);
        let failures = Arc::clone(&thread_failures);
        let mut r = Rng(seed.rotate_left(17) | 1);
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(1500 + r.below(2000)));
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                match reload_module() {
                    Ok(()) => {
                        reloads.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => failures.lock().expect("lock").push(e),
                }
            }
        })
    };

    let fail = match enable_failslab().and_then(|()| FailNth::open()) {
        Ok(f) => f,
        Err(e) => {
            println!("fuzz: failure: fault injection: {e}");
            std::process::exit(1)
        }
    };
    let mut zoo = Zoo { kids: Vec::new() };
    let mut counts = Counts::default();
    let mut failures = Vec::new();
    let mut rules = Vec::new();
    let mut iterations = 0u64;
    while Instant::now() < deadline {
        iterations += 1;
        match rng.below(20) {
            // A bounded zoo: zombies and sleepers hold pids and task
            // structs, and a long run must not exhaust threads-max.
            0..=2 if zoo.kids.len() < MAX_KIDS => zoo.spawn(&mut rng, &mut counts),
            0..=3 if zoo.kids.len() > 4 => zoo.reap(&mut rng),
            4 => fuzz_rule(&mut rng, &mut rules, &mut counts, &mut failures),
            5 | 6 => {
                let path = zoo.target(&mut rng);
                counts.reads += 1;
                let mut s = String::new();
                match std::fs::File::open(&path).and_then(|mut f| f.read_to_string(&mut s)) {
                    Ok(_) => {
                        let ok = s
                            .strip_suffix('\n')
                            .is_some_and(|n| n.parse::<u64>().is_ok());
                        if !ok {
                            failures.push(format!("read {path}: {s:?}"));
                        }
                    }
                    Err(e)
                        if matches!(
                            e.raw_os_error(),
                            Some(libc::ENOENT | libc::ESRCH | libc::EOPNOTSUPP)
                        ) => {}
                    Err(e) => failures.push(format!("read {path}: {}", errno_name(&e))),
                }
            }
            _ => {
                let path = zoo.target(&mut rng);
                let data = value_bytes(&mut rng);
                let offset = if rng.chance(8) {
                    Some(1 + rng.below(100))
                } else {
                    None
                };
                counts.writes += 1;
                if rng.chance(15) {
                    fault_write(
                        &fail,
                        &mut rng,
                        &path,
                        &data,
                        offset,
                        &mut counts,
                        &mut failures,
                    );
                    continue;
                }
                match write_once(&path, &data, offset) {
                    Ok(()) => counts.recorded += 1,
                    Err(e) => match e.raw_os_error() {
                        Some(n) if RECORDED.contains(&n) => counts.recorded += 1,
                        // From /proc (the target is gone) or the module.
                        Some(libc::ESRCH) => counts.maybe += 1,
                        Some(libc::ENOENT | libc::EOPNOTSUPP) => counts.unrecorded += 1,
                        _ => failures.push(format!(
                            "write {:?} to {path} at {offset:?}: {}",
                            String::from_utf8_lossy(&data),
                            errno_name(&e)
                        )),
                    },
                }
            }
        }
    }
    stop.store(true, Ordering::Relaxed);
    churn.join().expect("churn");
    reloader.join().expect("reloader");
    while !zoo.kids.is_empty() {
        zoo.reap(&mut rng);
    }
    for r in rules.drain(..) {
        match send_rule(AUDIT_DEL_RULE, r.0, r.1, r.2, 8, r.3) {
            Ok(0) => counts.rules_deleted += 1,
            other => failures.push(format!("deleting rule {r:?} at the end: {other:?}")),
        }
    }
    if !module_loaded() {
        failures.push("the module is not loaded at the end".into());
    }
    failures.extend(thread_failures.lock().expect("lock").drain(..));
    let c = &counts;
    println!(
        "fuzz: iterations={iterations} writes={} recorded={} maybe={} unrecorded={} \
         faulted={} faulted_due={} faulted_maybe={} reads={} \
         rules_added={} rules_refused={} rules_deleted={} forks={} reloads={} failures={}",
        c.writes,
        c.recorded,
        c.maybe,
        c.unrecorded,
        c.faulted,
        c.faulted_due,
        c.faulted_maybe,
        c.reads,
        c.rules_added,
        c.rules_refused,
        c.rules_deleted,
        c.forks,
        reloads.load(Ordering::Relaxed),
        failures.len()
    );
    // Each kind of failure once, with how often it happened.
    let mut kinds: Vec<(&str, usize)> = Vec::new();
    for f in &failures {
        match kinds.iter_mut().find(|(k, _)| *k == f.as_str()) {
            Some((_, n)) => *n += 1,
            None => kinds.push((f.as_str(), 1)),
        }
    }
    for (f, n) in kinds.iter().take(40) {
        println!("fuzz: failure ({n}x): {f}");
    }
    std::process::exit(if failures.is_empty() { 0 } else { 1 })
}
