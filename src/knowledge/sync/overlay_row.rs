//! The overlay's release rows: one row as TOML, which components get an `unknown` CANN relation,
//! and the TOML quoting both use.

use std::collections::BTreeMap;

pub(super) fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// Components whose new releases say nothing about CANN on the index.
pub(super) fn cann_unknown_for(component: &str) -> bool {
    matches!(
        component,
        "torch_npu" | "vllm_ascend" | "mindspore" | "mindspeed" | "mindspeed_llm" | "mindspeed_rl"
    )
}

/// One release row of the overlay, as TOML.
pub(super) struct Row {
    pub(super) component: String,
    pub(super) version: String,
    pub(super) requires: BTreeMap<String, String>,
    pub(super) info: BTreeMap<String, String>,
    pub(super) unknown_cann: bool,
}

impl Row {
    pub(super) fn to_toml(&self) -> String {
        let table = |m: &BTreeMap<String, String>| {
            let items: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{} = {}", toml_key(k), toml_str(v)))
                .collect();
            format!("{{ {} }}", items.join(", "))
        };
        let mut s = format!(
            "[[release]]\ncomponent = {}\nversion = {}\n",
            toml_str(&self.component),
            toml_str(&self.version)
        );
        if !self.requires.is_empty() {
            s.push_str(&format!("requires = {}\n", table(&self.requires)));
        }
        if self.unknown_cann {
            s.push_str(&format!(
                "unknown = {{ cann = {} }}\n",
                toml_str("the package index lists this release but publishes no CANN pairing for it; see the project's release notes")
            ));
        }
        if !self.info.is_empty() {
            s.push_str(&format!("info = {}\n", table(&self.info)));
        }
        s.push_str("source = [\"SYNC\"]\n");
        s
    }
}

fn toml_key(k: &str) -> String {
    if k.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_string()
    } else {
        toml_str(k)
    }
}
