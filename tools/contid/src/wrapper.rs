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
//! - on `create` and `run`, makes `contid oci-hook` the first
//!   createRuntime and poststop hook of the bundle's config.json and the
//!   only entry that runs contid, so that the container gets its ID before
//!   its program runs, with the administrator's policy;
//! - on `exec`, runs the real runtime with the ID of the container's first
//!   process, as `contid exec --like` does, so that the exec'd process is
//!   in the container's audit container;
//! - refuses what could let the runtime start a process without the ID
//!   ([`refusal`], and config files it would read differently);
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
    "--pidfd-socket",
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
    /// `create`/`run`: crun's `-f`/`--config`, a config file other than
    /// the bundle's config.json.
    pub config: bool,
    /// The first argument after the container id (the command of an
    /// `exec`; nothing else takes one).
    pub after_id: Option<String>,
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
        if name == "--config" || name == "-f" {
            p.config = true;
        }
        i += 1;
    }
    p.id = args.get(i).map(|v| v.to_string_lossy().into_owned());
    p.after_id = args.get(i + 1).map(|v| v.to_string_lossy().into_owned());
    p
}

/// Why the wrapper must not run command line `p`, if it must not: where
/// the real runtime could start a process without the container's ID,
/// or read another config than the one the wrapper adds the hook to.
pub fn refusal(p: &Parsed, name: &str) -> Option<String> {
    let cmd = p.command.as_deref();
    // A global option of unknown arity could hide the command, one of a
    // watched command the bundle or the container (parse() reports only
    // those).
    if let Some(opt) = p.unknown.as_deref() {
        return Some(format!(
            "unknown option {opt:?}: {name} cannot tell for sure which command, bundle or \
             container this is, and a container must not run without its ID"
        ));
    }
    match cmd {
        Some("restore") => Some(
            "restore is not supported: the processes of a restored checkpoint would run \
             without the container's ID"
                .to_string(),
        ),
        Some("create" | "run") if p.config => Some(
            "-f/--config is not supported: the hook is added to the bundle's config.json"
                .to_string(),
        ),
        // runc reads options written after the id as options (its
        // command line library moves them to the front): one could name
        // another bundle than the one the wrapper read.
        Some("create" | "run") => p.after_id.as_ref().map(|a| {
            format!(
                "unexpected {a:?} after the container id: options go before it, and \
                 nothing follows it"
            )
        }),
        _ => None,
    }
}

/// Whether hook entry `h` runs contid: its path is `exe` or a file named
/// `contid`, or its arguments are those of `contid oci-hook`.  Such an
/// entry is the administrator's (hooks.d) or the container creator's; the
/// wrapper replaces it with its own, whose policy is the root-owned
/// configuration file's: the creator chooses neither the path nor the
/// policy arguments of the hook that sets the ID.
fn is_contid_entry(h: &Value, exe: &str) -> bool {
    let path = h.get("path").and_then(Value::as_str);
    let args: Vec<&str> = h
        .get("args")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    path == Some(exe)
        || path.and_then(|p| Path::new(p).file_name()) == Some(OsStr::new("contid"))
        || args.get(1) == Some(&"oci-hook") && args[0].ends_with("contid")
}

/// The OCI hook stages (runtime-spec config.md).
const STAGES: &[&str] = &[
    "prestart",
    "createRuntime",
    "createContainer",
    "startContainer",
    "poststart",
    "poststop",
];

/// `s` case folded as Go's encoding/json compares member names (runc
/// reads config.json with it): `Hooks`, `hooKs` with the Kelvin sign and
/// `hookſ` with the long s all fold to `hooks`.
fn fold(s: &str) -> String {
    s.chars()
        .flat_map(char::to_uppercase)
        .flat_map(char::to_lowercase)
        .collect()
}

/// Refuses a member of `obj` that is not spelled as one of `names` but
/// that a case-insensitive reader takes for it: runc would read that
/// member, not the one the wrapper writes.
fn check_spelling(obj: &serde_json::Map<String, Value>, names: &[&str]) -> Result<(), String> {
    for key in obj.keys() {
        if let Some(n) = names.iter().find(|n| *n != key && fold(n) == fold(key)) {
            return Err(format!(
                "member {key:?} would be read as {n:?} by a case-insensitive runtime: write it \
                 as {n:?}"
            ));
        }
    }
    Ok(())
}

