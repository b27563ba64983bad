//! Golden stacks: known-good combinations give no error and no compat warning (info notes are
//! fine); every correction of the knowledge audit has a case here.

use super::*;

fn stack(spec: &str) -> Stack {
    spec.split_whitespace()
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The problems `spec` has, one line each (empty when clean).
fn problems(what: &str, spec: &str) -> Vec<String> {
    let a = KnowledgeBase::builtin().assess(&stack(spec));
    a.findings
        .iter()
        .map(|f| {
            format!(
                "{what}: `{spec}`: {}[{}] {}",
                f.severity_word(),
                f.code,
                f.message
            )
        })
        .collect()
}

fn assert_clean<'a>(cases: impl IntoIterator<Item = (&'a str, String)>) -> usize {
    let mut bad = Vec::new();
    let mut n = 0;
    for (what, spec) in cases {
        bad.extend(problems(what, &spec));
        n += 1;
    }
    assert!(
        bad.is_empty(),
        "{} problems:\n{}",
        bad.len(),
        bad.join("\n")
    );
    n
}

/// Each vllm-ascend release's own documented stack: every Dockerfile at its tag (base CANN image
/// → cann, chip, os, python), the torch / torch_npu its requirements pin (the release matrix's
/// dev build where requirements.txt has none) and the vLLM tag of its main Dockerfile (S6, S7).
const VLLM_ASCEND_RELEASES: &str = "
    v0.7.1rc1 Dockerfile | vllm_ascend=v0.7.1rc1 vllm=v0.7.1 cann=8.0.0 chip=910b os=ubuntu22.04 python=3.10 torch=2.5.1 torch_npu=2.5.1.dev20250218
    v0.7.3 Dockerfile | vllm_ascend=v0.7.3 vllm=v0.7.3 cann=8.1.rc1 chip=910b os=ubuntu22.04 python=3.10 torch=2.5.1 torch_npu=2.5.1
    v0.7.3 Dockerfile.openEuler | vllm_ascend=v0.7.3 vllm=v0.7.3 cann=8.1.rc1 chip=910b os=openeuler22.03 python=3.10 torch=2.5.1 torch_npu=2.5.1
    v0.7.3.post1 Dockerfile | vllm_ascend=v0.7.3.post1 vllm=v0.7.3 cann=8.1.rc1 chip=910b os=ubuntu22.04 python=3.10 torch=2.5.1 torch_npu=2.5.1
    v0.7.3.post1 Dockerfile.openEuler | vllm_ascend=v0.7.3.post1 vllm=v0.7.3 cann=8.1.rc1 chip=910b os=openeuler22.03 python=3.10 torch=2.5.1 torch_npu=2.5.1
    v0.7.3rc1 Dockerfile | vllm_ascend=v0.7.3rc1 vllm=v0.7.3 cann=8.0.0 chip=910b os=ubuntu22.04 python=3.10 torch=2.5.1 torch_npu=2.5.1.dev20250308
    v0.7.3rc2 Dockerfile | vllm_ascend=v0.7.3rc2 vllm=v0.7.3 cann=8.0.0 chip=910b os=ubuntu22.04 python=3.10 torch=2.5.1 torch_npu=2.5.1.dev20250320
    v0.8.4rc1 Dockerfile | vllm_ascend=v0.8.4rc1 vllm=v0.8.4 cann=8.0.0 chip=910b os=ubuntu22.04 python=3.10 torch=2.5.1 torch_npu=2.5.1.dev20250320
    v0.8.4rc1 Dockerfile.openEuler | vllm_ascend=v0.8.4rc1 vllm=v0.8.4 cann=8.0.0 chip=910b os=openeuler22.03 python=3.10 torch=2.5.1 torch_npu=2.5.1.dev20250320
    v0.8.4rc2 Dockerfile | vllm_ascend=v0.8.4rc2 vllm=v0.8.4 cann=8.0.0 chip=910b os=ubuntu22.04 python=3.10 torch=2.5.1 torch_npu=2.5.1
    v0.8.4rc2 Dockerfile.openEuler | vllm_ascend=v0.8.4rc2 vllm=v0.8.4 cann=8.0.0 chip=910b os=openeuler22.03 python=3.10 torch=2.5.1 torch_npu=2.5.1
    v0.8.5rc1 Dockerfile | vllm_ascend=v0.8.5rc1 vllm=v0.8.5.post1 cann=8.1.rc1 chip=910b os=ubuntu22.04 python=3.10 torch=2.5.1 torch_npu=2.5.1
    v0.8.5rc1 Dockerfile.openEuler | vllm_ascend=v0.8.5rc1 vllm=v0.8.5.post1 cann=8.1.rc1 chip=910b os=openeuler22.03 python=3.10 torch=2.5.1 torch_npu=2.5.1
    v0.9.0rc1 Dockerfile | vllm_ascend=v0.9.0rc1 vllm=v0.9.0 cann=8.1.rc1 chip=910b os=ubuntu22.04 python=3.10 torch=2.5.1 torch_npu=2.5.1
    v0.9.0rc1 Dockerfile.openEuler | vllm_ascend=v0.9.0rc1 vllm=v0.9.0 cann=8.1.rc1 chip=910b os=openeuler22.03 python=3.10 torch=2.5.1 torch_npu=2.5.1
    v0.9.0rc2 Dockerfile | vllm_ascend=v0.9.0rc2 vllm=v0.9.0 cann=8.1.rc1 chip=910b os=ubuntu22.04 python=3.10 torch=2.5.1 torch_npu=2.5.1
    v0.9.0rc2 Dockerfile.openEuler | vllm_ascend=v0.9.0rc2 vllm=v0.9.0 cann=8.1.rc1 chip=910b os=openeuler22.03 python=3.10 torch=2.5.1 torch_npu=2.5.1
    v0.9.1 Dockerfile | vllm_ascend=v0.9.1 vllm=v0.9.1 cann=8.2.rc1 chip=910b os=ubuntu22.04 python=3.11 torch=2.5.1 torch_npu=2.5.1.post1
    v0.9.1 Dockerfile.openEuler | vllm_ascend=v0.9.1 vllm=v0.9.1 cann=8.2.rc1 chip=910b os=openeuler22.03 python=3.11 torch=2.5.1 torch_npu=2.5.1.post1
    v0.9.1rc1 Dockerfile | vllm_ascend=v0.9.1rc1 vllm=v0.9.1 cann=8.1.rc1 chip=910b os=ubuntu22.04 python=3.10 torch=2.5.1 torch_npu=2.5.1.post1.dev20250528
    v0.9.1rc1 Dockerfile.310p | vllm_ascend=v0.9.1rc1 vllm=v0.9.1 cann=8.1.rc1 chip=310p os=ubuntu22.04 python=3.10 torch=2.5.1 torch_npu=2.5.1.post1.dev20250528
    v0.9.1rc1 Dockerfile.310p.openEuler | vllm_ascend=v0.9.1rc1 vllm=v0.9.1 cann=8.1.rc1 chip=310p os=openeuler22.03 python=3.10 torch=2.5.1 torch_npu=2.5.1.post1.dev20250528
    v0.9.1rc1 Dockerfile.openEuler | vllm_ascend=v0.9.1rc1 vllm=v0.9.1 cann=8.1.rc1 chip=910b os=openeuler22.03 python=3.10 torch=2.5.1 torch_npu=2.5.1.post1.dev20250528
    v0.9.1rc2 Dockerfile | vllm_ascend=v0.9.1rc2 vllm=v0.9.1 cann=8.2.rc1 chip=910b os=ubuntu22.04 python=3.11 torch=2.5.1 torch_npu=2.5.1.post1
    v0.9.1rc2 Dockerfile.openEuler | vllm_ascend=v0.9.1rc2 vllm=v0.9.1 cann=8.2.rc1 chip=910b os=openeuler22.03 python=3.11 torch=2.5.1 torch_npu=2.5.1.post1
    v0.9.1rc3 Dockerfile | vllm_ascend=v0.9.1rc3 vllm=v0.9.1 cann=8.2.rc1 chip=910b os=ubuntu22.04 python=3.11 torch=2.5.1 torch_npu=2.5.1.post1
    v0.9.1rc3 Dockerfile.openEuler | vllm_ascend=v0.9.1rc3 vllm=v0.9.1 cann=8.2.rc1 chip=910b os=openeuler22.03 python=3.11 torch=2.5.1 torch_npu=2.5.1.post1
    v0.9.2rc1 Dockerfile | vllm_ascend=v0.9.2rc1 vllm=v0.9.2 cann=8.1.rc1 chip=910b os=ubuntu22.04 python=3.10 torch=2.5.1 torch_npu=2.5.1.post1.dev20250619
    v0.9.2rc1 Dockerfile.310p | vllm_ascend=v0.9.2rc1 vllm=v0.9.2 cann=8.1.rc1 chip=310p os=ubuntu22.04 python=3.10 torch=2.5.1 torch_npu=2.5.1.post1.dev20250619
    v0.9.2rc1 Dockerfile.310p.openEuler | vllm_ascend=v0.9.2rc1 vllm=v0.9.2 cann=8.1.rc1 chip=310p os=openeuler22.03 python=3.10 torch=2.5.1 torch_npu=2.5.1.post1.dev20250619
    v0.9.2rc1 Dockerfile.openEuler | vllm_ascend=v0.9.2rc1 vllm=v0.9.2 cann=8.1.rc1 chip=910b os=openeuler22.03 python=3.10 torch=2.5.1 torch_npu=2.5.1.post1.dev20250619
    v0.10.0rc1 Dockerfile | vllm_ascend=v0.10.0rc1 vllm=v0.10.0 cann=8.2.rc1 chip=910b os=ubuntu22.04 python=3.11 torch=2.7.1 torch_npu=2.7.1.dev20250724
    v0.10.0rc1 Dockerfile.310p | vllm_ascend=v0.10.0rc1 vllm=v0.10.0 cann=8.2.rc1 chip=310p os=ubuntu22.04 python=3.11 torch=2.7.1 torch_npu=2.7.1.dev20250724
    v0.10.0rc1 Dockerfile.310p.openEuler | vllm_ascend=v0.10.0rc1 vllm=v0.10.0 cann=8.2.rc1 chip=310p os=openeuler22.03 python=3.11 torch=2.7.1 torch_npu=2.7.1.dev20250724
    v0.10.0rc1 Dockerfile.a3 | vllm_ascend=v0.10.0rc1 vllm=v0.10.0 cann=8.2.rc1 chip=a3 os=ubuntu22.04 python=3.11 torch=2.7.1 torch_npu=2.7.1.dev20250724
    v0.10.0rc1 Dockerfile.a3.openEuler | vllm_ascend=v0.10.0rc1 vllm=v0.10.0 cann=8.2.rc1 chip=a3 os=openeuler22.03 python=3.11 torch=2.7.1 torch_npu=2.7.1.dev20250724
    v0.10.0rc1 Dockerfile.openEuler | vllm_ascend=v0.10.0rc1 vllm=v0.10.0 cann=8.2.rc1 chip=910b os=openeuler22.03 python=3.11 torch=2.7.1 torch_npu=2.7.1.dev20250724
    v0.10.1rc1 Dockerfile | vllm_ascend=v0.10.1rc1 vllm=v0.10.1.1 cann=8.2.rc1 chip=910b os=ubuntu22.04 python=3.11 torch=2.7.1 torch_npu=2.7.1.dev20250724
    v0.10.1rc1 Dockerfile.310p | vllm_ascend=v0.10.1rc1 vllm=v0.10.1.1 cann=8.2.rc1 chip=310p os=ubuntu22.04 python=3.11 torch=2.7.1 torch_npu=2.7.1.dev20250724
    v0.10.1rc1 Dockerfile.310p.openEuler | vllm_ascend=v0.10.1rc1 vllm=v0.10.1.1 cann=8.2.rc1 chip=310p os=openeuler24.03 python=3.11 torch=2.7.1 torch_npu=2.7.1.dev20250724
    v0.10.1rc1 Dockerfile.a3 | vllm_ascend=v0.10.1rc1 vllm=v0.10.1.1 cann=8.2.rc1 chip=a3 os=ubuntu22.04 python=3.11 torch=2.7.1 torch_npu=2.7.1.dev20250724
    v0.10.1rc1 Dockerfile.a3.openEuler | vllm_ascend=v0.10.1rc1 vllm=v0.10.1.1 cann=8.2.rc1 chip=a3 os=openeuler24.03 python=3.11 torch=2.7.1 torch_npu=2.7.1.dev20250724
    v0.10.1rc1 Dockerfile.openEuler | vllm_ascend=v0.10.1rc1 vllm=v0.10.1.1 cann=8.2.rc1 chip=910b os=openeuler24.03 python=3.11 torch=2.7.1 torch_npu=2.7.1.dev20250724
    v0.10.2rc1 Dockerfile | vllm_ascend=v0.10.2rc1 vllm=v0.10.2 cann=8.2.rc1 chip=910b os=ubuntu22.04 python=3.11 torch=2.7.1 torch_npu=2.7.1.dev20250724
    v0.10.2rc1 Dockerfile.310p | vllm_ascend=v0.10.2rc1 vllm=v0.10.2 cann=8.2.rc1 chip=310p os=ubuntu22.04 python=3.11 torch=2.7.1 torch_npu=2.7.1.dev20250724
    v0.10.2rc1 Dockerfile.310p.openEuler | vllm_ascend=v0.10.2rc1 vllm=v0.10.2 cann=8.2.rc1 chip=310p os=openeuler24.03 python=3.11 torch=2.7.1 torch_npu=2.7.1.dev20250724
    v0.10.2rc1 Dockerfile.a3 | vllm_ascend=v0.10.2rc1 vllm=v0.10.2 cann=8.2.rc1 chip=a3 os=ubuntu22.04 python=3.11 torch=2.7.1 torch_npu=2.7.1.dev20250724
    v0.10.2rc1 Dockerfile.a3.openEuler | vllm_ascend=v0.10.2rc1 vllm=v0.10.2 cann=8.2.rc1 chip=a3 os=openeuler24.03 python=3.11 torch=2.7.1 torch_npu=2.7.1.dev20250724
    v0.10.2rc1 Dockerfile.openEuler | vllm_ascend=v0.10.2rc1 vllm=v0.10.2 cann=8.2.rc1 chip=910b os=openeuler24.03 python=3.11 torch=2.7.1 torch_npu=2.7.1.dev20250724
    v0.11.0 Dockerfile | vllm_ascend=v0.11.0 vllm=v0.11.0 cann=8.3.rc2 chip=910b os=ubuntu22.04 python=3.11 torch=2.7.1 torch_npu=2.7.1
    v0.11.0 Dockerfile.310p | vllm_ascend=v0.11.0 vllm=v0.11.0 cann=8.3.rc2 chip=310p os=ubuntu22.04 python=3.11 torch=2.7.1 torch_npu=2.7.1
    v0.11.0 Dockerfile.310p.openEuler | vllm_ascend=v0.11.0 vllm=v0.11.0 cann=8.3.rc2 chip=310p os=openeuler24.03 python=3.11 torch=2.7.1 torch_npu=2.7.1
    v0.11.0 Dockerfile.a3 | vllm_ascend=v0.11.0 vllm=v0.11.0 cann=8.3.rc2 chip=a3 os=ubuntu22.04 python=3.11 torch=2.7.1 torch_npu=2.7.1
    v0.11.0 Dockerfile.a3.openEuler | vllm_ascend=v0.11.0 vllm=v0.11.0 cann=8.3.rc2 chip=a3 os=openeuler24.03 python=3.11 torch=2.7.1 torch_npu=2.7.1
    v0.11.0 Dockerfile.openEuler | vllm_ascend=v0.11.0 vllm=v0.11.0 cann=8.3.rc2 chip=910b os=openeuler24.03 python=3.11 torch=2.7.1 torch_npu=2.7.1
    v0.11.0rc0 Dockerfile | vllm_ascend=v0.11.0rc0 vllm=v0.11.0rc3 cann=8.2.rc1 chip=910b os=ubuntu22.04 python=3.11 torch=2.7.1 torch_npu=2.7.1.dev20250724
    v0.11.0rc0 Dockerfile.310p | vllm_ascend=v0.11.0rc0 vllm=v0.11.0rc3 cann=8.2.rc1 chip=310p os=ubuntu22.04 python=3.11 torch=2.7.1 torch_npu=2.7.1.dev20250724
    v0.11.0rc0 Dockerfile.310p.openEuler | vllm_ascend=v0.11.0rc0 vllm=v0.11.0rc3 cann=8.2.rc1 chip=310p os=openeuler24.03 python=3.11 torch=2.7.1 torch_npu=2.7.1.dev20250724
    v0.11.0rc0 Dockerfile.a3 | vllm_ascend=v0.11.0rc0 vllm=v0.11.0rc3 cann=8.2.rc1 chip=a3 os=ubuntu22.04 python=3.11 torch=2.7.1 torch_npu=2.7.1.dev20250724
    v0.11.0rc0 Dockerfile.a3.openEuler | vllm_ascend=v0.11.0rc0 vllm=v0.11.0rc3 cann=8.2.rc1 chip=a3 os=openeuler24.03 python=3.11 torch=2.7.1 torch_npu=2.7.1.dev20250724
    v0.11.0rc0 Dockerfile.openEuler | vllm_ascend=v0.11.0rc0 vllm=v0.11.0rc3 cann=8.2.rc1 chip=910b os=openeuler24.03 python=3.11 torch=2.7.1 torch_npu=2.7.1.dev20250724
    v0.11.0rc1 Dockerfile | vllm_ascend=v0.11.0rc1 vllm=v0.11.0 cann=8.3.rc1 chip=910b os=ubuntu22.04 python=3.11 torch=2.7.1 torch_npu=2.7.1
    v0.11.0rc1 Dockerfile.310p | vllm_ascend=v0.11.0rc1 vllm=v0.11.0 cann=8.3.rc1 chip=310p os=ubuntu22.04 python=3.11 torch=2.7.1 torch_npu=2.7.1
    v0.11.0rc1 Dockerfile.310p.openEuler | vllm_ascend=v0.11.0rc1 vllm=v0.11.0 cann=8.3.rc1 chip=310p os=openeuler24.03 python=3.11 torch=2.7.1 torch_npu=2.7.1
    v0.11.0rc1 Dockerfile.a3 | vllm_ascend=v0.11.0rc1 vllm=v0.11.0 cann=8.3.rc1 chip=a3 os=ubuntu22.04 python=3.11 torch=2.7.1 torch_npu=2.7.1
    v0.11.0rc1 Dockerfile.a3.openEuler | vllm_ascend=v0.11.0rc1 vllm=v0.11.0 cann=8.3.rc1 chip=a3 os=openeuler24.03 python=3.11 torch=2.7.1 torch_npu=2.7.1
    v0.11.0rc1 Dockerfile.openEuler | vllm_ascend=v0.11.0rc1 vllm=v0.11.0 cann=8.3.rc1 chip=910b os=openeuler24.03 python=3.11 torch=2.7.1 torch_npu=2.7.1
    v0.11.0rc2 Dockerfile | vllm_ascend=v0.11.0rc2 vllm=v0.11.0 cann=8.3.rc2 chip=910b os=ubuntu22.04 python=3.11 torch=2.7.1 torch_npu=2.7.1
    v0.11.0rc2 Dockerfile.310p | vllm_ascend=v0.11.0rc2 vllm=v0.11.0 cann=8.3.rc2 chip=310p os=ubuntu22.04 python=3.11 torch=2.7.1 torch_npu=2.7.1
    v0.11.0rc2 Dockerfile.310p.openEuler | vllm_ascend=v0.11.0rc2 vllm=v0.11.0 cann=8.3.rc2 chip=310p os=openeuler24.03 python=3.11 torch=2.7.1 torch_npu=2.7.1
    v0.11.0rc2 Dockerfile.a3 | vllm_ascend=v0.11.0rc2 vllm=v0.11.0 cann=8.3.rc2 chip=a3 os=ubuntu22.04 python=3.11 torch=2.7.1 torch_npu=2.7.1
    v0.11.0rc2 Dockerfile.a3.openEuler | vllm_ascend=v0.11.0rc2 vllm=v0.11.0 cann=8.3.rc2 chip=a3 os=openeuler24.03 python=3.11 torch=2.7.1 torch_npu=2.7.1
    v0.11.0rc2 Dockerfile.openEuler | vllm_ascend=v0.11.0rc2 vllm=v0.11.0 cann=8.3.rc2 chip=910b os=openeuler24.03 python=3.11 torch=2.7.1 torch_npu=2.7.1
    v0.11.0rc3 Dockerfile | vllm_ascend=v0.11.0rc3 vllm=v0.11.0 cann=8.3.rc2 chip=910b os=ubuntu22.04 python=3.11 torch=2.7.1 torch_npu=2.7.1
    v0.11.0rc3 Dockerfile.310p | vllm_ascend=v0.11.0rc3 vllm=v0.11.0 cann=8.3.rc2 chip=310p os=ubuntu22.04 python=3.11 torch=2.7.1 torch_npu=2.7.1
    v0.11.0rc3 Dockerfile.310p.openEuler | vllm_ascend=v0.11.0rc3 vllm=v0.11.0 cann=8.3.rc2 chip=310p os=openeuler24.03 python=3.11 torch=2.7.1 torch_npu=2.7.1
    v0.11.0rc3 Dockerfile.a3 | vllm_ascend=v0.11.0rc3 vllm=v0.11.0 cann=8.3.rc2 chip=a3 os=ubuntu22.04 python=3.11 torch=2.7.1 torch_npu=2.7.1
    v0.11.0rc3 Dockerfile.a3.openEuler | vllm_ascend=v0.11.0rc3 vllm=v0.11.0 cann=8.3.rc2 chip=a3 os=openeuler24.03 python=3.11 torch=2.7.1 torch_npu=2.7.1
    v0.11.0rc3 Dockerfile.openEuler | vllm_ascend=v0.11.0rc3 vllm=v0.11.0 cann=8.3.rc2 chip=910b os=openeuler24.03 python=3.11 torch=2.7.1 torch_npu=2.7.1
    v0.12.0rc1 Dockerfile | vllm_ascend=v0.12.0rc1 vllm=v0.12.0 cann=8.3.rc2 chip=910b os=ubuntu22.04 python=3.11 torch=2.8.0 torch_npu=2.8.0
    v0.12.0rc1 Dockerfile.310p | vllm_ascend=v0.12.0rc1 vllm=v0.12.0 cann=8.3.rc2 chip=310p os=ubuntu22.04 python=3.11 torch=2.8.0 torch_npu=2.8.0
    v0.12.0rc1 Dockerfile.310p.openEuler | vllm_ascend=v0.12.0rc1 vllm=v0.12.0 cann=8.3.rc2 chip=310p os=openeuler24.03 python=3.11 torch=2.8.0 torch_npu=2.8.0
    v0.12.0rc1 Dockerfile.a3 | vllm_ascend=v0.12.0rc1 vllm=v0.12.0 cann=8.3.rc2 chip=a3 os=ubuntu22.04 python=3.11 torch=2.8.0 torch_npu=2.8.0
    v0.12.0rc1 Dockerfile.a3.openEuler | vllm_ascend=v0.12.0rc1 vllm=v0.12.0 cann=8.3.rc2 chip=a3 os=openeuler24.03 python=3.11 torch=2.8.0 torch_npu=2.8.0
    v0.12.0rc1 Dockerfile.openEuler | vllm_ascend=v0.12.0rc1 vllm=v0.12.0 cann=8.3.rc2 chip=910b os=openeuler24.03 python=3.11 torch=2.8.0 torch_npu=2.8.0
    v0.13.0 Dockerfile | vllm_ascend=v0.13.0 vllm=v0.13.0 cann=8.5.0 chip=910b os=ubuntu22.04 python=3.11 torch=2.8.0 torch_npu=2.8.0.post2
    v0.13.0 Dockerfile.310p | vllm_ascend=v0.13.0 vllm=v0.13.0 cann=8.5.0 chip=310p os=ubuntu22.04 python=3.11 torch=2.8.0 torch_npu=2.8.0.post2
    v0.13.0 Dockerfile.310p.openEuler | vllm_ascend=v0.13.0 vllm=v0.13.0 cann=8.5.0 chip=310p os=openeuler24.03 python=3.11 torch=2.8.0 torch_npu=2.8.0.post2
    v0.13.0 Dockerfile.a3 | vllm_ascend=v0.13.0 vllm=v0.13.0 cann=8.5.0 chip=a3 os=ubuntu22.04 python=3.11 torch=2.8.0 torch_npu=2.8.0.post2
    v0.13.0 Dockerfile.a3.openEuler | vllm_ascend=v0.13.0 vllm=v0.13.0 cann=8.5.0 chip=a3 os=openeuler24.03 python=3.11 torch=2.8.0 torch_npu=2.8.0.post2
    v0.13.0 Dockerfile.openEuler | vllm_ascend=v0.13.0 vllm=v0.13.0 cann=8.5.0 chip=910b os=openeuler24.03 python=3.11 torch=2.8.0 torch_npu=2.8.0.post2
    v0.13.0rc1 Dockerfile | vllm_ascend=v0.13.0rc1 vllm=v0.13.0 cann=8.3.rc2 chip=910b os=ubuntu22.04 python=3.11 torch=2.8.0 torch_npu=2.8.0
    v0.13.0rc1 Dockerfile.310p | vllm_ascend=v0.13.0rc1 vllm=v0.13.0 cann=8.3.rc2 chip=310p os=ubuntu22.04 python=3.11 torch=2.8.0 torch_npu=2.8.0
    v0.13.0rc1 Dockerfile.310p.openEuler | vllm_ascend=v0.13.0rc1 vllm=v0.13.0 cann=8.3.rc2 chip=310p os=openeuler24.03 python=3.11 torch=2.8.0 torch_npu=2.8.0
    v0.13.0rc1 Dockerfile.a3 | vllm_ascend=v0.13.0rc1 vllm=v0.13.0 cann=8.3.rc2 chip=a3 os=ubuntu22.04 python=3.11 torch=2.8.0 torch_npu=2.8.0
    v0.13.0rc1 Dockerfile.a3.openEuler | vllm_ascend=v0.13.0rc1 vllm=v0.13.0 cann=8.3.rc2 chip=a3 os=openeuler24.03 python=3.11 torch=2.8.0 torch_npu=2.8.0
    v0.13.0rc1 Dockerfile.openEuler | vllm_ascend=v0.13.0rc1 vllm=v0.13.0 cann=8.3.rc2 chip=910b os=openeuler24.03 python=3.11 torch=2.8.0 torch_npu=2.8.0
    v0.13.0rc2 Dockerfile | vllm_ascend=v0.13.0rc2 vllm=v0.13.0 cann=8.5.0 chip=910b os=ubuntu22.04 python=3.11 torch=2.8.0 torch_npu=2.8.0
    v0.13.0rc2 Dockerfile.310p | vllm_ascend=v0.13.0rc2 vllm=v0.13.0 cann=8.5.0 chip=310p os=ubuntu22.04 python=3.11 torch=2.8.0 torch_npu=2.8.0
    v0.13.0rc2 Dockerfile.310p.openEuler | vllm_ascend=v0.13.0rc2 vllm=v0.13.0 cann=8.5.0 chip=310p os=openeuler24.03 python=3.11 torch=2.8.0 torch_npu=2.8.0
    v0.13.0rc2 Dockerfile.a3 | vllm_ascend=v0.13.0rc2 vllm=v0.13.0 cann=8.5.0 chip=a3 os=ubuntu22.04 python=3.11 torch=2.8.0 torch_npu=2.8.0
    v0.13.0rc2 Dockerfile.a3.openEuler | vllm_ascend=v0.13.0rc2 vllm=v0.13.0 cann=8.5.0 chip=a3 os=openeuler24.03 python=3.11 torch=2.8.0 torch_npu=2.8.0
    v0.13.0rc2 Dockerfile.openEuler | vllm_ascend=v0.13.0rc2 vllm=v0.13.0 cann=8.5.0 chip=910b os=openeuler24.03 python=3.11 torch=2.8.0 torch_npu=2.8.0
    v0.13.0rc3 Dockerfile | vllm_ascend=v0.13.0rc3 vllm=v0.13.0 cann=8.5.1 chip=910b os=ubuntu22.04 python=3.11 torch=2.8.0 torch_npu=2.8.0.post2
    v0.13.0rc3 Dockerfile.310p | vllm_ascend=v0.13.0rc3 vllm=v0.13.0 cann=8.5.1 chip=310p os=ubuntu22.04 python=3.11 torch=2.8.0 torch_npu=2.8.0.post2
    v0.13.0rc3 Dockerfile.310p.openEuler | vllm_ascend=v0.13.0rc3 vllm=v0.13.0 cann=8.5.1 chip=310p os=openeuler24.03 python=3.11 torch=2.8.0 torch_npu=2.8.0.post2
    v0.13.0rc3 Dockerfile.a3 | vllm_ascend=v0.13.0rc3 vllm=v0.13.0 cann=8.5.1 chip=a3 os=ubuntu22.04 python=3.11 torch=2.8.0 torch_npu=2.8.0.post2
    v0.13.0rc3 Dockerfile.a3.openEuler | vllm_ascend=v0.13.0rc3 vllm=v0.13.0 cann=8.5.1 chip=a3 os=openeuler24.03 python=3.11 torch=2.8.0 torch_npu=2.8.0.post2
    v0.13.0rc3 Dockerfile.openEuler | vllm_ascend=v0.13.0rc3 vllm=v0.13.0 cann=8.5.1 chip=910b os=openeuler24.03 python=3.11 torch=2.8.0 torch_npu=2.8.0.post2
    v0.14.0rc1 Dockerfile | vllm_ascend=v0.14.0rc1 vllm=v0.14.1 cann=8.5.0 chip=910b os=ubuntu22.04 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.14.0rc1 Dockerfile.310p | vllm_ascend=v0.14.0rc1 vllm=v0.14.1 cann=8.5.0 chip=310p os=ubuntu22.04 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.14.0rc1 Dockerfile.310p.openEuler | vllm_ascend=v0.14.0rc1 vllm=v0.14.1 cann=8.5.0 chip=310p os=openeuler24.03 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.14.0rc1 Dockerfile.a3 | vllm_ascend=v0.14.0rc1 vllm=v0.14.1 cann=8.5.0 chip=a3 os=ubuntu22.04 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.14.0rc1 Dockerfile.a3.openEuler | vllm_ascend=v0.14.0rc1 vllm=v0.14.1 cann=8.5.0 chip=a3 os=openeuler24.03 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.14.0rc1 Dockerfile.openEuler | vllm_ascend=v0.14.0rc1 vllm=v0.14.1 cann=8.5.0 chip=910b os=openeuler24.03 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.15.0rc1 Dockerfile | vllm_ascend=v0.15.0rc1 vllm=v0.15.0 cann=8.5.0 chip=910b os=ubuntu22.04 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.15.0rc1 Dockerfile.310p | vllm_ascend=v0.15.0rc1 vllm=v0.15.0 cann=8.5.0 chip=310p os=ubuntu22.04 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.15.0rc1 Dockerfile.310p.openEuler | vllm_ascend=v0.15.0rc1 vllm=v0.15.0 cann=8.5.0 chip=310p os=openeuler24.03 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.15.0rc1 Dockerfile.a3 | vllm_ascend=v0.15.0rc1 vllm=v0.15.0 cann=8.5.0 chip=a3 os=ubuntu22.04 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.15.0rc1 Dockerfile.a3.openEuler | vllm_ascend=v0.15.0rc1 vllm=v0.15.0 cann=8.5.0 chip=a3 os=openeuler24.03 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.15.0rc1 Dockerfile.openEuler | vllm_ascend=v0.15.0rc1 vllm=v0.15.0 cann=8.5.0 chip=910b os=openeuler24.03 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.16.0rc1 Dockerfile | vllm_ascend=v0.16.0rc1 vllm=v0.16.0 cann=8.5.1 chip=910b os=ubuntu22.04 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.16.0rc1 Dockerfile.310p | vllm_ascend=v0.16.0rc1 vllm=v0.16.0 cann=8.5.1 chip=310p os=ubuntu22.04 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.16.0rc1 Dockerfile.310p.openEuler | vllm_ascend=v0.16.0rc1 vllm=v0.16.0 cann=8.5.1 chip=310p os=openeuler24.03 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.16.0rc1 Dockerfile.a3 | vllm_ascend=v0.16.0rc1 vllm=v0.16.0 cann=8.5.1 chip=a3 os=ubuntu22.04 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.16.0rc1 Dockerfile.a3.openEuler | vllm_ascend=v0.16.0rc1 vllm=v0.16.0 cann=8.5.1 chip=a3 os=openeuler24.03 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.16.0rc1 Dockerfile.openEuler | vllm_ascend=v0.16.0rc1 vllm=v0.16.0 cann=8.5.1 chip=910b os=openeuler24.03 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.17.0rc1 Dockerfile | vllm_ascend=v0.17.0rc1 vllm=v0.17.0 cann=8.5.1 chip=910b os=ubuntu22.04 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.17.0rc1 Dockerfile.310p | vllm_ascend=v0.17.0rc1 vllm=v0.17.0 cann=8.5.1 chip=310p os=ubuntu22.04 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.17.0rc1 Dockerfile.310p.openEuler | vllm_ascend=v0.17.0rc1 vllm=v0.17.0 cann=8.5.1 chip=310p os=openeuler24.03 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.17.0rc1 Dockerfile.a3 | vllm_ascend=v0.17.0rc1 vllm=v0.17.0 cann=8.5.1 chip=a3 os=ubuntu22.04 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.17.0rc1 Dockerfile.a3.openEuler | vllm_ascend=v0.17.0rc1 vllm=v0.17.0 cann=8.5.1 chip=a3 os=openeuler24.03 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.17.0rc1 Dockerfile.openEuler | vllm_ascend=v0.17.0rc1 vllm=v0.17.0 cann=8.5.1 chip=910b os=openeuler24.03 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.18.0 Dockerfile | vllm_ascend=v0.18.0 vllm=v0.18.0 cann=8.5.1 chip=910b os=ubuntu22.04 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.18.0 Dockerfile.310p | vllm_ascend=v0.18.0 vllm=v0.18.0 cann=8.5.1 chip=310p os=ubuntu22.04 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.18.0 Dockerfile.310p.openEuler | vllm_ascend=v0.18.0 vllm=v0.18.0 cann=8.5.1 chip=310p os=openeuler24.03 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.18.0 Dockerfile.a3 | vllm_ascend=v0.18.0 vllm=v0.18.0 cann=8.5.1 chip=a3 os=ubuntu22.04 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.18.0 Dockerfile.a3.openEuler | vllm_ascend=v0.18.0 vllm=v0.18.0 cann=8.5.1 chip=a3 os=openeuler24.03 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.18.0 Dockerfile.openEuler | vllm_ascend=v0.18.0 vllm=v0.18.0 cann=8.5.1 chip=910b os=openeuler24.03 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.18.0rc1 Dockerfile | vllm_ascend=v0.18.0rc1 vllm=v0.18.0 cann=8.5.1 chip=910b os=ubuntu22.04 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.18.0rc1 Dockerfile.310p | vllm_ascend=v0.18.0rc1 vllm=v0.18.0 cann=8.5.1 chip=310p os=ubuntu22.04 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.18.0rc1 Dockerfile.310p.openEuler | vllm_ascend=v0.18.0rc1 vllm=v0.18.0 cann=8.5.1 chip=310p os=openeuler24.03 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.18.0rc1 Dockerfile.a3 | vllm_ascend=v0.18.0rc1 vllm=v0.18.0 cann=8.5.1 chip=a3 os=ubuntu22.04 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.18.0rc1 Dockerfile.a3.openEuler | vllm_ascend=v0.18.0rc1 vllm=v0.18.0 cann=8.5.1 chip=a3 os=openeuler24.03 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.18.0rc1 Dockerfile.openEuler | vllm_ascend=v0.18.0rc1 vllm=v0.18.0 cann=8.5.1 chip=910b os=openeuler24.03 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.19.1rc1 Dockerfile | vllm_ascend=v0.19.1rc1 vllm=v0.19.1 cann=8.5.1 chip=910b os=ubuntu22.04 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.19.1rc1 Dockerfile.310p | vllm_ascend=v0.19.1rc1 vllm=v0.19.1 cann=8.5.1 chip=310p os=ubuntu22.04 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.19.1rc1 Dockerfile.310p.openEuler | vllm_ascend=v0.19.1rc1 vllm=v0.19.1 cann=8.5.1 chip=310p os=openeuler24.03 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.19.1rc1 Dockerfile.a3 | vllm_ascend=v0.19.1rc1 vllm=v0.19.1 cann=8.5.1 chip=a3 os=ubuntu22.04 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.19.1rc1 Dockerfile.a3.openEuler | vllm_ascend=v0.19.1rc1 vllm=v0.19.1 cann=8.5.1 chip=a3 os=openeuler24.03 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.19.1rc1 Dockerfile.openEuler | vllm_ascend=v0.19.1rc1 vllm=v0.19.1 cann=8.5.1 chip=910b os=openeuler24.03 python=3.11 torch=2.9.0 torch_npu=2.9.0
    v0.20.2rc1 Dockerfile | vllm_ascend=v0.20.2rc1 vllm=v0.20.2 cann=9.0.0 chip=910b os=ubuntu22.04 python=3.11 torch=2.10.0 torch_npu=2.10.0
    v0.20.2rc1 Dockerfile.310p | vllm_ascend=v0.20.2rc1 vllm=v0.20.2 cann=9.1.0-beta.1 chip=310p os=ubuntu22.04 python=3.11 torch=2.10.0 torch_npu=2.10.0
    v0.20.2rc1 Dockerfile.310p.openEuler | vllm_ascend=v0.20.2rc1 vllm=v0.20.2 cann=9.1.0-beta.1 chip=310p os=openeuler24.03 python=3.11 torch=2.10.0 torch_npu=2.10.0
    v0.20.2rc1 Dockerfile.a3 | vllm_ascend=v0.20.2rc1 vllm=v0.20.2 cann=9.0.0 chip=a3 os=ubuntu22.04 python=3.11 torch=2.10.0 torch_npu=2.10.0
    v0.20.2rc1 Dockerfile.a3.openEuler | vllm_ascend=v0.20.2rc1 vllm=v0.20.2 cann=9.0.0 chip=a3 os=openeuler24.03 python=3.11 torch=2.10.0 torch_npu=2.10.0
    v0.20.2rc1 Dockerfile.openEuler | vllm_ascend=v0.20.2rc1 vllm=v0.20.2 cann=9.0.0 chip=910b os=openeuler24.03 python=3.11 torch=2.10.0 torch_npu=2.10.0
    v0.21.0rc1 Dockerfile | vllm_ascend=v0.21.0rc1 vllm=v0.21.0 cann=9.0.0 chip=910b os=ubuntu22.04 python=3.12 torch=2.10.0 torch_npu=2.10.0
    v0.21.0rc1 Dockerfile.310p | vllm_ascend=v0.21.0rc1 vllm=v0.21.0 cann=9.1.0-beta.1 chip=310p os=ubuntu22.04 python=3.12 torch=2.10.0 torch_npu=2.10.0
    v0.21.0rc1 Dockerfile.310p.openEuler | vllm_ascend=v0.21.0rc1 vllm=v0.21.0 cann=9.1.0-beta.1 chip=310p os=openeuler24.03 python=3.12 torch=2.10.0 torch_npu=2.10.0
    v0.21.0rc1 Dockerfile.a3 | vllm_ascend=v0.21.0rc1 vllm=v0.21.0 cann=9.0.0 chip=a3 os=ubuntu22.04 python=3.12 torch=2.10.0 torch_npu=2.10.0
    v0.21.0rc1 Dockerfile.a3.openEuler | vllm_ascend=v0.21.0rc1 vllm=v0.21.0 cann=9.0.0 chip=a3 os=openeuler24.03 python=3.12 torch=2.10.0 torch_npu=2.10.0
    v0.21.0rc1 Dockerfile.a5 | vllm_ascend=v0.21.0rc1 vllm=v0.21.0 cann=9.0.0 chip=950 os=ubuntu22.04 python=3.12 torch=2.10.0 torch_npu=2.10.0
    v0.21.0rc1 Dockerfile.a5.openEuler | vllm_ascend=v0.21.0rc1 vllm=v0.21.0 cann=9.0.0 chip=950 os=openeuler24.03 python=3.12 torch=2.10.0 torch_npu=2.10.0
    v0.21.0rc1 Dockerfile.openEuler | vllm_ascend=v0.21.0rc1 vllm=v0.21.0 cann=9.0.0 chip=910b os=openeuler24.03 python=3.12 torch=2.10.0 torch_npu=2.10.0
    v0.22.1rc1 Dockerfile | vllm_ascend=v0.22.1rc1 vllm=v0.22.1 cann=9.0.0 chip=910b os=ubuntu22.04 python=3.12 torch=2.10.0 torch_npu=2.10.0
    v0.22.1rc1 Dockerfile.310p | vllm_ascend=v0.22.1rc1 vllm=v0.22.1 cann=9.1.0-beta.1 chip=310p os=ubuntu22.04 python=3.12 torch=2.10.0 torch_npu=2.10.0
    v0.22.1rc1 Dockerfile.310p.openEuler | vllm_ascend=v0.22.1rc1 vllm=v0.22.1 cann=9.1.0-beta.1 chip=310p os=openeuler24.03 python=3.12 torch=2.10.0 torch_npu=2.10.0
    v0.22.1rc1 Dockerfile.a3 | vllm_ascend=v0.22.1rc1 vllm=v0.22.1 cann=9.0.0 chip=a3 os=ubuntu22.04 python=3.12 torch=2.10.0 torch_npu=2.10.0
    v0.22.1rc1 Dockerfile.a3.openEuler | vllm_ascend=v0.22.1rc1 vllm=v0.22.1 cann=9.0.0 chip=a3 os=openeuler24.03 python=3.12 torch=2.10.0 torch_npu=2.10.0
    v0.22.1rc1 Dockerfile.a5 | vllm_ascend=v0.22.1rc1 vllm=v0.22.1 cann=9.0.0 chip=950 os=ubuntu22.04 python=3.12 torch=2.10.0 torch_npu=2.10.0
    v0.22.1rc1 Dockerfile.a5.openEuler | vllm_ascend=v0.22.1rc1 vllm=v0.22.1 cann=9.0.0 chip=950 os=openeuler24.03 python=3.12 torch=2.10.0 torch_npu=2.10.0
    v0.22.1rc1 Dockerfile.openEuler | vllm_ascend=v0.22.1rc1 vllm=v0.22.1 cann=9.0.0 chip=910b os=openeuler24.03 python=3.12 torch=2.10.0 torch_npu=2.10.0
    v0.23.0 Dockerfile | vllm_ascend=v0.23.0 vllm=v0.23.0 cann=9.1.0 chip=910b os=ubuntu22.04 python=3.12 torch=2.10.0 torch_npu=2.10.0.post4
    v0.23.0 Dockerfile.310p | vllm_ascend=v0.23.0 vllm=v0.23.0 cann=9.1.0 chip=310p os=ubuntu22.04 python=3.12 torch=2.10.0 torch_npu=2.10.0.post4
    v0.23.0 Dockerfile.310p.openEuler | vllm_ascend=v0.23.0 vllm=v0.23.0 cann=9.1.0 chip=310p os=openeuler24.03 python=3.12 torch=2.10.0 torch_npu=2.10.0.post4
    v0.23.0 Dockerfile.a3 | vllm_ascend=v0.23.0 vllm=v0.23.0 cann=9.1.0 chip=a3 os=ubuntu22.04 python=3.12 torch=2.10.0 torch_npu=2.10.0.post4
    v0.23.0 Dockerfile.a3.openEuler | vllm_ascend=v0.23.0 vllm=v0.23.0 cann=9.1.0 chip=a3 os=openeuler24.03 python=3.12 torch=2.10.0 torch_npu=2.10.0.post4
    v0.23.0 Dockerfile.a5 | vllm_ascend=v0.23.0 vllm=v0.23.0 cann=9.1.0 chip=950 os=ubuntu22.04 python=3.12 torch=2.10.0 torch_npu=2.10.0.post4
    v0.23.0 Dockerfile.a5.openEuler | vllm_ascend=v0.23.0 vllm=v0.23.0 cann=9.1.0 chip=950 os=openeuler24.03 python=3.12 torch=2.10.0 torch_npu=2.10.0.post4
    v0.23.0 Dockerfile.openEuler | vllm_ascend=v0.23.0 vllm=v0.23.0 cann=9.1.0 chip=910b os=openeuler24.03 python=3.12 torch=2.10.0 torch_npu=2.10.0.post4
    v0.23.0rc1 Dockerfile | vllm_ascend=v0.23.0rc1 vllm=v0.23.0 cann=9.0.1 chip=910b os=ubuntu22.04 python=3.12 torch=2.10.0 torch_npu=2.10.0.post2
    v0.23.0rc1 Dockerfile.310p | vllm_ascend=v0.23.0rc1 vllm=v0.23.0 cann=9.1.0-beta.1 chip=310p os=ubuntu22.04 python=3.12 torch=2.10.0 torch_npu=2.10.0.post2
    v0.23.0rc1 Dockerfile.310p.openEuler | vllm_ascend=v0.23.0rc1 vllm=v0.23.0 cann=9.1.0-beta.1 chip=310p os=openeuler24.03 python=3.12 torch=2.10.0 torch_npu=2.10.0.post2
    v0.23.0rc1 Dockerfile.a3 | vllm_ascend=v0.23.0rc1 vllm=v0.23.0 cann=9.0.1 chip=a3 os=ubuntu22.04 python=3.12 torch=2.10.0 torch_npu=2.10.0.post2
    v0.23.0rc1 Dockerfile.a3.openEuler | vllm_ascend=v0.23.0rc1 vllm=v0.23.0 cann=9.0.1 chip=a3 os=openeuler24.03 python=3.12 torch=2.10.0 torch_npu=2.10.0.post2
    v0.23.0rc1 Dockerfile.a5 | vllm_ascend=v0.23.0rc1 vllm=v0.23.0 cann=9.0.1 chip=950 os=ubuntu22.04 python=3.12 torch=2.10.0 torch_npu=2.10.0.post2
    v0.23.0rc1 Dockerfile.a5.openEuler | vllm_ascend=v0.23.0rc1 vllm=v0.23.0 cann=9.0.1 chip=950 os=openeuler24.03 python=3.12 torch=2.10.0 torch_npu=2.10.0.post2
    v0.23.0rc1 Dockerfile.openEuler | vllm_ascend=v0.23.0rc1 vllm=v0.23.0 cann=9.0.1 chip=910b os=openeuler24.03 python=3.12 torch=2.10.0 torch_npu=2.10.0.post2
    v0.24.0rc1 Dockerfile | vllm_ascend=v0.24.0rc1 vllm=v0.24.0 cann=9.0.1 chip=910b os=ubuntu22.04 python=3.12 torch=2.10.0 torch_npu=2.10.0.post2
    v0.24.0rc1 Dockerfile.310p | vllm_ascend=v0.24.0rc1 vllm=v0.24.0 cann=9.1.0-beta.1 chip=310p os=ubuntu22.04 python=3.12 torch=2.10.0 torch_npu=2.10.0.post2
    v0.24.0rc1 Dockerfile.310p.openEuler | vllm_ascend=v0.24.0rc1 vllm=v0.24.0 cann=9.1.0-beta.1 chip=310p os=openeuler24.03 python=3.12 torch=2.10.0 torch_npu=2.10.0.post2
    v0.24.0rc1 Dockerfile.a3 | vllm_ascend=v0.24.0rc1 vllm=v0.24.0 cann=9.0.1 chip=a3 os=ubuntu22.04 python=3.12 torch=2.10.0 torch_npu=2.10.0.post2
    v0.24.0rc1 Dockerfile.a3.openEuler | vllm_ascend=v0.24.0rc1 vllm=v0.24.0 cann=9.0.1 chip=a3 os=openeuler24.03 python=3.12 torch=2.10.0 torch_npu=2.10.0.post2
    v0.24.0rc1 Dockerfile.a5 | vllm_ascend=v0.24.0rc1 vllm=v0.24.0 cann=9.0.1 chip=950 os=ubuntu22.04 python=3.12 torch=2.10.0 torch_npu=2.10.0.post2
    v0.24.0rc1 Dockerfile.a5.openEuler | vllm_ascend=v0.24.0rc1 vllm=v0.24.0 cann=9.0.1 chip=950 os=openeuler24.03 python=3.12 torch=2.10.0 torch_npu=2.10.0.post2
    v0.24.0rc1 Dockerfile.openEuler | vllm_ascend=v0.24.0rc1 vllm=v0.24.0 cann=9.0.1 chip=910b os=openeuler24.03 python=3.12 torch=2.10.0 torch_npu=2.10.0.post2
    v0.25.1rc1 Dockerfile | vllm_ascend=v0.25.1rc1 vllm=v0.25.1 cann=9.0.1 chip=910b os=ubuntu22.04 python=3.12 torch=2.10.0 torch_npu=2.10.0.post2
    v0.25.1rc1 Dockerfile.310p | vllm_ascend=v0.25.1rc1 vllm=v0.25.1 cann=9.1.0-beta.1 chip=310p os=ubuntu22.04 python=3.12 torch=2.10.0 torch_npu=2.10.0.post2
    v0.25.1rc1 Dockerfile.310p.openEuler | vllm_ascend=v0.25.1rc1 vllm=v0.25.1 cann=9.1.0-beta.1 chip=310p os=openeuler24.03 python=3.12 torch=2.10.0 torch_npu=2.10.0.post2
    v0.25.1rc1 Dockerfile.a3 | vllm_ascend=v0.25.1rc1 vllm=v0.25.1 cann=9.0.1 chip=a3 os=ubuntu22.04 python=3.12 torch=2.10.0 torch_npu=2.10.0.post2
    v0.25.1rc1 Dockerfile.a3.openEuler | vllm_ascend=v0.25.1rc1 vllm=v0.25.1 cann=9.0.1 chip=a3 os=openeuler24.03 python=3.12 torch=2.10.0 torch_npu=2.10.0.post2
    v0.25.1rc1 Dockerfile.a5 | vllm_ascend=v0.25.1rc1 vllm=v0.25.1 cann=9.0.1 chip=950 os=ubuntu22.04 python=3.12 torch=2.10.0 torch_npu=2.10.0.post2
    v0.25.1rc1 Dockerfile.a5.openEuler | vllm_ascend=v0.25.1rc1 vllm=v0.25.1 cann=9.0.1 chip=950 os=openeuler24.03 python=3.12 torch=2.10.0 torch_npu=2.10.0.post2
    v0.25.1rc1 Dockerfile.openEuler | vllm_ascend=v0.25.1rc1 vllm=v0.25.1 cann=9.0.1 chip=910b os=openeuler24.03 python=3.12 torch=2.10.0 torch_npu=2.10.0.post2
