//! The entrypoint wrapper adf adds as a last layer to an image with `runtime_deps:`. When a
//! container starts it installs, with pip, what a mounted wheelhouse (offline) or a package
//! index named by an environment variable offers and the image misses; it prints each package
//! it installs, keeps a stamp keyed by the wheels' hashes (a restarted container does not
//! install again, and says nothing), stops the container on a failed install, and then `exec`s
//! the image's own entrypoint and command.

use crate::model::spec::RuntimeDeps;

/// Where the wrapper lives in the image.
pub const WRAPPER_PATH: &str = "/usr/local/bin/adf-runtime-deps";

const BODY: &str = r#"adf_die() { echo "adf-runtime-deps: $*; the container stops" >&2; exit 1; }
adf_state() {
    for d in /var/lib/adf-runtime-deps "${TMPDIR:-/tmp}/adf-runtime-deps"; do
        if mkdir -p "$d" 2>/dev/null && [ -w "$d" ]; then echo "$d"; return 0; fi
    done
    adf_die "no writable directory for its stamp"
}
# KEY PIP-ARGS...: pip install, once per KEY
adf_install() {
    adf_key=$1
    shift
    adf_dir=$(adf_state)
    [ -e "$adf_dir/$adf_key" ] && return 0
    adf_py=$(command -v python3 || command -v python) || adf_die "the image has no python3 to install with"
    adf_user=
    [ "$(id -u)" = 0 ] || adf_user=--user
    if ! adf_out=$("$adf_py" -m pip install --disable-pip-version-check --no-input $adf_user "$@" 2>&1); then
        printf '%s\n' "$adf_out" | tail -n 15 >&2
        adf_die "pip install $* failed"
    fi
    adf_new=$(printf '%s\n' "$adf_out" | sed -n 's/^Successfully installed //p')
    for adf_p in $adf_new; do echo "adf-runtime-deps: installed $adf_p" >&2; done
    printf '%s\n' "$adf_new" >"$adf_dir/$adf_key"
}
if [ -n "$WHEELHOUSE" ] && ls "$WHEELHOUSE"/*.whl >/dev/null 2>&1; then
    adf_key=wheels-$(cd "$WHEELHOUSE" && { sha256sum ./*.whl; [ -n "$REQUIREMENTS" ] && [ -f "$REQUIREMENTS" ] && sha256sum "$REQUIREMENTS"; true; } | sha256sum | cut -c1-16)
    if [ -n "$REQUIREMENTS" ] && [ -f "$REQUIREMENTS" ]; then
        adf_install "$adf_key" --no-index --find-links "$WHEELHOUSE" -r "$REQUIREMENTS"
    else
        adf_install "$adf_key" --no-index --find-links "$WHEELHOUSE" "$WHEELHOUSE"/*.whl
    fi
elif [ -n "$INDEX_ENV" ]; then
    eval "adf_url=\${$INDEX_ENV:-}"
    if [ -n "$adf_url" ]; then
        [ -f "$REQUIREMENTS" ] || adf_die "$REQUIREMENTS does not exist"
        adf_key=index-$({ echo "$adf_url"; cat "$REQUIREMENTS"; } | sha256sum | cut -c1-16)
        adf_install "$adf_key" --index-url "$adf_url" -r "$REQUIREMENTS"
    fi
fi
[ $# -gt 0 ] || exit 0
exec "$@"
"#;

/// The wrapper script for `deps`.
pub fn wrapper(deps: &RuntimeDeps) -> String {
    let q = |v: &Option<String>| crate::shell::quote(v.as_deref().unwrap_or(""));
    format!(
        "#!/bin/sh\n# Added by adf (runtime_deps: {}): installs what the image misses when the container\n# starts, once, then runs the image's own entrypoint and command.\nset -eu\nWHEELHOUSE={}\nREQUIREMENTS={}\nINDEX_ENV={}\n{BODY}",
        deps.describe(),
        q(&deps.wheelhouse),
        q(&deps.requirements),
        q(&deps.index_env),
    )
}

/// The Dockerfile of the wrapper layer on top of `base`, keeping its entrypoint and command.
pub fn dockerfile(base: &str, entrypoint: &[String], cmd: &[String]) -> String {
    let json = |v: &[String]| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
    let mut ep = vec![WRAPPER_PATH.to_string()];
    ep.extend(entrypoint.iter().cloned());
    format!(
        "FROM {base}\nCOPY adf-runtime-deps {WRAPPER_PATH}\nENTRYPOINT {}\nCMD {}\n",
        json(&ep),
        json(cmd)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wrapper_keeps_the_entrypoint_and_command() {
        let df = dockerfile(
            "x/a:1",
            &["/init".into()],
            &["serve".into(), "--port=1".into()],
        );
        assert!(
            df.contains(r#"ENTRYPOINT ["/usr/local/bin/adf-runtime-deps","/init"]"#),
            "{df}"
        );
        assert!(df.contains(r#"CMD ["serve","--port=1"]"#), "{df}");
        let w = wrapper(&RuntimeDeps {
            wheelhouse: Some("/opt/wheels".into()),
            ..Default::default()
        });
        assert!(
            w.starts_with("#!/bin/sh\n")
                && w.contains("WHEELHOUSE='/opt/wheels'\nREQUIREMENTS=''\n"),
            "{w}"
        );
    }
}
