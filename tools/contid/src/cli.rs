// SPDX-License-Identifier: GPL-2.0

//! The command line.

use crate::explain::parse_error;
use crate::policy::Rootless;
use clap::{ArgGroup, Parser, Subcommand};
use std::ffi::OsString;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "contid",
    version,
    about = "Set and read audit container IDs (/proc/PID/containerid)",
    after_help = "Exit status: 0 success; 1 the kernel refused (the message says why); \
                  2 usage error; 3 oci-hook: the container's state or annotation is \
                  invalid; 4 oci-hook: its configuration file is invalid or not root's.  exec: the command's status, or 125 (contid failed), \
                  126 (command not executable), 127 (command not found)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Cmd,
}

#[derive(Subcommand, Debug, PartialEq, Eq)]
pub enum Cmd {
    /// Set the audit container ID of process PID (needs CAP_AUDIT_CONTROL)
    Set {
        #[arg(value_parser = parse_pid)]
        pid: i32,
        /// A decimal number from 0 to 18446744073709551614
        #[arg(value_parser = parse_id)]
        id: u64,
    },
    /// Print the audit container ID of process PID, or "unset"
    Get {
        /// Print the unset value as the kernel does (18446744073709551615)
        #[arg(long)]
        raw: bool,
        #[arg(value_parser = parse_pid)]
        pid: i32,
    },
    /// Print the ID that oci-hook derives from an OCI container id
    Derive {
        #[arg(value_name = "CONTAINER_ID")]
        container_id: String,
    },
    /// OCI createRuntime hook: set the ID of the container on stdin's state
    ///
    /// The ID is derived from the container id (see `contid derive`), or is
    /// the annotation io.audit-contid.id where the policy allows it.  Fails,
    /// so that the runtime does not start the container, if the ID cannot be
    /// set, unless the policy (these arguments and the configuration file,
    /// never the environment) says otherwise.
    OciHook {
        /// Also append each message to FILE
        #[arg(long, value_name = "FILE")]
        log: Option<PathBuf>,
        /// The policy file (root's, writable by root only); by default
        /// /etc/audit-contid/oci-hook.conf if it exists
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Start a container when the kernel cannot give IDs (no module,
        /// no hook series, no memory), with a warning; a refusal of its ID
        /// still stops it
        #[arg(long)]
        fail_open: bool,
        /// Let the annotation io.audit-contid.id choose the ID
        #[arg(long)]
        allow_annotation: bool,
        /// When the hook cannot set IDs at all (a rootless engine): start the
        /// container without one, or refuse it [default: start]
        #[arg(long, value_name = "POLICY", value_parser = Rootless::parse)]
        rootless: Option<Rootless>,
        /// Fail open for containers of this Kubernetes namespace (repeatable)
        #[arg(long, value_name = "NAMESPACE")]
        fail_open_namespace: Vec<String>,
    },
    /// Run CMD with an audit container ID (for `runc exec`, which runs no hook)
    ///
    /// CMD, and everything it starts, has the ID from its first
    /// instruction.  For example `contid exec --like PID -- runc exec CTR sh`,
    /// where PID is a process of container CTR (`runc state CTR` shows the
    /// pid of its init).  Exits with CMD's status.
    #[command(group(ArgGroup::new("source").required(true).args(["like", "id"])))]
    Exec {
        /// Use the ID of process PID (a process of the container)
        #[arg(long, value_name = "PID", value_parser = parse_pid)]
        like: Option<i32>,
        /// Use this ID
        #[arg(long, value_name = "ID", value_parser = parse_id)]
        id: Option<u64>,
        /// The command and its arguments
        #[arg(
            value_name = "CMD",
            required = true,
            trailing_var_arg = true,
            allow_hyphen_values = true
        )]
        command: Vec<OsString>,
    },
    /// Print the completion script for SHELL (bash, zsh, fish, elvish, powershell)
    ///
    /// For example `contid completions bash >/usr/share/bash-completion/completions/contid`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Write the manual pages, contid(8) and one per command, into DIR
    Manpages {
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
    /// The waiting half of exec (internal)
    #[command(name = "__wait-exec", hide = true)]
    WaitExec {
        #[arg(long)]
        gate: PathBuf,
        #[arg(long, value_parser = parse_id)]
        id: u64,
        #[arg(required = true, last = true)]
        command: Vec<OsString>,
    },
}

/// A process ID: a positive decimal number.
pub fn parse_pid(s: &str) -> Result<i32, String> {
    match s.parse::<i32>() {
        Ok(p) if p > 0 => Ok(p),
        _ => Err(format!(
            "{s:?} is not a process ID (a positive decimal number)"
        )),
    }
}

