//! `adf graph` output: Mermaid, Graphviz DOT and JSON, with node roles computed from edges.

use crate::graph::Role;
use crate::model::Project;
use serde::Serialize;
use std::collections::HashSet;

#[derive(Serialize)]
struct JsonNode<'a> {
    name: &'a str,
    tags: Vec<&'a str>,
    role: Role,
}

#[derive(Serialize)]
struct JsonEdge<'a> {
    from: &'a str,
    to: &'a str,
}

fn selected_nodes(p: &Project, selected: &[bool]) -> Vec<usize> {
    (0..p.images.len()).filter(|&i| selected[i]).collect()
}

/// Parent → child edges among selected nodes, in file order of the child.
fn edges(p: &Project, selected: &[bool]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for child in selected_nodes(p, selected) {
        for &parent in p.dag.parents(child) {
            if selected[parent] {
                out.push((parent, child));
            }
        }
    }
    out
}

pub fn json(p: &Project, selected: &[bool]) -> serde_json::Value {
    let nodes: Vec<JsonNode> = selected_nodes(p, selected)
        .into_iter()
        .map(|i| JsonNode {
            name: &p.images[i].name,
            tags: p.images[i].tags().collect(),
            role: p.dag.role(i, selected),
        })
        .collect();
    let edges: Vec<JsonEdge> = edges(p, selected)
        .into_iter()
        .map(|(a, b)| JsonEdge {
            from: &p.images[a].name,
            to: &p.images[b].name,
        })
        .collect();
    serde_json::json!({ "nodes": nodes, "edges": edges })
}

/// Mermaid ids are restricted (no dots, no reserved words like `end`): `img_` + the name with
/// every other character as `_`, de-duplicated with a numeric suffix.
fn mermaid_ids(p: &Project, nodes: &[usize]) -> Vec<String> {
    let mut used = HashSet::new();
    let mut ids = vec![String::new(); p.images.len()];
    for &i in nodes {
        let base: String = p.images[i]
            .name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let mut id = format!("img_{base}");
        let mut n = 2;
        while !used.insert(id.clone()) {
            id = format!("img_{base}_{n}");
            n += 1;
        }
        ids[i] = id;
    }
    ids
}

const STYLES: [(Role, &str, &str); 3] = [
    (Role::Root, "root", "fill:#e1f5fe,stroke:#0277bd"),
    (
        Role::Intermediate,
        "intermediate",
        "fill:#f3e5f5,stroke:#6a1b9a",
    ),
    (Role::Leaf, "leaf", "fill:#e8f5e8,stroke:#2e7d32"),
];

pub fn mermaid(p: &Project, selected: &[bool]) -> String {
    let nodes = selected_nodes(p, selected);
    let ids = mermaid_ids(p, &nodes);
    let mut out = String::from("flowchart TD\n");
    for &i in &nodes {
        let label = p.images[i].name.replace('"', "#quot;");
        out.push_str(&format!("    {}[\"{label}\"]\n", ids[i]));
    }
    for (a, b) in edges(p, selected) {
        out.push_str(&format!("    {} --> {}\n", ids[a], ids[b]));
    }
    for (role, class, style) in STYLES {
        let members: Vec<&str> = nodes
            .iter()
            .filter(|&&i| p.dag.role(i, selected) == role)
            .map(|&i| ids[i].as_str())
            .collect();
        if !members.is_empty() {
            out.push_str(&format!(
                "    classDef {class} {style}\n    class {} {class}\n",
                members.join(",")
            ));
        }
    }
    out
}

fn dot_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

pub fn dot(p: &Project, selected: &[bool]) -> String {
    let mut out = String::from(
        "digraph images {\n    rankdir=TB;\n    node [shape=box, style=\"rounded,filled\"];\n",
    );
    for i in selected_nodes(p, selected) {
        let role = p.dag.role(i, selected);
        let color = match role {
            Role::Root => "#e1f5fe",
            Role::Intermediate => "#f3e5f5",
            Role::Leaf => "#e8f5e8",
        };
        let tags: Vec<&str> = p.images[i].tags().collect();
        out.push_str(&format!(
            "    {} [fillcolor={}, tooltip={}, class={}];\n",
            dot_quote(&p.images[i].name),
            dot_quote(color),
            dot_quote(&tags.join(", ")),
            dot_quote(match role {
                Role::Root => "root",
                Role::Intermediate => "intermediate",
                Role::Leaf => "leaf",
            })
        ));
    }
    for (a, b) in edges(p, selected) {
        out.push_str(&format!(
            "    {} -> {};\n",
            dot_quote(&p.images[a].name),
            dot_quote(&p.images[b].name)
        ));
    }
    out.push_str("}\n");
    out
}
