//! `--set` checks its names: an unknown variable is exit 2 with did-you-mean; bake-style
//! per-image overrides (`IMAGE.args.NAME`, `.platforms`, `.tags`, `.target`, `.no_cache`) show
//! in the plan; other keys and images matching nothing are exit 2.

mod common;
use common::{adf, project};

const FILE: &str = "\
variables:
  REGISTRY: acme
images:
  base:
    build: {context: ctx}
    tags: [\"${REGISTRY}/base:1\"]
  leaf-${chip}:
    matrix: {chip: [910b]}
    depends_on: [base]
    description: \"leaf ${FLAVOUR:-plain}\"
    build:
      context: ctx
      args: {V: x, CHIP: \"${chip}\"}
    tags: [\"${REGISTRY}/leaf:${chip}\"]
";

fn stack() -> tempfile::TempDir {
    project(&[
        ("dockerfile-compose.yaml", FILE),
        (
            "ctx/Dockerfile",
            "ARG BASE_IMAGE=busybox\nFROM ${BASE_IMAGE} AS one\nARG V\nARG CHIP\nRUN echo $V $CHIP\nFROM one AS two\n",
        ),
    ])
}

fn plan(dir: &std::path::Path, sets: &[&str]) -> serde_json::Value {
    let mut args: Vec<&str> = Vec::new();
    for s in sets {
        args.extend(["--set", s]);
    }
    args.extend(["plan", "--no-engine", "--format", "json"]);
    let out = adf(dir, &args);
    assert_eq!(out.code, 0, "{sets:?}: {}", out.stderr);
    serde_json::from_str(&out.stdout).expect("json")
}

fn image<'a>(plan: &'a serde_json::Value, name: &str) -> Vec<&'a serde_json::Value> {
    plan["images"]
        .as_array()
        .expect("images")
        .iter()
        .filter(|i| {
            let n = i["name"].as_str().unwrap_or_default();
            n == name || n.strip_prefix(name).is_some_and(|p| p.starts_with('@'))
        })
        .collect()
}

#[test]
fn an_unknown_name_is_exit_2_with_a_suggestion() {
    let dir = stack();
    let out = adf(dir.path(), &["--set", "REGISTY=x", "plan", "--no-engine"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("did you mean `REGISTRY`"),
        "{}",
        out.stderr
    );
    insta::assert_snapshot!("set_unknown_name", out.stderr);
    // declared variables, built-ins, matrix axes and `${NAME}`s of the file are accepted
    for ok in [
        "REGISTRY=x",
        "ARCH=aarch64",
        "GIT_SHA=abc",
        "chip=310p",
        "FLAVOUR=x",
    ] {
        let out = adf(dir.path(), &["--set", ok, "check"]);
        assert_ne!(out.code, 2, "{ok}: {}", out.stderr);
        assert!(!out.stderr.contains("bad-set"), "{ok}: {}", out.stderr);
    }
    let v = plan(dir.path(), &["REGISTRY=reg.io/x"]);
    assert_eq!(image(&v, "base")[0]["tags"][0], "reg.io/x/base:1");
}

#[test]
fn per_image_overrides_show_in_the_plan() {
    let dir = stack();
    let v = plan(
        dir.path(),
        &[
            "leaf-910b.args.V=${REGISTRY}-y",
            "leaf-*.args.NEW=1",
            "leaf-910b.tags=acme/leaf:dev,acme/leaf:dev2",
            "*.platforms=linux/arm64,linux/amd64",
            "leaf-910b.target=two",
            "leaf-910b.no_cache=true",
        ],
    );
    let leaf = image(&v, "leaf-910b");
    assert_eq!(leaf.len(), 2, "one per platform: {v}");
    let mut platforms: Vec<&str> = leaf.iter().filter_map(|i| i["platform"].as_str()).collect();
    platforms.sort();
    assert_eq!(platforms, ["linux/amd64", "linux/arm64"]);
    let leaf: Vec<_> = leaf
        .into_iter()
        .filter(|i| i["platform"] == "linux/arm64")
        .collect();
    assert_eq!(leaf[0]["args"]["V"], "acme-y", "overrides interpolate: {v}");
    assert_eq!(leaf[0]["args"]["NEW"], "1");
    assert_eq!(leaf[0]["args"]["CHIP"], "910b");
    // a multi-platform image's tags carry the platform in each variant
    assert_eq!(
        leaf[0]["tags"],
        serde_json::json!(["acme/leaf:dev-arm64", "acme/leaf:dev2-arm64"])
    );
    let base = image(&v, "base");
    assert_eq!(base.len(), 2, "`*` reaches every image");
    let base: Vec<_> = base
        .into_iter()
        .filter(|i| i["platform"] == "linux/arm64")
        .collect();
    assert_eq!(
        base[0]["tags"][0], "acme/base:1-arm64",
        "tags only where asked"
    );
    assert_eq!(base[0]["args"].get("NEW"), None);
}

#[test]
fn bad_keys_and_images_are_exit_2() {
    let dir = stack();
    for (set, says) in [
        ("leaf-910b.colour=red", "the keys --set overrides are IMAGE.args.NAME, IMAGE.platforms, IMAGE.tags, IMAGE.target, IMAGE.no_cache"),
        ("leaf-910b.platfroms=linux/arm64", "did you mean `platforms`?"),
        ("leaf-910.tags=x/y:1", "did you mean `leaf-910b`?"),
        ("nothing-*.tags=x/y:1", "matches no image"),
        ("leaf-910b.no_cache=yes", "no_cache is `true` or `false`"),
        ("leaf-910b.args.1X=2", "not a build arg name"),
    ] {
        let out = adf(dir.path(), &["--set", set, "plan", "--no-engine"]);
        assert_eq!(out.code, 2, "{set}: {}", out.stderr);
        assert!(out.stderr.contains("error[bad-set]"), "{set}: {}", out.stderr);
        assert!(out.stderr.contains(says), "{set}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{set}: nothing planned: {}", out.stdout);
    }
    let out = adf(dir.path(), &["--set", "leaf-910b.colour=red", "check"]);
    insta::assert_snapshot!("set_bad_key", out.stderr);
}