/// An audit container ID, as the kernel accepts it.
pub fn parse_id(s: &str) -> Result<u64, String> {
    contid_logic::value::parse(s.as_bytes())
        .map_err(|e| format!("{s:?} is not an audit container ID: {}", parse_error(e)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::error::ErrorKind;

    fn parse(args: &[&str]) -> Result<Cmd, clap::Error> {
        Cli::try_parse_from(std::iter::once("contid").chain(args.iter().copied()))
            .map(|c| c.command)
    }

    fn err(args: &[&str]) -> (ErrorKind, String) {
        let e = parse(args).unwrap_err();
        (e.kind(), e.to_string())
    }

    #[test]
    fn set_and_get() {
        assert_eq!(
            parse(&["set", "12", "4711"]).unwrap(),
            Cmd::Set { pid: 12, id: 4711 }
        );
        assert_eq!(
            parse(&["set", "12", "+5"]).unwrap(),
            Cmd::Set { pid: 12, id: 5 }
        );
        assert_eq!(
            parse(&["get", "12"]).unwrap(),
            Cmd::Get {
                raw: false,
                pid: 12
            }
        );
        assert_eq!(
            parse(&["get", "--raw", "1"]).unwrap(),
            Cmd::Get { raw: true, pid: 1 }
        );
    }

    #[test]
    fn bad_set_arguments() {
        let (k, m) = err(&["set", "12", "18446744073709551615"]);
        assert_eq!(k, ErrorKind::ValueValidation);
        assert!(m.contains("unset value"), "{m}");
        let (_, m) = err(&["set", "12", "abc"]);
        assert!(m.contains("not a decimal number"), "{m}");
        let (_, m) = err(&["set", "12", "18446744073709551616"]);
        assert!(m.contains("larger than"), "{m}");
        let (_, m) = err(&["set", "0", "5"]);
        assert!(m.contains("not a process ID"), "{m}");
        let (_, m) = err(&["set", "-3", "5"]);
        assert!(m.contains("-3"), "{m}");
        assert_eq!(err(&["set", "12"]).0, ErrorKind::MissingRequiredArgument);
        assert_eq!(err(&["set", "1", "2", "3"]).0, ErrorKind::UnknownArgument);
        assert_eq!(
            err(&[]).0,
            ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
        );
        assert_eq!(err(&["frobnicate"]).0, ErrorKind::InvalidSubcommand);
    }

    #[test]
    fn oci_hook_and_derive() {
        let plain = Cmd::OciHook {
            log: None,
            config: None,
            fail_open: false,
            allow_annotation: false,
            rootless: None,
            fail_open_namespace: vec![],
        };
        assert_eq!(parse(&["oci-hook"]).unwrap(), plain);
        assert_eq!(
            parse(&[
                "oci-hook",
                "--log",
                "/var/log/contid.log",
                "--config",
                "/etc/x.conf",
                "--fail-open",
                "--allow-annotation",
                "--rootless",
                "refuse",
                "--fail-open-namespace",
                "kube-system",
                "--fail-open-namespace=ops"
            ])
            .unwrap(),
            Cmd::OciHook {
                log: Some("/var/log/contid.log".into()),
                config: Some("/etc/x.conf".into()),
                fail_open: true,
                allow_annotation: true,
                rootless: Some(Rootless::Refuse),
                fail_open_namespace: vec!["kube-system".into(), "ops".into()],
            }
        );
        let (kind, m) = err(&["oci-hook", "--rootless", "ignore"]);
        assert_eq!(kind, ErrorKind::ValueValidation);
        assert!(m.contains("not a rootless policy (start or refuse)"), "{m}");
        assert_eq!(
            parse(&["derive", "web"]).unwrap(),
            Cmd::Derive {
                container_id: "web".into()
            }
        );
    }

    #[test]
    fn exec_forms() {
        let cmd = |v: &[&str]| v.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(
            parse(&["exec", "--like", "7", "--", "runc", "exec", "c", "sh", "-c", "x"]).unwrap(),
            Cmd::Exec {
                like: Some(7),
                id: None,
                command: cmd(&["runc", "exec", "c", "sh", "-c", "x"])
            }
        );
        assert_eq!(
            parse(&["exec", "--id", "9", "runc", "exec", "-t", "c", "sh"]).unwrap(),
            Cmd::Exec {
                like: None,
                id: Some(9),
                command: cmd(&["runc", "exec", "-t", "c", "sh"])
            }
        );
        assert_eq!(
            err(&["exec", "--", "sh"]).0,
            ErrorKind::MissingRequiredArgument
        );
        assert_eq!(
            err(&["exec", "--like", "7"]).0,
            ErrorKind::MissingRequiredArgument
        );
        assert_eq!(
            err(&["exec", "--like", "7", "--id", "9", "sh"]).0,
            ErrorKind::ArgumentConflict
        );
        let (_, m) = err(&["exec", "--id", "18446744073709551615", "sh"]);
        assert!(m.contains("unset value"), "{m}");
    }

    #[test]
    fn wait_exec_is_internal() {
        assert_eq!(
            parse(&[
                "__wait-exec",
                "--gate",
                "/proc/1/fd/3",
                "--id",
                "5",
                "--",
                "sh"
            ])
            .unwrap(),
            Cmd::WaitExec {
                gate: "/proc/1/fd/3".into(),
                id: 5,
                command: vec!["sh".into()]
            }
        );
        let mut help = Vec::new();
        <Cli as clap::CommandFactory>::command()
            .write_help(&mut help)
            .unwrap();
        let help = String::from_utf8(help).unwrap();
        assert!(!help.contains("__wait-exec"), "{help}");
        assert!(help.contains("oci-hook"), "{help}");
    }
}
