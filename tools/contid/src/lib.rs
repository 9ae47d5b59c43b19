// SPDX-License-Identifier: GPL-2.0

//! contid: the orchestrators' side of audit container IDs.  Sets and reads
//! /proc/PID/containerid, runs as an OCI createRuntime hook for runc and
//! crun (and so for podman and CRI-O), and runs commands, such as
//! `runc exec`, inside a container's audit container.  See
//! docs/orchestrators.md.

pub mod auditmsg;
pub mod cli;
pub mod derive;
pub mod exec;
pub mod explain;
pub mod hook;
pub mod mapping;
pub mod policy;
pub mod procfs;
pub mod wrapper;

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

/// The name of the runtime that runs the hook, process `ppid`: the file
/// name of its argv[0] (crun runs from a sealed copy of itself, whose
/// command name is "memfd:crun_clon"), else its command name.
fn runtime_name(ppid: u32) -> Option<String> {
    let cmdline = std::fs::read(format!("/proc/{ppid}/cmdline")).unwrap_or_default();
    let argv0 = cmdline.split(|&b| b == 0).next().unwrap_or_default();
    let name = argv0.rsplit(|&b| b == b'/').next().unwrap_or_default();
    if !name.is_empty() {
        return Some(String::from_utf8_lossy(name).into_owned());
    }
    std::fs::read_to_string(format!("/proc/{ppid}/comm"))
        .ok()
        .map(|c| c.trim_end_matches('\n').to_string())
}

/// The sections of contid(8) after the commands, in roff.
const MAN_TAIL: &str = r#".SH "EXIT STATUS"
.TP
\fB0\fR
success
.TP
\fB1\fR
the kernel refused, or there is no such process (the message says why)
.TP
\fB2\fR
usage error
.TP
\fB3\fR
oci-hook: the container's state or its ID annotation is invalid
.TP
\fB4\fR
oci-hook: its configuration file cannot be read, is not root's, or is invalid
.TP
\fB125\fR, \fB126\fR, \fB127\fR
exec: contid failed, the command is not executable, the command was not found;
otherwise exec exits with the command's status
.SH FILES
.TP
\fI/proc/PID/containerid\fR
the audit container ID of process PID (the audit_contid kernel module)
.TP
\fI/etc/audit\-contid/oci\-hook.conf\fR
the hook's policy (root's, writable by root only)
.TP
\fI/usr/share/containers/oci/hooks.d/audit\-contid.json\fR
the hook's entry for podman and CRI\-O
.SH "SEE ALSO"
\fBauditctl\fR(8), \fBausearch\fR(8), \fBaureport\fR(8), \fBauvirt\fR(8),
\fBrunc\fR(8), \fBcrun\fR(1), \fBoci\-hooks\fR(5)
"#;

/// Writes contid.8 and a page for each command (contid-set.8, ...) into
/// `dir`; returns their paths.
pub fn manpages(dir: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let root = <cli::Cli as clap::CommandFactory>::command();
    let man = |cmd: clap::Command| {
        clap_mangen::Man::new(cmd)
            .section("8")
            .source(format!("contid {}", env!("CARGO_PKG_VERSION")))
            .manual("audit-contid")
    };
    let mut files = Vec::new();
    let mut write = |name: &str, out: Vec<u8>| -> std::io::Result<()> {
        let path = dir.join(format!("{name}.8"));
        std::fs::write(&path, out)?;
        files.push(path);
        Ok(())
    };
    // contid(8): the commands, the exit statuses, the files.
    let page = man(root.clone().after_help(""));
    let mut out = Vec::new();
    page.render_title(&mut out)?;
    page.render_name_section(&mut out)?;
    page.render_synopsis_section(&mut out)?;
    page.render_description_section(&mut out)?;
    page.render_options_section(&mut out)?;
    page.render_subcommands_section(&mut out)?;
    out.extend_from_slice(MAN_TAIL.as_bytes());
    page.render_version_section(&mut out)?;
    write("contid", out)?;
    for sub in root
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        let name = format!("contid-{}", sub.get_name());
        let cmd = sub
            .clone()
            .name(name.clone())
            .bin_name(format!("contid {}", sub.get_name()));
        let mut out = Vec::new();
        man(cmd).render(&mut out)?;
        write(&name, out)?;
    }
    Ok(files)
}

