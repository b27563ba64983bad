//! Readers for the nested sections of the file: `secrets:`, `installers:`, `verify:` and
//! `runtime_deps:`.

use super::schema::reader::Reader;
use super::schema::{
    RawInstaller, RawRuntimeDeps, RawSecretSource, RawVerify, INSTALLER_KEYS, RUNTIME_DEPS_KEYS,
    SECRET_KEYS, VERIFY_KEYS,
};
use super::yaml::{Node, NodeKind};
use crate::diag::Code;
use crate::diag::Diagnostic;

pub(super) fn read_secret_sources(r: &mut Reader, node: &Node) -> Vec<RawSecretSource> {
    let mut out = Vec::new();
    for (k, v) in r.map(
        node,
        "secrets",
        "secrets:\n  ca: {file: /etc/ssl/certs/ca-certificates.crt}",
    ) {
        let Some(id) = r.scalar(k, "a secret name", "ca") else {
            continue;
        };
        let mut s = RawSecretSource {
            id,
            file: None,
            environment: None,
        };
        let entries = r.map(v, "a secret", "{file: PATH} or {environment: VAR}");
        for (key, _, val) in r.known_keys(entries, SECRET_KEYS, "a secret") {
            match key {
                "file" => {
                    s.file = r.scalar(val, "file", "file: /etc/ssl/certs/ca-certificates.crt")
                }
                _ => s.environment = r.scalar(val, "environment", "environment: HTTPS_PROXY"),
            }
        }
        if s.file.is_none() == s.environment.is_none() {
            r.diags.push(
                Diagnostic::error(Code::SecretSource, format!("secret `{}` needs exactly one of `file` or `environment`", s.id.value))
                    .at(s.id.span, "here")
                    .help("for example `ca: {file: /etc/ssl/certs/ca-certificates.crt}` or `proxy: {environment: HTTPS_PROXY}`"),
            );
        }
        out.push(s);
    }
    out
}

pub(super) fn read_installers(r: &mut Reader, node: &Node) -> Vec<RawInstaller> {
    let example = "installers:\n  - path: packages/Ascend-cann-toolkit_${CANN_VERSION}_linux-${ARCH}.run\n    sha256: <64 hex>";
    let NodeKind::Seq(items) = &node.kind else {
        if !node.is_null() {
            r.wrong_shape(node, "installers", "a list", example);
        }
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        let entries = r.map(item, "an installer", example);
        let (mut path, mut sha256, mut url, mut hint) = (None, None, None, None);
        let mut allow_outside = false;
        for (k, _, v) in r.known_keys(entries, INSTALLER_KEYS, "an installer") {
            if k == "allow_outside" {
                allow_outside = r.bool(v, k).is_some_and(|b| b.value);
                continue;
            }
            let val = r.scalar(v, k, example);
            match k {
                "path" => path = val,
                "sha256" => sha256 = val,
                "url" => url = val,
                _ => hint = val,
            }
        }
        match path {
            Some(path) => out.push(RawInstaller { span: item.span, path, sha256, url, hint, allow_outside }),
            None if matches!(item.kind, NodeKind::Map(_)) => r.diags.push(
                Diagnostic::error(Code::MissingKey, "installer without `path`")
                    .at(item.span, "needs `path`")
                    .help("give the file's path relative to the config file, e.g. `path: packages/x.run`"),
            ),
            None => {}
        }
    }
    out
}

pub(super) fn read_runtime_deps(r: &mut Reader, node: &Node) -> Option<RawRuntimeDeps> {
    let example = "runtime_deps: {wheelhouse: /opt/wheels, requirements: /opt/app/requirements.txt, index_env: PIP_INDEX_URL}";
    if node.is_null() {
        return None;
    }
    let entries = r.map(node, "runtime_deps", example);
    let mut deps = RawRuntimeDeps {
        span: node.span,
        wheelhouse: None,
        requirements: None,
        index_env: None,
    };
    for (k, _, v) in r.known_keys(entries, RUNTIME_DEPS_KEYS, "runtime_deps") {
        let val = r.scalar(v, k, example);
        match k {
            "wheelhouse" => deps.wheelhouse = val,
            "requirements" => deps.requirements = val,
            _ => deps.index_env = val,
        }
    }
    Some(deps)
}

pub(super) fn read_verify(r: &mut Reader, node: &Node) -> Vec<RawVerify> {
    let example =
        "verify:\n  - name: torch imports\n    run: python -c 'import torch'\n    expect: \"^$\"";
    let NodeKind::Seq(items) = &node.kind else {
        if !node.is_null() {
            r.wrong_shape(node, "verify", "a list", example);
        }
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        // short form: `- python --version`
        if let NodeKind::Scalar { .. } = item.kind {
            if let Some(run) = r.scalar(item, "a verify command", example) {
                out.push(RawVerify {
                    span: item.span,
                    name: None,
                    run,
                    expect: None,
                });
            }
            continue;
        }
        let entries = r.map(item, "a verify check", example);
        let (mut name, mut run, mut expect) = (None, None, None);
        for (k, _, v) in r.known_keys(entries, VERIFY_KEYS, "a verify check") {
            let val = r.scalar(v, k, example);
            match k {
                "name" => name = val,
                "run" => run = val,
                _ => expect = val,
            }
        }
        match run {
            Some(run) => out.push(RawVerify {
                span: item.span,
                name,
                run,
                expect,
            }),
            None => r.diags.push(
                Diagnostic::error(Code::MissingKey, "verify check without `run`")
                    .at(item.span, "needs `run`")
                    .help(
                        "add the command to run in the image, e.g. `run: python -c 'import torch'`",
                    ),
            ),
        }
    }
    out
}