/// Makes `exe oci-hook` the first createRuntime and poststop hook of the
/// OCI config `config`, and the only entry that runs contid in any stage.
pub fn add_hooks(config: &mut Value, exe: &str) -> Result<(), String> {
    let obj = config
        .as_object_mut()
        .ok_or("the config is not a JSON object")?;
    check_spelling(obj, &["hooks"])?;
    let hooks = obj.entry("hooks").or_insert_with(|| json!({}));
    if hooks.is_null() {
        *hooks = json!({});
    }
    let hooks = hooks
        .as_object_mut()
        .ok_or("its \"hooks\" is not a JSON object")?;
    check_spelling(hooks, STAGES)?;
    for stage in STAGES {
        let ours = matches!(*stage, "createRuntime" | "poststop");
        if !ours && !hooks.contains_key(*stage) {
            continue;
        }
        let list = hooks.entry(*stage).or_insert_with(|| json!([]));
        if list.is_null() {
            *list = json!([]);
        }
        let list = list
            .as_array_mut()
            .ok_or(format!("its \"hooks\".\"{stage}\" is not a JSON array"))?;
        list.retain(|h| !is_contid_entry(h, exe));
        if ours {
            // First: the ID is set before any other hook of the stage runs.
            list.insert(0, json!({"path": exe, "args": ["contid", "oci-hook"]}));
        }
    }
    Ok(())
}

/// A JSON value read as serde_json reads one, except that an object with
/// a member name twice is refused: runtimes differ on which of the two
/// they take (runc the last, crun the first).
struct Strict(Value);

