//! `adf config`: the fully resolved file (variables, matrix and platform expansion, the
//! parent's tag under each base arg, defaults), as `docker compose config` and
//! `docker buildx bake --print` show theirs. YAML that adf reads back, or JSON.

use super::spec::{image_json, relative, secret_json};
use crate::model::Project;
use serde_json::{json, Map, Value};
use yaml_rust2::{yaml::Hash, Yaml, YamlEmitter};

/// The resolved file, for the `selected` images (all of them when every entry is true).
pub fn config_json(p: &Project, selected: &[bool]) -> Value {
    let mut top = Map::new();
    if !p.variables.is_empty() {
        let vars: Map<String, Value> = p
            .variables
            .iter()
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect();
        top.insert("variables".into(), Value::Object(vars));
    }
    if let Some(b) = &p.base_arg {
        top.insert("base_arg".into(), json!(b));
    }
    if let Some(r) = &p.registry {
        top.insert("registry".into(), json!(r.value));
    }
    if !p.secrets.is_empty() {
        let secrets: Map<String, Value> = p
            .secrets
            .iter()
            .map(|s| {
                let source = s
                    .source
                    .as_ref()
                    .map_or(Value::Null, |src| secret_json(src, &p.dir));
                (s.id.clone(), source)
            })
            .collect();
        top.insert("secrets".into(), Value::Object(secrets));
    }
    let rules: Vec<String> = p
        .compat_rules
        .iter()
        .map(|r| relative(&p.dir.join(&r.value), &p.dir))
        .collect();
    if !rules.is_empty() {
        top.insert("compat_rules".into(), json!(rules));
    }
    let images: Map<String, Value> = p
        .images
        .iter()
        .enumerate()
        .filter(|(i, _)| selected.get(*i).copied().unwrap_or(true))
        .map(|(_, img)| (img.name.clone(), image_json(p, img)))
        .collect();
    top.insert("images".into(), Value::Object(images));
    Value::Object(top)
}

fn to_yaml(v: &Value) -> Yaml {
    match v {
        Value::Null => Yaml::Null,
        Value::Bool(b) => Yaml::Boolean(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Yaml::Integer(i),
            None => Yaml::Real(n.to_string()),
        },
        Value::String(s) => Yaml::String(s.clone()),
        Value::Array(a) => Yaml::Array(a.iter().map(to_yaml).collect()),
        Value::Object(o) => {
            let mut h = Hash::new();
            for (k, v) in o {
                h.insert(Yaml::String(k.clone()), to_yaml(v));
            }
            Yaml::Hash(h)
        }
    }
}

/// YAML text of a JSON value (multi-line strings as literal blocks).
pub fn yaml_text(v: &Value) -> String {
    let mut out = String::new();
    let mut emitter = YamlEmitter::new(&mut out);
    emitter.multiline_strings(true);
    if emitter.dump(&to_yaml(v)).is_err() {
        return String::new();
    }
    let body = out.strip_prefix("---\n").unwrap_or(&out);
    format!("{body}\n")
}

#[cfg(test)]
mod tests {
    use super::yaml_text;
    use serde_json::json;

    #[test]
    fn yaml_quotes_what_would_read_back_differently() {
        let text = yaml_text(&json!({"a": "1", "b": "yes", "c": "x: y", "d": ["p"], "e": true}));
        assert_eq!(
            text,
            "a: \"1\"\nb: \"yes\"\nc: \"x: y\"\nd:\n  - p\ne: true\n"
        );
    }
}
