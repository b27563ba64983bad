//! Checks of whole stacks: known conflicts are errors, undocumented combinations warnings, and
//! every finding cites its source. Also user rules files, installers and the JSON shape.

use super::*;

fn stack(spec: &str) -> Stack {
    spec.split_whitespace()
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn kb() -> &'static KnowledgeBase {
    KnowledgeBase::builtin()
}

#[test]
fn builtin_parses_and_cites_known_sources() {
    let kb = kb();
    assert!(kb.releases.len() > 150, "{}", kb.releases.len());
    assert!(!kb.rules.is_empty() && !kb.installers.is_empty() && !kb.facts.is_empty());
    for id in ["S1", "S10", "S20", "S29"] {
        assert!(kb.sources.contains_key(id), "{id}");
    }
}

/// stack | severity | code | components (sorted, comma) | a source id the citation must contain | text in message
const CASES: &str = r#"
torch_npu=2.5.1 torch=2.7.1 | error | compat-conflict | torch,torch_npu | S1 | requires torch ==2.5.1
vllm_ascend=0.9.1 torch_npu=2.7.1 | error | compat-conflict | torch_npu,vllm_ascend | S4 | ==2.5.1.post1
torch_npu=2.5.1 cann=8.2.RC1 numpy=2.1.0 | error | compat-conflict | cann,numpy,torch_npu | S9 | numpy 2.x
torch_npu=2.5.1 numpy=2.0.0 | error | compat-conflict | numpy,torch_npu | S7 | cann 8.1.RC1 implied by torch_npu 2.5.1
torch_npu=2.5.1 python=3.12 | error | compat-conflict | python,torch_npu | S26 | python >=3.9,<3.12
torch_npu=2.7.1 python=3.12 | error | compat-conflict | python,torch_npu | S26 | python >=3.9,<3.12
torch_npu=2.9.0 cann=8.2.RC1 | warning | compat-unknown-combination | cann,torch_npu | S1 | documented with cann 8.5.0
vllm_ascend=0.99.0 | warning | compat-unknown-version | vllm_ascend | S4 | newer than adf's knowledge of 2026-
vllm_ascend=0.9.5 | warning | compat-unknown-version | vllm_ascend | S4 | no entry for vllm_ascend 0.9.5
vllm-ascend=0.9.1 torch-npu=2.5.1 | warning | compat-pin-variant | torch-npu,vllm-ascend | S4 | same release
vllm_ascend=0.9.1 vllm=0.9.2 | error | compat-conflict | vllm,vllm_ascend | S4 | requires vllm ==0.9.1
vllm_ascend=v0.13.0 cann=8.3.RC2 | error | compat-conflict | cann,vllm_ascend | S8 | needs cann >=8.5.0 (documented minimum)
vllm_ascend=0.9.1 cann=8.1.RC1 | error | compat-conflict | cann,vllm_ascend | S8 | needs cann >=8.2.RC1
vllm_ascend=0.7.3rc1 torch_npu=2.5.1.dev20250218 | error | compat-conflict | torch_npu,vllm_ascend | S8 | needs torch_npu >=2.5.1.dev20250308
torch_npu=2.11.0 python=3.14 | error | compat-conflict | python,torch_npu | S30 | python >=3.10,<3.14
torch_npu=2.12.0 python=3.14 | error | compat-conflict | python,torch_npu | S30 | python >=3.10,<3.14
cann=8.5.0 python=3.13 numpy=1.26.4 | warning | compat-caution | cann,numpy,python | S33 | later than 2.1
torch_npu=2.5.1 cann=9.0.0 | warning | compat-unknown-combination | cann,torch_npu | S25 | documented with cann 8.1.RC1 (paired)
torch_npu=2.10.0.post6 python=3.12 | error | compat-conflict | python,torch_npu | S30 | python >=3.10,<3.12
torch_npu=2.14.0 torch=2.13.0 | error | compat-conflict | torch,torch_npu | S30 | requires torch ==2.14.0.*
torch_npu=2.14.0 cann=9.1.0 | warning | compat-unknown-combination | cann,torch_npu | S30 | no CANN pairing is published
cann=9.2.0 driver=25.2.1 | error | compat-conflict | cann,driver | S36 | incompatible
mindspore=2.10.0 python=3.9 | error | compat-conflict | mindspore,python | S30 | python >=3.10,<3.13
mindspore=2.7.1 cann=8.5.0 | warning | compat-unknown-combination | cann,mindspore | S35 | documented with cann 8.3.RC1
vllm_ascend=0.30.0rc2 cann=9.1.0 | warning | compat-unknown-combination | cann,vllm_ascend | S37 | no CANN, torch_npu or vLLM pairing
mindspore=1.8.1 python=3.10 | error | compat-conflict | mindspore,python | S19 | python >=3.7,<3.10
mindspore=1.8.1 cann=6.0.1 | warning | compat-unknown-combination | cann,mindspore | S19 | 5.1.RC2
mindspeed=2.2.0_core_r0.12.1 megatron=core_r0.8.0 | error | compat-conflict | megatron,mindspeed | S15 | megatron ==0.12.1
mindspeed=2.2.0_core_r0.12.1 numpy=1.26.4 | warning | compat-caution | mindspeed,numpy | S15 | numpy <=1.26.0
mindspeed=2.2.0_core_r0.12.1 megatron=main | warning | compat-unverifiable | megatron,mindspeed | S15 | cannot verify
cann=9.1.0 driver=25.0.RC1 | error | compat-conflict | cann,driver | S23 | incompatible
cann=8.2.RC1 python=3.12 | error | compat-conflict | cann,python | S24 | python >=3.7,<3.12
cann=8.3.RC1 python=3.12 | warning | compat-caution | cann,python | X8 | 8.3.RC1.alpha00x
cann=8.2.RC1 numpy=1.26.4 | warning | compat-caution | cann,numpy | S24 | runtime pip dependencies
torch=2.1.0 torch_npu=2.1.0.post12 numpy=2.0.0 | error | compat-conflict | numpy,torch,torch_npu | S27 | torch 2.1.0
verl=d7944c01 torch_npu=2.5.1 numpy=2.0.0 | error | compat-conflict | numpy,torch_npu,verl | S12 | requirements-npu
chip=Ascend950 cann=8.2.RC1 | warning | compat-unknown-version | chip | S10 | unknown chip
chip=950 cann=8.2.RC1 | warning | compat-unknown-combination | cann,chip | S17 | no kernels/ops package
arch=riscv64 | warning | compat-unknown-version | arch | S2 | unknown arch
vllm_ascend=0.9.1 mindie_turbo=2.0rc1 | warning | compat-caution | mindie_turbo,vllm_ascend | S9 | mindie-turbo
torch_npu=2.5.1 torch=2.5.1 python=3.10 | warning | compat-caution | torch_npu | S1 | the stack has no cann
torch_npu=2.7.1 glibc=2.17 | error | compat-conflict | glibc,torch_npu | S26 | manylinux_2_28
"#;