";

#[test]
fn every_vllm_ascend_release_on_its_own_documented_stack_is_clean() {
    let cases = VLLM_ASCEND_RELEASES
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .flat_map(|line| {
            let (what, spec) = line.split_once('|').expect("line has |");
            ["aarch64", "x86_64"].map(|arch| (what.trim(), format!("{} arch={arch}", spec.trim())))
        });
    let n = assert_clean(cases);
    assert!(n >= 400, "{n} stacks");
}

/// The four stacks of the source project's users that the catalog encodes (DESIGN §8), as the
/// catalog's images put them together (each image's stack over its parents').
const USER_STACKS: &[(&str, &str)] = &[
    (
        "verl on CANN 8.2.RC1 (seed 1)",
        "python=3.11 cann=8.2.RC1 chip=910b torch=2.5.1 torch_npu=2.5.1.post1 torchvision=0.20.1 vllm=0.9.1 vllm_ascend=0.9.1 megatron=core_v0.12.1 mindspeed=f2b0977e verl=d7944c01",
    ),
    (
        "verl on CANN 8.2.RC1, A3",
        "python=3.11 cann=8.2.RC1 chip=a3 torch=2.5.1 torch_npu=2.5.1.post1 torchvision=0.20.1 vllm=0.9.1 vllm_ascend=0.9.1 megatron=core_v0.12.1 mindspeed=f2b0977e verl=d7944c01",
    ),
    (
        "MindSpeed-RL verl_npu on CANN 8.3.RC1 (seed 3)",
        "python=3.10 cann=8.3.RC1 chip=910b torch=2.7.1 torch_npu=2.7.1 torchvision=0.22.1 vllm=0.10.1@38217877aa70041c0115ee367b75197af9cbc5ad vllm_ascend=0.10.0@1de16ead8eecfec8903ec1b330b27a4fa2593c35 transformers=8365f70e925 mindspeed=1cdd0abd75e40936ad31721c092f57c695dd72c4 megatron=core_v0.12.1 verl=796871d7d092f7cbc6a64e7f4a3796f7a2217f5e verl_npu=2.3.0",
    ),
    (
        "MindSpeed-RL vLLM layer alone (no verl_npu yet)",
        "python=3.10 cann=8.3.RC1 chip=a3 torch=2.7.1 torch_npu=2.7.1 torchvision=0.22.1 vllm=0.10.1@38217877aa70041c0115ee367b75197af9cbc5ad vllm_ascend=0.10.0@1de16ead8eecfec8903ec1b330b27a4fa2593c35",
    ),
    (
        "AutoDL vLLM 0.7.3 + vllm-ascend 0.7.3rc1 on 910B2 (seed 4)",
        "python=3.10 cann=8.0.0 chip=910B2 torch=2.5.1 torch_npu=2.5.1 torchvision=0.20.1 vllm=0.7.3 vllm_ascend=0.7.3rc1",
    ),
    (
        "AutoDL with the release matrix's dev wheel",
        "python=3.10 cann=8.0.0 chip=910b torch=2.5.1+cpu torch_npu=2.5.1.dev20250308 vllm=v0.7.3 vllm_ascend=v0.7.3rc1",
    ),
    (
        "ModelArts MindSpore 1.8.1 on CANN 5.1.RC2 (seed 5)",
        "python=3.9 cann=5.1.RC2 chip=910 mindspore=1.8.1",
    ),
];

#[test]
fn the_users_stacks_are_clean() {
    let cases = USER_STACKS.iter().flat_map(|(what, spec)| {
        ["aarch64", "x86_64"].map(|arch| (*what, format!("{spec} arch={arch}")))
    });
    assert_clean(cases);
}
