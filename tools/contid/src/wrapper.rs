// SPDX-License-Identifier: GPL-2.0

//! `contid-runc` and `contid-crun`: runc-compatible runtimes that put
//! every container, and every process exec'd into one, into its audit
//! container.
//!
//! Engines without hooks.d (dockerd, containerd) and every `exec` path
//! (`docker exec`, `podman exec`, `crictl exec`, `kubectl exec`, all of
//! which end in `runc exec`, which runs no hook) reach the real runtime
//! through its command line.  Installed as the engine's runtime (dockerd
//! `--add-runtime`, containerd's `BinaryName`, CRI-O's `runtime_path`,
//! podman `--runtime`), the wrapper takes runc's command line and:
//!
//! - on `create` and `run`, adds `contid oci-hook` to the bundle's
//!   config.json (createRuntime and poststop, unless it is there already),
//!   so that the container gets its ID before its program runs;
//! - on `exec`, runs the real runtime with the ID of the container's first
//!   process, as `contid exec --like` does, so that the exec'd process is
//!   in the container's audit container;
//! - otherwise runs the real runtime as it is.
//!
//! The real runtime is `runc` (or `crun` for `contid-crun`) from the
//! usual places, or the path in `CONTID_RUNTIME`.

use serde_json::{json, Value};
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

/// runc's and crun's global options that take a value.
const GLOBAL_VALUED: &[&str] = &[
    "--root",
    "--log",
    "--log-format",
    "--log-level",
    "--criu",
    "--rootless",
    "--cgroup-manager",
];

/// Their global options without a value.
const GLOBAL_FLAGS: &[&str] = &[
    "--debug",
    "--systemd-cgroup",
    "--help",
    "-h",
    "--version",
    "-v",
    "-V",
];

/// The options of `create`, `run` and `exec` (runc's and crun's) that
/// take a value.
const VALUED: &[&str] = &[
    "--bundle",
    "-b",
    "--config",
    "-f",
    "--console-socket",
    "--pid-file",
    "--preserve-fds",
    "--cwd",
    "--env",
    "-e",
    "--user",
    "-u",
    "--additional-gids",
    "-g",
    "--process",
    "-p",
    "--cap",
    "-c",
    "--apparmor",
    "--process-label",
    "--cgroup",
];

/// Their options without a value.
const FLAGS: &[&str] = &[
    "--detach",
    "-d",
    "--tty",
    "-t",
    "--no-pivot",
    "--no-new-keyring",
    "--no-new-privs",
    "--no-subreaper",
    "--keep",
    "--ignore-paused",
    "--systemd-cgroup",
    "--help",
    "-h",
];

/// The commands whose options the wrapper reads.
const WATCHED: &[&str] = &["create", "run", "exec"];

/// What the wrapper found in the runtime's command line.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    /// The global options (before the command), as given.
    pub global: Vec<OsString>,
    /// The command (`create`, `exec`, ...), if any.
    pub command: Option<String>,
    /// `create`/`run`: the bundle directory given with -b/--bundle.
    pub bundle: Option<PathBuf>,
    /// The container id (the command's first operand).
    pub id: Option<String>,
    /// An option the wrapper does not know, global or of a watched
    /// command: it cannot tell whether it takes a value, so it cannot tell
    /// the command, the bundle or the container for sure.
    pub unknown: Option<String>,
}

/// An option's name: `--name` of `--name=value`, and Go's single-dash
/// spelling of a long option (`-bundle`) as `--bundle`.
fn option_name(arg: &str) -> (String, Option<String>) {
    let (name, value) = match arg.split_once('=') {
        Some((n, v)) => (n, Some(v.to_string())),
        None => (arg, None),
    };
    let name = if !name.starts_with("--") && name.len() > 2 {
        format!("-{name}")
    } else {
        name.to_string()
    };
    (name, value)
}