#[test]
fn documented_conflicts_are_errors_and_others_warnings() {
    for line in CASES.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let f: Vec<&str> = line.split('|').map(str::trim).collect();
        let findings = kb().check(&stack(f[0]));
        let want_sev = if f[1] == "error" {
            Severity::Error
        } else {
            Severity::Warning
        };
        let hit = findings.iter().find(|x| {
            let mut comps = x.components.clone();
            comps.sort();
            x.severity == want_sev
                && x.code.as_str() == f[2]
                && comps.join(",") == f[3]
                && x.message.contains(f[5])
        });
        let Some(hit) = hit else {
            panic!(
                "`{}`: no {} {} on [{}] containing `{}`; got {findings:#?}",
                f[0], f[1], f[2], f[3], f[5]
            );
        };
        assert!(
            hit.source.contains(f[4]),
            "`{}`: source `{}` lacks {}",
            f[0],
            hit.source,
            f[4]
        );
        assert!(
            f[4].is_empty() || !hit.help.is_empty(),
            "`{}`: no help",
            f[0]
        );
        if want_sev == Severity::Warning {
            assert!(
                findings.iter().all(|x| x.severity == Severity::Warning),
                "`{}`: unexpected error {findings:#?}",
                f[0]
            );
        }
    }
}

/// stack | a component the note names | text in the note: a version other than the documented
/// pair but inside a documented range is an info note, not a warning (audit: "stored the wrong
/// kind of relation").
const NOTES: &str = r#"
torch_npu=2.5.1 cann=8.3.RC1 | cann | the documented pair is cann 8.1.RC1
torch_npu=2.5.1 cann=8.0.0 | cann | listed as compatible
mindspore=2.3.0 cann=8.0.RC1 | cann | 8.0.RC2
cann=8.2.RC1 driver=25.0.RC1 | driver | 25.2.0
vllm_ascend=0.9.1 cann=8.3.RC1 | cann | at or above the documented minimum (>=8.2.RC1)
vllm_ascend=0.11.0 cann=8.5.0 | cann | at or above the documented minimum (>=8.3.RC1)
vllm_ascend=0.10.0@1de16ead8eecfec8903ec1b330b27a4fa2593c35 vllm=0.10.1@38217877aa70041c0115ee367b75197af9cbc5ad | vllm | listed as compatible
mindspeed=1cdd0abd75e40936ad31721c092f57c695dd72c4 transformers=8365f70e925 verl_npu=2.3.0 | transformers | verl_npu 2.3.0 documents this combination
"#;

