//! `adf export script`: the exported script of a three-image chain, run for real in a container
//! of the chain's first image (no Docker inside), leaves the files, modes and environment of the
//! built leaf image; what cannot be replayed is an error at its Dockerfile line.

mod common;

use common::*;

const ROOT: &str = "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nENV ROOT_VAR=root\nWORKDIR /opt\n";
const MID: &str = r#"ARG BASE_IMAGE
FROM ${BASE_IMAGE}
ARG APP_VERSION=0.0
ARG CHANNEL
ENV APP_HOME=/opt/app \
    APP_VERSION=${APP_VERSION}
ENV PATH=/opt/app/bin:$PATH
WORKDIR ${APP_HOME}
COPY files/app.txt ./
COPY --chmod=755 files/tool.sh bin/tool
RUN --mount=type=bind,source=packages,target=/mnt/p cp /mnt/p/inst.run /opt/app/installed.txt && echo "${CHANNEL}" > channel.txt
"#;
const LEAF: &str = r#"ARG BASE_IMAGE
FROM ${BASE_IMAGE}
ARG GREETING
RUN mkdir -p data && echo "$GREETING from $APP_VERSION" > data/greeting.txt && chmod 640 data/greeting.txt
ENV LEAF=1
WORKDIR /srv
RUN touch marker && ln -s /opt/app/app.txt app-link
"#;

fn yaml(prefix: &str) -> String {
    format!(
        r#"build_flags: [--network, host]
images:
  root:
    build: {{context: ., dockerfile: root.Dockerfile, args: {{BASE_IMAGE: adf-fixture/busybox:1}}}}
    tags: ["{prefix}/root:1"]
  mid:
    depends_on: [root]
    build: {{context: ., dockerfile: mid.Dockerfile, args: {{APP_VERSION: "1.2", CHANNEL: stable}}}}
    tags: ["{prefix}/mid:1"]
  leaf:
    depends_on: [mid]
    build: {{context: ., dockerfile: leaf.Dockerfile, args: {{GREETING: hi}}}}
    tags: ["{prefix}/leaf:1"]
"#
    )
}

/// Every path under /opt and /srv with its mode and a hash of its content (links by target),
/// then the variables the chain sets.
const DUMP: &str = r#"find /opt /srv -xdev | sort | while read f; do
  if [ -L "$f" ]; then printf '%s link %s\n' "$f" "$(readlink "$f")";
  elif [ -f "$f" ]; then printf '%s %s %s\n' "$f" "$(stat -c %a "$f")" "$(md5sum < "$f" | cut -c1-12)";
  else printf '%s %s dir\n' "$f" "$(stat -c %a "$f")"; fi
done
echo ENV
env | grep -E '^(APP_|LEAF|PATH|ROOT_VAR)' | sort"#;

#[test]
fn the_script_turns_the_first_image_into_the_leaf() {
    let docker = engine();
    let prefix = unique("export");
    let dir = project(&[
        ("dockerfile-compose.yaml", &yaml(&prefix)),
        ("root.Dockerfile", ROOT),
        ("mid.Dockerfile", MID),
        ("leaf.Dockerfile", LEAF),
        ("files/app.txt", "hello app\n"),
        ("files/tool.sh", "#!/bin/sh\necho tool\n"),
        ("packages/inst.run", "installer payload\n"),
    ]);
    let b = adf_engine(dir.path(), &["build"]);
    assert_eq!(b.code, 0, "{}", b.stderr);
    let e = adf_engine(
        dir.path(),
        &[
            "export",
            "script",
            "--target",
            "leaf",
            "--from",
            "root",
            "-o",
            "install.sh",
        ],
    );
    assert_eq!(e.code, 0, "{}", e.stderr);
    let script = std::fs::read_to_string(dir.path().join("install.sh")).expect("written");
    assert!(script.starts_with("#!/bin/sh\n"), "{script}");
    assert!(
        !script.contains("---- root"),
        "--from is exclusive: {script}"
    );

    let project_dir = dir.path().to_str().expect("utf-8");
    let mount = format!("{project_dir}:/project:ro");
    // run twice (the second run skips every step that changes files), then dump
    let replay = format!(
        "sh /project/install.sh /project 2>/tmp/first || {{ cat /tmp/first; exit 1; }}
         . /etc/profile.d/adf-leaf.sh
         sh /project/install.sh /project 2>/tmp/second || {{ cat /tmp/second; exit 1; }}
         grep -c 'step' /tmp/first >&2; {DUMP}"
    );
    let root = format!("{prefix}/root:1");
    let args = [
        "run",
        "--rm",
        "--network",
        "none",
        "-v",
        &mount,
        &root,
        "sh",
        "-c",
        &replay,
    ];
    let (code, replayed, err) = docker_run_with(&docker, &args);
    assert_eq!(code, 0, "{replayed}\n{err}");
    let built = docker_out(&[
        "run",
        "--rm",
        "--network",
        "none",
        &format!("{prefix}/leaf:1"),
        "sh",
        "-c",
        DUMP,
    ]);
    assert_eq!(
        replayed.trim(),
        built,
        "the script leaves what the build left"
    );
    assert!(built.contains("/opt/app/bin/tool 755"), "{built}");
    assert!(built.contains("/opt/app/data/greeting.txt 640"), "{built}");
    assert!(
        built.contains("APP_VERSION=1.2") && built.contains("LEAF=1"),
        "{built}"
    );
    cleanup(&prefix);
}

#[test]
fn what_cannot_be_replayed_is_an_error_at_its_line() {
    for (dockerfile, line, what) in [
        (
            "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY --from=build /x /y\n",
            3,
            "COPY --from=build",
        ),
        (
            "FROM golang AS build\nRUN true\nARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n",
            1,
            "`FROM golang` is `golang`, an image outside the chain",
        ),
        (
            "ARG BASE_IMAGE\nFROM ${BASE_IMAGE} AS one\nRUN true\nFROM one\n",
            4,
            "a second stage",
        ),
        (
            "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nADD https://example.invalid/x.tgz /x\n",
            3,
            "without --checksum",
        ),
        (
            "ARG BASE_IMAGE\nFROM other/image:1\n",
            2,
            "an image outside the chain",
        ),
    ] {
        let dir = project(&[
            (
                "dockerfile-compose.yaml",
                "images:\n  a:\n    build: {context: ., dockerfile: a.Dockerfile, args: {BASE_IMAGE: x/base:1}}\n    tags: [x/a:1]\n  b:\n    depends_on: [a]\n    build: {context: ., dockerfile: b.Dockerfile}\n    tags: [x/b:1]\n",
            ),
            ("a.Dockerfile", "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n"),
            ("b.Dockerfile", dockerfile),
        ]);
        let out = adf(
            dir.path(),
            &[
                "export", "script", "--target", "b", "--from", "a", "-o", "s.sh",
            ],
        );
        assert_eq!(out.code, 2, "{what}: {}", out.stderr);
        assert!(out.stderr.contains("not-exportable"), "{}", out.stderr);
        assert!(
            out.stderr.contains(&format!("b.Dockerfile:{line}")),
            "{what}: {}",
            out.stderr
        );
        assert!(out.stderr.contains(what), "{what}: {}", out.stderr);
        assert!(!dir.path().join("s.sh").exists(), "nothing written");
        if what.starts_with("COPY") {
            insta::assert_snapshot!("copy_from", out.stderr);
        }
    }
}