/// Parses the runtime's command line `args` (without argv[0]).
pub fn parse(args: &[OsString]) -> Parsed {
    let mut p = Parsed::default();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].to_string_lossy();
        if !a.starts_with('-') {
            break;
        }
        p.global.push(args[i].clone());
        let (name, inline) = option_name(&a);
        if GLOBAL_VALUED.contains(&name.as_str()) {
            if inline.is_none() {
                if let Some(v) = args.get(i + 1) {
                    p.global.push(v.clone());
                }
                i += 1;
            }
        } else if !GLOBAL_FLAGS.contains(&name.as_str()) && p.unknown.is_none() {
            p.unknown = Some(a.to_string());
        }
        i += 1;
    }
    let Some(cmd) = args.get(i) else {
        return p;
    };
    let cmd = cmd.to_string_lossy().into_owned();
    let watched = WATCHED.contains(&cmd.as_str());
    p.command = Some(cmd);
    i += 1;
    while i < args.len() {
        let a = args[i].to_string_lossy();
        if a == "--" {
            i += 1;
            break;
        }
        if !a.starts_with('-') || a == "-" {
            break;
        }
        let (name, inline) = option_name(&a);
        let value = if VALUED.contains(&name.as_str()) {
            match inline {
                Some(v) => Some(v),
                None => {
                    i += 1;
                    args.get(i).map(|v| v.to_string_lossy().into_owned())
                }
            }
        } else {
            if watched && !FLAGS.contains(&name.as_str()) && p.unknown.is_none() {
                p.unknown = Some(a.to_string());
            }
            None
        };
        if name == "--bundle" || name == "-b" {
            p.bundle = value.map(PathBuf::from);
        }
        i += 1;
    }
    p.id = args.get(i).map(|v| v.to_string_lossy().into_owned());
    p
}

/// Whether hook entry `h` is a contid oci-hook.
fn is_our_hook(h: &Value, exe: &str) -> bool {
    let path = h.get("path").and_then(Value::as_str);
    let args: Vec<&str> = h
        .get("args")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    path == Some(exe) || args.get(1) == Some(&"oci-hook") && args[0].ends_with("contid")
}

/// Adds the hook `exe oci-hook` to the createRuntime and poststop hooks of
/// the OCI config `config`, where no contid oci-hook is already; returns
/// the stages it added it to.
pub fn add_hooks(config: &mut Value, exe: &str) -> Result<Vec<&'static str>, String> {
    let obj = config
        .as_object_mut()
        .ok_or("the config is not a JSON object")?;
    let hooks = obj.entry("hooks").or_insert_with(|| json!({}));
    if hooks.is_null() {
        *hooks = json!({});
    }
    let hooks = hooks
        .as_object_mut()
        .ok_or("its \"hooks\" is not a JSON object")?;
    let mut added = Vec::new();
    for stage in ["createRuntime", "poststop"] {
        let list = hooks.entry(stage).or_insert_with(|| json!([]));
        if list.is_null() {
            *list = json!([]);
        }
        let list = list
            .as_array_mut()
            .ok_or(format!("its \"hooks\".\"{stage}\" is not a JSON array"))?;
        if !list.iter().any(|h| is_our_hook(h, exe)) {
            // First: the ID is set before any other hook of the stage runs.
            list.insert(0, json!({"path": exe, "args": ["contid", "oci-hook"]}));
            added.push(stage);
        }
    }
    Ok(added)
}

/// Adds the hooks to `bundle`/config.json (through a new file renamed over
/// it, so that a crash leaves the old or the new file whole).
pub fn add_hooks_to_bundle(bundle: &Path, exe: &str) -> Result<Vec<&'static str>, String> {
    let path = bundle.join("config.json");
    let text = std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut config: Value = serde_json::from_slice(&text)
        .map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
    let added = add_hooks(&mut config, exe).map_err(|e| format!("{}: {e}", path.display()))?;
    if added.is_empty() {
        return Ok(added);
    }
    let tmp = bundle.join(format!(".config.json.contid-{}", std::process::id()));
    let out = serde_json::to_vec_pretty(&config).map_err(|e| e.to_string())?;
    std::fs::write(&tmp, out)
        .and_then(|()| {
            let mode = std::fs::metadata(&path)?.permissions();
            std::fs::set_permissions(&tmp, mode)?;
            std::fs::rename(&tmp, &path)
        })
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            format!("cannot write {}: {e}", path.display())
        })?;
    Ok(added)
}

/// The pid in the output of `runtime state ID`.
pub fn state_pid(output: &[u8]) -> Option<i32> {
    let v: Value = serde_json::from_slice(output).ok()?;
    let pid = v.get("pid")?.as_i64()?;
    i32::try_from(pid).ok().filter(|p| *p > 0)
}

/// The real runtime for wrapper `name` (`contid-runc` -> runc): the path
/// in `env`, or the first of the usual places that exists.
pub fn real_runtime(name: &str, env: Option<OsString>) -> Option<PathBuf> {
    if let Some(p) = env.filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let rt = name.strip_prefix("contid-")?;
    [
        "/usr/sbin",
        "/usr/bin",
        "/usr/local/sbin",
        "/usr/local/bin",
        "/sbin",
        "/bin",
    ]
    .iter()
    .map(|d| Path::new(d).join(rt))
    .find(|p| p.is_file())
}