#[test]
fn inside_a_documented_range_is_a_note_not_a_warning() {
    for line in NOTES.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let f: Vec<&str> = line.split('|').map(str::trim).collect();
        let a = kb().assess(&stack(f[0]));
        assert!(a.findings.is_empty(), "`{}`: {:#?}", f[0], a.findings);
        assert!(
            a.notes
                .iter()
                .any(|n| n.components.iter().any(|c| c == f[1])
                    && n.message.contains(f[2])
                    && !n.source.is_empty()),
            "`{}`: no note on {} containing `{}`: {:#?}",
            f[0],
            f[1],
            f[2],
            a.notes
        );
    }
}

/// Audit corrections that make a stack clean (no error, no warning).
#[test]
fn audit_corrections_leave_known_good_stacks_clean() {
    for s in [
        // v0.7.3rc1 documents torch-npu >= 2.5.1.dev20250308 and CANN >= 8.0.0, not exact pins
        "vllm_ascend=0.7.3rc1 vllm=0.7.3 torch_npu=2.5.1 torch=2.5.1 cann=8.1.RC1 python=3.10",
        // v0.11.0rc3's requirements.txt pins torch-npu==2.7.1 (the matrix says 2.7.1.post1)
        "vllm_ascend=0.11.0rc3 vllm=0.11.0 torch_npu=2.7.1 torch=2.7.1 cann=8.3.RC2 python=3.11",
        "vllm_ascend=0.11.0rc3 vllm=0.11.0 torch_npu=2.7.1.post1 torch=2.7.1 cann=8.3.RC2 python=3.11",
        // torch_npu 2.10.0 is official: PTA 26.0.0 with CANN 9.0.0
        "torch_npu=2.10.0 torch=2.10.0 cann=9.0.0 python=3.12",
        // the documented stack of vllm-ascend v0.18.0 / v0.19.1rc1
        "vllm_ascend=v0.18.0 vllm=0.18.0 torch_npu=2.9.0 torch=2.9.0 cann=8.5.1 python=3.11",
        "vllm_ascend=v0.19.1rc1 vllm=0.19.1 torch_npu=2.9.0 torch=2.9.0 cann=8.5.1 python=3.11",
        // CANN 8.5 with Python >= 3.13 documents numpy later than 2.1
        "torch_npu=2.9.0.post2 torch=2.9.0 cann=8.5.0 python=3.13 numpy=2.2.0",
        // post3 builds are the ones with cp314 wheels
        "torch_npu=2.11.0 torch=2.11.0 python=3.13",
        // x86_64 wheels pin the CPU build of torch
        "torch_npu=2.7.1 torch=2.7.1+cpu arch=x86_64 python=3.11",
        // current releases (PyPI, CANN 9.2.0 release notes, MindSpore 2.7 mapping)
        "torch_npu=2.12.0.post3 torch=2.12.0 python=3.14",
        "torch_npu=2.14.0 torch=2.14.0+cpu python=3.14",
        "cann=9.2.0 driver=26.2.RC1",
        "cann=9.1.0 driver=25.7.RC1",
        "mindspore=2.7.1 cann=8.3.RC1 python=3.11",
        "mindspore=2.7.2 cann=8.5.0 python=3.12",
        "vllm_ascend=0.30.0rc2 python=3.12",
    ] {
        let a = kb().assess(&stack(s));
        let problems: Vec<&Finding> = a
            .findings
            .iter()
            .filter(|f| {
                !f.components.iter().any(|c| c == "cann") && f.rule != "torch-npu-needs-cann"
            })
            .collect();
        assert!(problems.is_empty(), "`{s}`: {problems:#?}");
    }
    // numpy 2 on CANN 8.5 with Python 3.13 is what CANN documents: no numpy finding at all
    let a = kb().assess(&stack(
        "torch_npu=2.9.0.post2 cann=8.5.0 python=3.13 numpy=2.2.0",
    ));
    assert!(
        a.findings
            .iter()
            .all(|f| !f.components.iter().any(|c| c == "numpy")),
        "{:#?}",
        a.findings
    );
}

