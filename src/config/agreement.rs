//! The JSON Schema of the file (catalog/adf.schema.json, printed by `adf schema`) names exactly
//! the keys the reader knows, section by section.

use super::schema::{
    BUILD_KEYS, IMAGE_KEYS, INSTALLER_KEYS, RUNTIME_DEPS_KEYS, SECRET_KEYS, TOP_KEYS, VERIFY_KEYS,
};
use serde_json::Value;

const SCHEMA: &str = include_str!("../../catalog/adf.schema.json");

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v["properties"]
        .as_object()
        .expect("properties")
        .keys()
        .cloned()
        .collect();
    k.sort();
    k
}

fn sorted(list: &[&str]) -> Vec<String> {
    let mut k: Vec<String> = list.iter().map(|s| s.to_string()).collect();
    k.sort();
    k
}

#[test]
fn the_schema_names_the_keys_the_reader_knows() {
    let schema: Value = serde_json::from_str(SCHEMA).expect("the schema is JSON");
    let defs = &schema["definitions"];
    assert_eq!(keys(&schema), sorted(TOP_KEYS), "top level");
    assert_eq!(keys(&defs["image"]), sorted(IMAGE_KEYS), "image");
    assert_eq!(keys(&defs["build"]), sorted(BUILD_KEYS), "build");
    assert_eq!(
        keys(&defs["installer"]),
        sorted(INSTALLER_KEYS),
        "installer"
    );
    assert_eq!(keys(&defs["verify"]), sorted(VERIFY_KEYS), "verify");
    assert_eq!(
        keys(&defs["runtime_deps"]),
        sorted(RUNTIME_DEPS_KEYS),
        "runtime_deps"
    );
    assert_eq!(keys(&defs["secret"]), sorted(SECRET_KEYS), "secret");
    // every object refuses other keys except x- extensions, as the reader does
    for v in [&schema, &defs["image"], &defs["build"], &defs["installer"]] {
        assert_eq!(v["additionalProperties"], Value::Bool(false));
        assert!(v["patternProperties"]["^x-"].is_object());
    }
}