impl<'de> serde::Deserialize<'de> for Strict {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = Strict;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Strict, E> {
        Ok(Strict(Value::Bool(v)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Strict, E> {
        Ok(Strict(Value::from(v)))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Strict, E> {
        Ok(Strict(Value::from(v)))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Strict, E> {
        Ok(Strict(Value::from(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Strict, E> {
        Ok(Strict(Value::from(v)))
    }

    fn visit_string<E>(self, v: String) -> Result<Strict, E> {
        Ok(Strict(Value::String(v)))
    }

    fn visit_unit<E>(self) -> Result<Strict, E> {
        Ok(Strict(Value::Null))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Strict, A::Error> {
        let mut v = Vec::new();
        while let Some(Strict(e)) = seq.next_element()? {
            v.push(e);
        }
        Ok(Strict(Value::Array(v)))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Strict, A::Error> {
        let mut obj = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if obj.contains_key(&key) {
                return Err(serde::de::Error::custom(format!(
                    "member {key:?} appears twice in an object"
                )));
            }
            let Strict(v) = map.next_value()?;
            obj.insert(key, v);
        }
        Ok(Strict(Value::Object(obj)))
    }
}

/// `text` as a JSON value, a member name twice in an object refused.
pub fn parse_config(text: &[u8]) -> Result<Value, serde_json::Error> {
    serde_json::from_slice::<Strict>(text).map(|s| s.0)
}

/// Adds the hooks to `bundle`/config.json ([`add_hooks`]), through a new
/// file (created by the wrapper alone, with the old file's mode) renamed
/// over it, so that a crash leaves the old or the new file whole.
pub fn add_hooks_to_bundle(bundle: &Path, exe: &str) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let path = bundle.join("config.json");
    let text = std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut config = parse_config(&text).map_err(|e| {
        if e.is_data() {
            format!("{}: {e}", path.display())
        } else {
            format!("{} is not JSON: {e}", path.display())
        }
    })?;
    add_hooks(&mut config, exe).map_err(|e| format!("{}: {e}", path.display()))?;
    let tmp = bundle.join(format!(".config.json.contid-{}", std::process::id()));
    let out = serde_json::to_vec_pretty(&config).map_err(|e| e.to_string())?;
    let err = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    let mode = std::fs::metadata(&path).map_err(err)?.permissions();
    // create_new: never an existing file, nor one a symlink names.
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(err)?;
    let written = f
        .write_all(&out)
        .and_then(|()| f.set_permissions(mode))
        .and_then(|()| f.sync_all())
        .and_then(|()| std::fs::rename(&tmp, &path));
    written.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        err(e)
    })
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

    fn ours() -> Value {
        json!([{"path": EXE, "args": ["contid", "oci-hook"]}])
    }

    #[test]
    fn adds_the_hooks_once() {
        let mut c =
            json!({"ociVersion": "1.0.2", "process": {"args": ["sh"]}, "x-engine": {"k": 1}});
        assert_eq!(add_hooks(&mut c, EXE), Ok(()));
        assert_eq!(c["hooks"]["createRuntime"], ours());
        assert_eq!(c["hooks"]["poststop"], ours());
        // Unknown members stay as they are; stages without an entry are
        // not added.
        assert_eq!(c["x-engine"], json!({"k": 1}));
        assert_eq!(c["hooks"].as_object().unwrap().len(), 2);
        let again = c.clone();
        assert_eq!(add_hooks(&mut c, EXE), Ok(()));
        assert_eq!(c, again);
        // Other hooks stay, after ours; a hooks.d entry of contid's
        // (another path, its own policy arguments) is replaced by the
        // wrapper's.
        let mut c = json!({"hooks": {
            "createRuntime": [{"path": "/usr/bin/nvidia-hook"}],
            "poststop": [{"path": "/usr/bin/contid", "args": ["contid", "oci-hook", "--log", "/l"]}],
            "prestart": [{"path": "/x"}]
        }});
        assert_eq!(add_hooks(&mut c, EXE), Ok(()));
        assert_eq!(c["hooks"]["createRuntime"][0]["path"], EXE);
        assert_eq!(
            c["hooks"]["createRuntime"][1]["path"],
            "/usr/bin/nvidia-hook"
        );
        assert_eq!(c["hooks"]["poststop"], ours());
        assert_eq!(c["hooks"]["prestart"], json!([{"path": "/x"}]));
        let mut c = json!({"hooks": null});
        assert_eq!(add_hooks(&mut c, EXE), Ok(()));
        assert_eq!(c["hooks"]["createRuntime"], ours());
    }

    #[test]
    fn entries_that_look_like_contid_are_replaced() {
        // The container's creator writes config.json: an entry with
        // contid's arguments but another program would pass for the hook,
        // and one with contid's path would bring the creator's policy
        // (--allow-annotation, --fail-open, --log anywhere).
        let mut c = json!({"hooks": {
            "createRuntime": [
                {"path": "/bin/true", "args": ["contid", "oci-hook"]},
                {"path": EXE, "args": ["contid", "oci-hook", "--allow-annotation", "--fail-open"]},
                {"path": "/opt/x/contid", "args": ["x"]},
                {"path": "/usr/bin/other-hook", "args": ["other-hook"]}
            ],
            "poststop": [{"path": "/bin/true", "args": ["/sbin/contid", "oci-hook"]}],
            "createContainer": [{"path": EXE, "args": ["contid", "oci-hook", "--log", "/etc/x"]}]
        }});
        assert_eq!(add_hooks(&mut c, EXE), Ok(()));
        assert_eq!(
            c["hooks"]["createRuntime"],
            json!([
                {"path": EXE, "args": ["contid", "oci-hook"]},
                {"path": "/usr/bin/other-hook", "args": ["other-hook"]}
            ])
        );
        assert_eq!(c["hooks"]["poststop"], ours());
        assert_eq!(c["hooks"]["createContainer"], json!([]));
    }

    #[test]
    fn members_a_runtime_reads_differently_are_refused() {
        // runc reads config.json with Go's encoding/json, which matches
        // member names case-insensitively (with Unicode folding): a
        // second spelling of "hooks" or of a stage would replace ours.
        for bad in [
            json!({"hooks": {}, "Hooks": null}),
            json!({"hoo\u{212a}s": null}),
            json!({"hook\u{17f}": {}}),
            json!({"hooks": {"createruntime": []}}),
            json!({"hooks": {"POSTSTOP": []}}),
            json!({"hooks": {"prestarT": []}}),
        ] {
            let mut c = bad.clone();
            let e = add_hooks(&mut c, EXE).unwrap_err();
            assert!(e.contains("would be read as"), "{bad}: {e}");
        }
        // Names that only resemble them stay.
        let mut c = json!({"hooksx": 1, "hooks": {"createRuntimes": []}});
        assert_eq!(add_hooks(&mut c, EXE), Ok(()));
        // A member twice: runc takes the last, crun the first.
        for bad in [
            r#"{"hooks": {}, "hooks": {}}"#,
            r#"{"a": {"b": 1, "b": 2}}"#,
            r#"{"hooks": {"poststop": [], "poststo\u0070": []}}"#,
        ] {
            let e = parse_config(bad.as_bytes()).unwrap_err();
            assert!(e.to_string().contains("appears twice"), "{bad}: {e}");
            assert!(e.is_data(), "{bad}");
        }
        let v = parse_config(br#"{"a": [1, -2, 2.5, "s", null, true, {"b": {}}]}"#).unwrap();
        assert_eq!(v, json!({"a": [1, -2, 2.5, "s", null, true, {"b": {}}]}));
        assert!(parse_config(b"{ no").unwrap_err().is_syntax());
    }

    #[test]
    fn command_lines_that_could_escape_are_refused() {
        let refused = |v: &[&str]| refusal(&parse(&args(v)), "contid-runc");
        assert_eq!(refused(&["create", "--bundle", "/b", "c"]), None);
        assert_eq!(refused(&["exec", "c", "sh", "-c", "x"]), None);
        assert_eq!(refused(&["kill", "c", "KILL"]), None);
        // runc moves options after the id to the front.
        let e = refused(&["run", "c", "--bundle", "/other"]).unwrap();
        assert!(e.contains("\"--bundle\" after the container id"), "{e}");
        assert!(refused(&["create", "-b", "/b", "c", "x"]).is_some());
        // crun's --config names another file than the bundle's.
        let e = refused(&["create", "--config", "/tmp/c.json", "-b", "/b", "c"]).unwrap();
        assert!(e.starts_with("-f/--config is not supported"), "{e}");
        assert!(refused(&["run", "-f=/tmp/c.json", "c"]).is_some());
        let e = refused(&["--root", "/r", "restore", "--image-path", "/i", "c"]).unwrap();
        assert!(e.starts_with("restore is not supported"), "{e}");
        let e = refused(&["--frob", "x", "state", "c"]).unwrap();
        assert!(e.starts_with("unknown option \"--frob\""), "{e}");
        assert!(refused(&["--frob"]).is_some());
        assert_eq!(refused(&["delete", "--frob", "c"]), None);
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
            (
                json!({"hooks": {"startContainer": 1}}),
                "\"hooks\".\"startContainer\" is not a JSON array",
            ),
        ] {
            let mut c = bad.clone();
            let e = add_hooks(&mut c, EXE).unwrap_err();
            assert!(e.contains(why), "{e}");
        }
    }

    #[test]
    fn bundle_files() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("contid-wrap-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let config = dir.join("config.json");
        let e = add_hooks_to_bundle(&dir, EXE).unwrap_err();
        assert!(e.starts_with("cannot read "), "{e}");
        std::fs::write(&config, "{ no").unwrap();
        let e = add_hooks_to_bundle(&dir, EXE).unwrap_err();
        assert!(e.contains("is not JSON"), "{e}");
        // A bad file is left as it is.
        assert_eq!(std::fs::read_to_string(&config).unwrap(), "{ no");
        std::fs::write(&config, r#"{"hooks": 1, "hooks": {}}"#).unwrap();
        let e = add_hooks_to_bundle(&dir, EXE).unwrap_err();
        assert!(
            e.contains("config.json: member \"hooks\" appears twice"),
            "{e}"
        );
        std::fs::write(&config, r#"{"ociVersion":"1.0.2"}"#).unwrap();
        std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(add_hooks_to_bundle(&dir, EXE), Ok(()));
        let c: Value = serde_json::from_slice(&std::fs::read(&config).unwrap()).unwrap();
        assert_eq!(c["ociVersion"], "1.0.2");
        assert_eq!(c["hooks"]["createRuntime"], ours());
        // The new file has the old one's mode.
        let mode = std::fs::metadata(&config).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        // A symlink at the new file's name is not followed: the bundle is
        // refused, and the file it names is left alone.
        let victim = dir.join("victim");
        std::fs::write(&victim, "v").unwrap();
        let tmp = dir.join(format!(".config.json.contid-{}", std::process::id()));
        std::os::unix::fs::symlink(&victim, &tmp).unwrap();
        let e = add_hooks_to_bundle(&dir, EXE).unwrap_err();
        assert!(e.starts_with("cannot write "), "{e}");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "v");
        assert!(std::fs::symlink_metadata(&tmp).unwrap().is_symlink());
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