#[test]
fn errors_come_first() {
    let findings = kb().check(&stack("torch_npu=2.5.1 cann=9.0.0 torch=2.7.1"));
    assert_eq!(findings.first().map(|f| f.severity), Some(Severity::Error));
    assert_eq!(findings.last().map(|f| f.severity), Some(Severity::Warning));
}

/// Stacks of the built-in catalog recipes (DESIGN §8): no errors; some have no finding at all.
#[test]
fn catalog_stacks_have_no_errors() {
    let clean = [
        "python=3.11 cann=8.2.RC1 chip=910b arch=aarch64 torch=2.5.1 torch_npu=2.5.1.post1 numpy=1.24.0 vllm=0.9.1 vllm_ascend=0.9.1",
        "python=3.10 cann=8.0.0 chip=910B2 arch=x86_64 vllm=v0.7.3 vllm_ascend=v0.7.3rc1 torch=2.5.1+cpu torch_npu=2.5.1.dev20250308",
        "python=3.9 cann=5.1.RC2 mindspore=1.8.1 arch=aarch64",
        "python=3.11 cann=8.2.rc1 chip=a3 torch=2.5.1 torch_npu=2.5.1.post1 vllm=0.9.1 vllm_ascend=0.9.1 megatron=core_v0.12.1 mindspeed=f2b0977e numpy=1.24.0",
    ];
    for s in clean {
        let f = kb().check(&stack(s));
        assert!(f.is_empty(), "`{s}`: {f:#?}");
    }
    let no_errors = [
        // verl_npu (MindSpeed-RL): documented caveats only (vllm-ascend commit targets 2.7.1.dev / 8.2.RC1).
        "python=3.10 cann=8.3.RC1 torch=2.7.1 torch_npu=2.7.1 verl_npu=2.3.0 vllm=0.10.1@38217877 vllm_ascend=1de16ead megatron=core_v0.12.1 mindspeed=1cdd0abd verl=796871d7 transformers=8365f70e925 numpy=1.24.0",
        // verl image (CANN 8.2.RC1, vLLM 0.9.1, py3.11): torch_npu 2.5.1 is replaced by vllm-ascend's pin.
        "python=3.11 cann=8.2.RC1 torch=2.5.1 torch_npu=2.5.1 vllm=0.9.1 vllm_ascend=0.9.1 megatron=core_v0.12.1 mindspeed=f2b0977e verl=d7944c01",
    ];
    for s in no_errors {
        let f = kb().check(&stack(s));
        assert!(
            f.iter().all(|x| x.severity == Severity::Warning),
            "`{s}`: {f:#?}"
        );
        assert!(
            f.iter().all(|x| !x.source.is_empty()),
            "`{s}`: uncited {f:#?}"
        );
    }
}

