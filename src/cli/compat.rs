//! `adf compat`: questions to the compatibility knowledge.

use super::{print_json, TextFormat, EXIT_BAD_INPUT, EXIT_OK};
use crate::config::schema::reader::did_you_mean;
use crate::knowledge::{render_brief, render_text, KnowledgeBase, Query};
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct CompatArgs {
    /// vllm-ascend version, e.g. 0.9.1
    #[arg(long = "vllm-ascend", value_name = "V")]
    pub vllm_ascend: Option<String>,
    /// vLLM version
    #[arg(long, value_name = "V")]
    pub vllm: Option<String>,
    /// CANN version, e.g. 8.3.RC1
    #[arg(long, value_name = "V")]
    pub cann: Option<String>,
    /// torch_npu version
    #[arg(long = "torch-npu", value_name = "V")]
    pub torch_npu: Option<String>,
    /// PyTorch version
    #[arg(long, value_name = "V")]
    pub torch: Option<String>,
    /// Python version
    #[arg(long, value_name = "V")]
    pub python: Option<String>,
    /// MindSpore version
    #[arg(long, value_name = "V")]
    pub mindspore: Option<String>,
    /// MindSpeed version or branch
    #[arg(long, value_name = "V")]
    pub mindspeed: Option<String>,
    /// Chip: 910b, 310p, a3, ...
    #[arg(long, value_name = "CHIP")]
    pub chip: Option<String>,
    /// Other components as NAME=VERSION (megatron=core_v0.12.1, numpy=2.0.0, driver=24.1.0, ...)
    #[arg(value_name = "NAME=VERSION")]
    pub pairs: Vec<String>,
    /// Also load these rules files (same format as knowledge/compat.toml)
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,
    /// Check the given versions together as one stack instead of looking them up
    #[arg(long)]
    pub check: bool,
    /// The long form: every matching release, rule, fact and installer with notes and full
    /// citations (the default is the direct answer, one line per component)
    #[arg(long)]
    pub all: bool,
    #[arg(long, value_enum, default_value_t = TextFormat::Text)]
    pub format: TextFormat,
}

pub const COMPAT_HELP: &str = "\
Examples:
  adf compat --vllm-ascend 0.9.1             matching vLLM, CANN, torch, torch_npu, Python, numpy
  adf compat --torch-npu 2.7.1               its torch, CANN and Python
  adf compat --cann 8.3.RC1 --chip 910b      driver, torch_npu releases, installer names
  adf compat --cann 8.3.RC1 --all            the long form: every release, rule, fact, installer
  adf compat --check torch=2.7.1 torch_npu=2.5.1 cann=8.3.RC1
                                             judge a combination (exit 2 on a known conflict)
  adf compat --mindspore 1.8.1 --format json

Each line names the relation kind (requires, minimum, paired, compatible, unknown, conflicts) and
the ids of its public sources, listed at the end. The knowledge is knowledge/compat.toml, built
in, then the overlay of `adf knowledge sync`; `compat_rules:` in the config file, or --rules FILE
here, adds your own.";

pub fn run(a: CompatArgs) -> i32 {
    let mut words: Vec<String> = a.pairs.clone();
    for (name, v) in [
        ("vllm_ascend", &a.vllm_ascend),
        ("vllm", &a.vllm),
        ("cann", &a.cann),
        ("torch_npu", &a.torch_npu),
        ("torch", &a.torch),
        ("python", &a.python),
        ("mindspore", &a.mindspore),
        ("mindspeed", &a.mindspeed),
        ("chip", &a.chip),
    ] {
        if let Some(v) = v {
            words.push(format!("{name}={v}"));
        }
    }
    if words.is_empty() {
        eprintln!("adf: ask about at least one component, e.g. `adf compat --vllm-ascend 0.9.1` (see --help)");
        return EXIT_BAD_INPUT;
    }
    let query = match Query::parse_args(&words) {
        Ok(q) => q,
        Err(e) => {
            eprintln!("adf: {e}");
            return EXIT_BAD_INPUT;
        }
    };
    let mut kb = KnowledgeBase::current().clone();
    for r in &a.rules {
        if let Err(e) = kb.add_user_file(r) {
            eprintln!("adf: {e}");
            return EXIT_BAD_INPUT;
        }
    }
    let known = kb.component_names();
    for name in query.components.keys() {
        if !known.contains(name) {
            let hint = match did_you_mean(name, known.iter().map(String::as_str)) {
                Some(s) => format!("; did you mean `{s}`?"),
                None => format!(" (known: {})", known.join(", ")),
            };
            eprintln!("adf: unknown component `{name}`{hint}");
            return EXIT_BAD_INPUT;
        }
    }
    if a.check {
        let assessment = kb.assess(&query.components);
        let findings = &assessment.findings;
        let errors = findings
            .iter()
            .any(|f| f.severity == crate::diag::Severity::Error);
        match a.format {
            TextFormat::Json => print_json(
                &serde_json::json!({ "ok": !errors, "findings": findings, "notes": assessment.notes }),
            ),
            TextFormat::Text => {
                if findings.is_empty() {
                    println!("no known problem with this combination");
                }
                for f in findings {
                    let word = if f.severity == crate::diag::Severity::Error {
                        "error"
                    } else {
                        "warning"
                    };
                    println!(
                        "{word}[{}]: {}\n  help: {}\n  source: {}",
                        f.code, f.message, f.help, f.source
                    );
                }
                for n in &assessment.notes {
                    println!("note[{}]: {}\n  source: {}", n.code, n.message, n.source);
                }
            }
        }
        return if errors { EXIT_BAD_INPUT } else { EXIT_OK };
    }
    let answers = kb.query(&query);
    match a.format {
        TextFormat::Json => {
            print_json(&serde_json::json!({ "query": query.components, "answers": answers }))
        }
        TextFormat::Text if a.all => print!("{}", render_text(&answers)),
        TextFormat::Text => print!("{}", render_brief(&kb, &query)),
    }
    if answers.is_empty() {
        eprintln!("adf: the knowledge has nothing on {}", words.join(" "));
    }
    EXIT_OK
}