/// The wrapper's name if argv[0] is one (`contid-runc`, `contid-crun`).
pub fn wrapper_name(argv0: &OsStr) -> Option<String> {
    let name = Path::new(argv0).file_name()?.to_str()?;
    matches!(name, "contid-runc" | "contid-crun").then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsString::from).collect()
    }

    #[test]
    fn parses_runc_command_lines() {
        // As containerd's shim for dockerd writes it.
        let global = [
            "--root",
            "/run/docker/runtime-runc/moby",
            "--log",
            "/x/log.json",
            "--log-format",
            "json",
            "--systemd-cgroup",
        ];
        let create = [
            "create",
            "--bundle",
            "/run/containerd/b1",
            "--pid-file",
            "/run/b1/init.pid",
            "--console-socket=/tmp/s",
            "c0ffee",
        ];
        let p = parse(&args(&[&global[..], &create[..]].concat()));
        assert_eq!(p.command.as_deref(), Some("create"));
        assert_eq!(p.bundle.as_deref(), Some(Path::new("/run/containerd/b1")));
        assert_eq!(p.id.as_deref(), Some("c0ffee"));
        assert_eq!(p.global, args(&global));
        let p = parse(&args(&["run", "--no-pivot", "-b", "/tmp/b", "-d", "w1"]));
        assert_eq!(p.command.as_deref(), Some("run"));
        assert_eq!(p.bundle.as_deref(), Some(Path::new("/tmp/b")));
        assert_eq!(p.id.as_deref(), Some("w1"));
        let p = parse(&args(&["run", "--bundle=/tmp/c", "w2"]));
        assert_eq!(p.bundle.as_deref(), Some(Path::new("/tmp/c")));
        // exec: options with values do not hide the id.
        let p = parse(&args(&[
            "--root",
            "/r",
            "exec",
            "--process",
            "/tmp/p.json",
            "--detach",
            "--pid-file",
            "/tmp/e.pid",
            "-e",
            "A=1",
            "--cwd=/",
            "-t",
            "ctr",
        ]));
        assert_eq!(p.command.as_deref(), Some("exec"));
        assert_eq!(p.id.as_deref(), Some("ctr"));
        assert_eq!(p.global, args(&["--root", "/r"]));
        let p = parse(&args(&["exec", "ctr", "sh", "-c", "x"]));
        assert_eq!(p.id.as_deref(), Some("ctr"));
        let p = parse(&args(&["exec", "--", "ctr", "sh"]));
        assert_eq!(p.id.as_deref(), Some("ctr"));
        // No command: --version, --help.
        let p = parse(&args(&["--version"]));
        assert_eq!(p.command, None);
        assert_eq!(p.global, args(&["--version"]));
        assert_eq!(parse(&[]), Parsed::default());
        let p = parse(&args(&["state", "ctr"]));
        assert_eq!(
            (p.command.as_deref(), p.id.as_deref()),
            (Some("state"), Some("ctr"))
        );
        // Go's single-dash long options, crun's globals.
        let p = parse(&args(&[
            "--cgroup-manager=systemd",
            "--log-level",
            "debug",
            "create",
            "-bundle",
            "/b",
            "-pid-file=/p",
            "c",
        ]));
        assert_eq!(p.bundle.as_deref(), Some(Path::new("/b")));
        assert_eq!((p.id.as_deref(), p.unknown), (Some("c"), None));
    }

    #[test]
    fn unknown_options_are_reported() {
        // An option of unknown arity could hide the bundle, the command or
        // the container: it is named, and the wrapper refuses.
        let p = parse(&args(&[
            "--new-global",
            "x",
            "create",
            "--bundle",
            "/b",
            "c",
        ]));
        assert_eq!(p.unknown.as_deref(), Some("--new-global"));
        let p = parse(&args(&["exec", "--new-opt", "other", "ctr", "sh"]));
        assert_eq!(p.unknown.as_deref(), Some("--new-opt"));
        assert_eq!(p.id.as_deref(), Some("other"));
        let p = parse(&args(&["run", "--bundle", "/b", "--frob", "c"]));
        assert_eq!(p.unknown.as_deref(), Some("--frob"));
        // Commands the wrapper does not read pass whatever they have.
        let p = parse(&args(&["kill", "--all", "c", "KILL"]));
        assert_eq!(p.unknown, None);
        let p = parse(&args(&["--debug", "delete", "--force", "c"]));
        assert_eq!(p.unknown, None);
    }

    const EXE: &str = "/usr/local/bin/contid";

    #[test]
    fn adds_the_hooks_once() {
        let mut c =
            json!({"ociVersion": "1.0.2", "process": {"args": ["sh"]}, "x-engine": {"k": 1}});
        assert_eq!(
            add_hooks(&mut c, EXE),
            Ok(vec!["createRuntime", "poststop"])
        );
        assert_eq!(
            c["hooks"]["createRuntime"],
            json!([{"path": EXE, "args": ["contid", "oci-hook"]}])
        );
        assert_eq!(c["hooks"]["poststop"], c["hooks"]["createRuntime"]);
        // Unknown members stay as they are.
        assert_eq!(c["x-engine"], json!({"k": 1}));
        assert_eq!(add_hooks(&mut c, EXE), Ok(vec![]));
        // Other hooks stay, after ours; a hooks.d entry of ours (another
        // path, e.g. /usr/bin/contid) counts as ours.
        let mut c = json!({"hooks": {
            "createRuntime": [{"path": "/usr/bin/nvidia-hook"}],
            "poststop": [{"path": "/usr/bin/contid", "args": ["contid", "oci-hook", "--log", "/l"]}],
            "prestart": [{"path": "/x"}]
        }});
        assert_eq!(add_hooks(&mut c, EXE), Ok(vec!["createRuntime"]));
        assert_eq!(c["hooks"]["createRuntime"][0]["path"], EXE);
        assert_eq!(
            c["hooks"]["createRuntime"][1]["path"],
            "/usr/bin/nvidia-hook"
        );
        assert_eq!(c["hooks"]["poststop"].as_array().unwrap().len(), 1);
        assert_eq!(c["hooks"]["prestart"], json!([{"path": "/x"}]));
        let mut c = json!({"hooks": null});
        assert_eq!(add_hooks(&mut c, EXE).unwrap().len(), 2);
    }

    #[test]
    fn bad_configs_are_refused() {
        for (bad, why) in [
            (json!([1]), "not a JSON object"),
            (json!({"hooks": 5}), "\"hooks\" is not a JSON object"),
            (
                json!({"hooks": {"poststop": {}}}),
                "\"hooks\".\"poststop\" is not a JSON array",
            ),
        ] {
            let mut c = bad.clone();
            let e = add_hooks(&mut c, EXE).unwrap_err();
            assert!(e.contains(why), "{e}");
        }
    }

    #[test]
    fn bundle_files() {
        let dir = std::env::temp_dir().join(format!("contid-wrap-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let e = add_hooks_to_bundle(&dir, EXE).unwrap_err();
        assert!(e.starts_with("cannot read "), "{e}");
        std::fs::write(dir.join("config.json"), "{ no").unwrap();
        let e = add_hooks_to_bundle(&dir, EXE).unwrap_err();
        assert!(e.contains("is not JSON"), "{e}");
        // A bad file is left as it is.
        assert_eq!(
            std::fs::read_to_string(dir.join("config.json")).unwrap(),
            "{ no"
        );
        std::fs::write(dir.join("config.json"), r#"{"ociVersion":"1.0.2"}"#).unwrap();
        assert_eq!(add_hooks_to_bundle(&dir, EXE).unwrap().len(), 2);
        let c: Value =
            serde_json::from_slice(&std::fs::read(dir.join("config.json")).unwrap()).unwrap();
        assert_eq!(c["ociVersion"], "1.0.2");
        assert_eq!(
            c["hooks"]["createRuntime"][0]["args"],
            json!(["contid", "oci-hook"])
        );
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn state_and_names() {
        assert_eq!(
            state_pid(br#"{"ociVersion":"1.0.2","id":"w1","pid":412,"status":"running"}"#),
            Some(412)
        );
        assert_eq!(
            state_pid(br#"{"id":"w1","pid":0,"status":"stopped"}"#),
            None
        );
        assert_eq!(state_pid(b"container does not exist"), None);
        assert_eq!(
            wrapper_name(OsStr::new("/usr/local/bin/contid-runc")).as_deref(),
            Some("contid-runc")
        );
        assert_eq!(
            wrapper_name(OsStr::new("contid-crun")).as_deref(),
            Some("contid-crun")
        );
        assert_eq!(wrapper_name(OsStr::new("contid")), None);
        assert_eq!(wrapper_name(OsStr::new("contid-docker")), None);
        assert_eq!(
            real_runtime("contid-runc", Some("/opt/runc".into())),
            Some(PathBuf::from("/opt/runc"))
        );
        assert_eq!(real_runtime("contid", None), None);
    }
}