#[test]
fn numpy_pin_is_dropped_with_cann_9() {
    let f = kb().check(&stack(
        "torch_npu=2.7.1.post4 cann=9.0.0 numpy=2.1.2 vllm_ascend=v0.21.0rc1",
    ));
    assert!(
        f.iter().all(|x| !x.components.iter().any(|c| c == "numpy")),
        "{f:#?}"
    );
}

fn temp_file(text: &str) -> tempfile::NamedTempFile {
    use std::io::Write;
    let mut f = tempfile::NamedTempFile::new().expect("temp file");
    f.write_all(text.as_bytes()).expect("write");
    f
}

#[test]
fn user_rules_file_adds_rules_and_sources() {
    let f = temp_file(
        r#"schema = 1
[[sources]]
id = "LAB1"
repo = "our-lab/runbook"
path = "npu.md"

[[rule]]
id = "lab-no-py313"
when = { cann = "9.*" }
requires = { python = "<3.13" }
message = "our 9.x hosts have no Python 3.13 image"
source = "LAB1"

[[release]]
component = "torch_npu"
version = "2.99.0"
requires = { torch = "==2.99.0" }
source = ["LAB1", "S1"]
"#,
    );
    let kb = KnowledgeBase::with_user_file(f.path()).expect("user file loads");
    let found = kb.check(&stack("cann=9.0.0 python=3.13"));
    let hit = found
        .iter()
        .find(|x| x.rule == "lab-no-py313")
        .expect("user rule fires");
    assert_eq!(hit.severity, Severity::Error);
    assert!(
        hit.source.starts_with("LAB1 our-lab/runbook npu.md"),
        "{}",
        hit.source
    );
    assert!(kb
        .check(&stack("torch_npu=2.99.0 torch=2.99.0 cann=9.1.0"))
        .is_empty());
    // The builtin stays untouched.
    assert!(KnowledgeBase::builtin()
        .check(&stack("cann=9.0.0 python=3.13"))
        .is_empty());
}

#[test]
fn user_file_errors_name_file_and_line() {
    let cases = [
        ("schema = 1\n[[rule]\nid = 'x'\n", ":2:"),
        ("schema = 1\n\n[[release]]\ncomponent = \"torch_npu\"\nversion = \"9\"\nsource = \"NOPE\"\n", ":3: unknown source id `NOPE`"),
        ("schema = 1\n[[release]]\ncomponent = \"x\"\nversion = \"1\"\nrequires = { torch = \">>2\" }\nsource = \"S1\"\n", ":2: torch:"),
        ("schema = 1\n[[release]]\ncomponent = \"x\"\nversion = \"1\"\nsource = \"S1\"\ntypo = 1\n", "typo"),
        ("schema = 2\n", ":1: unsupported schema 2"),
        ("schema = 1\n[[sources]]\nid = \"S1\"\nrepo = \"a\"\npath = \"b\"\n", ":2: source id `S1` is already defined"),
        ("schema = 1\n[[installer]]\ncomponent = \"toolkit\"\ncann = \"*\"\ntemplate = \"{ver}.run\"\nsource = \"S1\"\n", ":2: unknown placeholder {ver}"),
    ];
    for (text, want) in cases {
        let f = temp_file(text);
        let err = KnowledgeBase::with_user_file(f.path()).expect_err("must fail");
        let name = f.path().display().to_string();
        assert!(err.starts_with(&name), "{err}");
        assert!(err.contains(want), "want `{want}` in `{err}`");
    }
    let err = KnowledgeBase::with_user_file("/nonexistent/rules.toml").expect_err("missing file");
    assert!(
        err.starts_with("/nonexistent/rules.toml: cannot read"),
        "{err}"
    );
}