/// `contid-runc` / `contid-crun` ([`wrapper`]): runs the real runtime
/// `name` names with `args`, the hook added to a new container's bundle
/// or the container's ID given to an exec'd process.  Returns only on
/// failure, or with the status of an exec.
pub fn run_wrapper(name: &str, args: &[std::ffi::OsString]) -> u8 {
    use std::os::unix::process::CommandExt;
    let fail = |msg: String| {
        eprintln!("{name}: error: {msg}");
        exit::REFUSED
    };
    let Some(runtime) = wrapper::real_runtime(name, std::env::var_os("CONTID_RUNTIME")) else {
        return fail(format!(
            "cannot find the real runtime {}: install it or give its path in CONTID_RUNTIME",
            name.trim_start_matches("contid-")
        ));
    };
    let me = match std::fs::read_link("/proc/self/exe") {
        Ok(p) => p,
        Err(e) => return fail(format!("cannot find contid's own executable: {e}")),
    };
    if std::fs::canonicalize(&runtime).ok().as_deref() == Some(me.as_path()) {
        return fail(format!(
            "the real runtime {} is this wrapper; set CONTID_RUNTIME to the runtime's path",
            runtime.display()
        ));
    }
    let parsed = wrapper::parse(args);
    let proc = Proc::default();
    if let Some(why) = wrapper::refusal(&parsed, name) {
        return fail(format!("{why}; the command was not run"));
    }
    match parsed.command.as_deref() {
        Some("create" | "run") => {
            let bundle = parsed.bundle.clone().unwrap_or_else(|| ".".into());
            // Without the hook the container would run without its ID:
            // a bundle the wrapper cannot change is not started.
            if let Err(e) = wrapper::add_hooks_to_bundle(&bundle, &me.to_string_lossy()) {
                return fail(format!(
                    "cannot add contid oci-hook to the bundle: {e}; the container must not start"
                ));
            }
        }
        Some("exec") => {
            if let Some(id) = parsed.id.as_deref() {
                let out = std::process::Command::new(&runtime)
                    .args(&parsed.global)
                    .arg("state")
                    .arg(id)
                    .stderr(std::process::Stdio::null())
                    .output();
                let pid = out.ok().and_then(|o| wrapper::state_pid(&o.stdout));
                // A container the runtime does not know, or one without an
                // ID (started without the hook): the runtime says so, or
                // runs the process as it would without the wrapper.
                if let Some(pid) = pid {
                    match proc.get(pid) {
                        Ok(UNSET) => {}
                        // A kernel without IDs, or an init that is gone
                        // (the runtime then says so itself).
                        Err(e)
                            if policy::kernel_without_ids(e.errno())
                                || e.errno() == Some(libc::ESRCH) => {}
                        Err(e) => {
                            return fail(format!(
                                "{e}; the exec'd process would run outside the container's \
                                 audit container: the command was not run"
                            ))
                        }
                        Ok(cid) => {
                            let mut command = vec![runtime.into_os_string()];
                            command.extend_from_slice(args);
                            return exec::run(&proc, cid, &command);
                        }
                    }
                }
            }
        }
        _ => {}
    }
    let e = std::process::Command::new(&runtime)
        .arg0(name.trim_start_matches("contid-"))
        .args(args)
        .exec();
    fail(format!("cannot run {}: {e}", runtime.display()))
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
                runtime: runtime_name(std::os::unix::process::parent_id()),
                exe: std::fs::read_link("/proc/self/exe")
                    .ok()
                    .map(|p| p.to_string_lossy().into_owned()),
            };
            hook::run(
                &input,
                &proc,
                &policy,
                &cx,
                &mut |m| auditmsg::send(mapping::AUDIT_VIRT_CONTROL, &m.text()),
                &mut |m| log.line(m),
            )
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
        Cmd::Completions { shell } => {
            let mut cmd = <cli::Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "contid", &mut std::io::stdout());
            exit::OK
        }
        Cmd::Manpages { dir } => match manpages(&dir) {
            Ok(files) => {
                for f in files {
                    println!("{}", f.display());
                }
                exit::OK
            }
            Err(e) => {
                eprintln!("contid manpages: {}: {e}", dir.display());
                exit::REFUSED
            }
        },
        Cmd::WaitExec { gate, id, command } => exec::wait_and_exec(&proc, &gate, id, &command),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_of_this_process() {
        // The test binary's own argv[0] names it.
        let name = runtime_name(std::process::id()).unwrap();
        assert!(name.starts_with("contid-"), "{name}");
        assert!(!name.contains('/'), "{name}");
        assert_eq!(runtime_name(0), None);
    }

    #[test]
    fn manual_pages() {
        let dir = std::env::temp_dir().join(format!("contid-man-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let files = manpages(&dir).unwrap();
        let names: Vec<_> = files
            .iter()
            .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "contid.8",
                "contid-set.8",
                "contid-get.8",
                "contid-derive.8",
                "contid-oci-hook.8",
                "contid-exec.8",
                "contid-completions.8",
                "contid-manpages.8"
            ]
        );
        let root = std::fs::read_to_string(&files[0]).unwrap();
        assert!(root.starts_with(".ie \\n(.g .ds Aq \\(aq"), "{root}");
        assert!(root.contains(".TH contid 8 "), "{root}");
        assert!(root.contains(".SH \"EXIT STATUS\""), "{root}");
        assert!(root.contains("contid\\-oci\\-hook(8)"), "{root}");
        assert!(!root.contains("Exit status:"), "{root}");
        let hook = std::fs::read_to_string(&files[4]).unwrap();
        assert!(hook.contains("\\-\\-allow\\-annotation"), "{hook}");
        assert!(
            hook.contains(&format!(
                ".TH contid-oci-hook 8  \"contid {}\" audit-contid",
                env!("CARGO_PKG_VERSION")
            )),
            "{hook}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn completions() {
        let mut cmd = <cli::Cli as clap::CommandFactory>::command();
        let mut out = Vec::new();
        clap_complete::generate(clap_complete::Shell::Bash, &mut cmd, "contid", &mut out);
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains("complete -F _contid"), "{out}");
        assert!(out.contains("--fail-open-namespace"), "{out}");
    }

    #[test]
    fn get_output() {
        assert_eq!(format_id(42, false), "42");
        assert_eq!(format_id(UNSET, false), "unset");
        assert_eq!(format_id(UNSET, true), "18446744073709551615");
        assert_eq!(format_id(0, true), "0");
    }
}