#[test]
fn installer_files_per_cann_chip_arch() {
    let names = |c: &str, chip: Option<&str>, a: &str| -> Vec<String> {
        kb().installer_files(c, chip, a)
            .into_iter()
            .map(|f| f.file)
            .collect()
    };
    assert_eq!(
        names("8.2.rc1", Some("910b"), "aarch64"),
        [
            "Ascend-cann-toolkit_8.2.RC1_linux-aarch64.run",
            "Ascend-cann-nnae_8.2.RC1_linux-aarch64.run",
            "Ascend-cann-kernels-910b_8.2.RC1_linux-aarch64.run",
            "Ascend-cann-nnal_8.2.RC1_linux-aarch64.run",
            "Ascend-cann-nnrt_8.2.RC1_linux-aarch64",
        ]
    );
    let a3 = names("8.3.RC1", Some("A3"), "x86_64");
    assert!(
        a3.contains(&"Atlas-A3-cann-kernels_8.3.RC1_linux-x86_64.run".to_string()),
        "{a3:?}"
    );
    let ops = names("8.5.0", Some("a3"), "amd64");
    assert_eq!(
        ops,
        [
            "Ascend-cann-toolkit_8.5.0_linux-x86_64.run",
            "Ascend-cann-A3-ops_8.5.0_linux-x86_64.run",
            "Ascend-cann-nnal_8.5.0_linux-x86_64.run"
        ]
    );
    assert!(names("9.0.0", Some("950"), "aarch64")
        .contains(&"Ascend-cann-950-ops_9.0.0_linux-aarch64.run".to_string()));
    assert!(names("7.0.RC1", Some("910b"), "aarch64")
        .contains(&"Ascend-cann-kernels-910b_7.0.RC1_linux.run".to_string()));
    assert!(names("8.5.0", None, "aarch64")
        .iter()
        .all(|f| !f.contains("ops")));
    let f = &kb().installer_files("8.2.RC1", Some("310p"), "aarch64")[0];
    assert_eq!(f.url.as_deref(), Some("https://ascend-repo.obs.cn-east-2.myhuaweicloud.com/CANN/CANN%208.2.RC1/Ascend-cann-toolkit_8.2.RC1_linux-aarch64.run"));
    assert!(f.source.starts_with("S8 "), "{}", f.source);
}

#[test]
fn query_shapes_text_and_json() {
    let q = Query::parse_args(&["cann=8.3.RC1", "chip=910b"]).expect("parses");
    let answers = kb().query(&q);
    for kind in [
        AnswerKind::Release,
        AnswerKind::Installer,
        AnswerKind::Chip,
        AnswerKind::Fact,
        AnswerKind::Rule,
    ] {
        assert!(answers.iter().any(|a| a.kind == kind), "{kind:?} missing");
    }
    let text = render_text(&answers);
    assert!(
        text.contains("Ascend-cann-kernels-910b_8.3.RC1_linux-aarch64.run"),
        "{text}"
    );
    assert!(text.contains("torch_npu 2.7.1"), "{text}");
    let json = serde_json::to_value(&answers).expect("serialises");
    let first = &json[0];
    for key in [
        "kind",
        "component",
        "version",
        "variant",
        "matched_by",
        "relations",
        "notes",
        "sources",
    ] {
        assert!(first.get(key).is_some(), "{key} missing in {first}");
    }
    assert_eq!(first["kind"], "release");
    assert!(first["relations"][0].get("kind").is_some());
    let unknown = kb().query(&Query::new().with("vllm-ascend", "0.99.0"));
    assert_eq!(unknown[0].kind, AnswerKind::Unknown);
    assert!(
        unknown[0]
            .notes
            .iter()
            .any(|n| n.contains("known versions nearby: v0.")),
        "{:?}",
        unknown[0].notes
    );
    assert!(Query::parse_args(&["vllm-ascend"]).is_err());
    let f = serde_json::to_value(kb().check(&stack("torch_npu=2.5.1 torch=2.7.1")))
        .expect("serialises");
    assert_eq!(f[0]["severity"], "error");
    assert_eq!(f[0]["code"], "compat-conflict");
}
