//! The project from a read config: each image typed (its build spec, installers, verify
//! checks), its parents resolved, the base-image arg injected, then every check run.

use super::{build_flags, platform, spec, validate};
use super::{Image, Installer, Project, VerifyCheck};
use crate::config::{self, Config, RawInstaller, RawVerify, Str};
use crate::diag::{Diagnostics, Sources};
use crate::graph::Dag;
use std::collections::HashMap;

fn installer(raw: RawInstaller) -> Installer {
    Installer {
        path: raw.path,
        sha256: raw.sha256,
        url: raw.url.map(|u| u.value),
        hint: raw.hint.map(|h| h.value),
        allow_outside: raw.allow_outside,
    }
}

fn verify_check(raw: RawVerify) -> VerifyCheck {
    VerifyCheck {
        name: raw.name.map(|n| n.value),
        run: raw.run.value,
        expect: raw.expect,
    }
}

/// Types the config and runs every check. The project is returned even when errors were
/// reported (so `check` can say everything at once); callers decide whether to go on. A
/// Dockerfile a diagnostic points into is added to `sources`.
pub fn build(cfg: Config, sources: &mut Sources, diags: &mut Diagnostics) -> Project {
    let top_base_arg = cfg
        .base_arg
        .as_ref()
        .map(|b| b.value.clone())
        .unwrap_or_else(|| config::DEFAULT_BASE_ARG.to_string());
    let file_flags: Vec<String> = cfg.build_flags.iter().map(|f| f.value.clone()).collect();
    let image_flags = cfg.images.iter().flat_map(|e| &e.image.build_flags);
    build_flags::check_flags(cfg.build_flags.iter().chain(image_flags), diags);
    let mut by_name = HashMap::with_capacity(cfg.images.len());
    let mut images = Vec::with_capacity(cfg.images.len());
    for expanded in cfg.images {
        let config::Expanded {
            image: decl,
            matrix,
            platform,
            platforms: variants,
        } = expanded;
        let suffix = (variants >= 2)
            .then(|| platform.as_deref().map(platform::suffix))
            .flatten();
        let name = match &suffix {
            Some(s) => format!("{}@{s}", decl.key.value),
            None => decl.key.value.clone(),
        };
        if by_name.contains_key(&name) {
            continue; // reported by matrix expansion
        }
        let tags: Vec<Str> = match &suffix {
            Some(s) => decl
                .tags
                .iter()
                .map(|t| Str::new(platform::variant_tag(&t.value, s), t.span))
                .collect(),
            None => decl.tags.clone(),
        };
        let image_flags: Vec<String> = decl.build_flags.iter().map(|f| f.value.clone()).collect();
        let (spec, spans) = spec::from_raw(
            &decl.build,
            decl.runtime_deps.as_ref(),
            &image_flags,
            &file_flags,
            &cfg.secrets,
            &cfg.dir,
            decl.key.span,
        );
        let base_arg = decl
            .base_arg
            .as_ref()
            .map(|b| b.value.clone())
            .unwrap_or_else(|| top_base_arg.clone());
        let written_base = decl
            .build
            .args
            .iter()
            .find(|(k, _)| k.value == base_arg)
            .cloned();
        let image = Image {
            name,
            name_span: decl.key.span,
            family: decl.key.value.clone(),
            platform,
            variants,
            matrix,
            depends_on: decl.depends_on,
            parents: Vec::new(),
            tags,
            published_tags: decl.tags,
            base_arg,
            written_base,
            spec,
            spans,
            stack: decl.stack,
            installers: decl.installers.into_iter().map(installer).collect(),
            verify: decl.verify.into_iter().map(verify_check).collect(),
            description: decl.description.map(|d| d.value),
            runtime_deps_span: decl.runtime_deps.as_ref().map(|d| d.span),
            allow_outside: decl.allow_outside.is_some_and(|a| a.value),
        };
        by_name.insert(image.name.clone(), images.len());
        images.push(image);
    }
    let families = platform::families(&images);
    platform::check_tags(&images, &families, diags);
    let parents = platform::resolve_parents(&images, &families, diags);
    for (img, parents) in images.iter_mut().zip(parents) {
        img.parents = parents;
    }
    inject_bases(&mut images);
    let dag = Dag::new(images.iter().map(|i| i.parents.clone()).collect());
    let secrets = cfg
        .secrets
        .iter()
        .map(|s| spec::BuildSecret {
            id: s.id.value.clone(),
            source: spec::secret_source(s, &cfg.dir),
        })
        .collect();
    let project = Project {
        path: cfg.path,
        dir: cfg.dir,
        file: cfg.file,
        images,
        by_name,
        families,
        dag,
        secret_ids: cfg.secrets.iter().map(|s| s.id.value.clone()).collect(),
        arch: cfg.arch,
        compat_rules: cfg.compat_rules,
        registry: cfg.registry,
        variables: cfg.variables,
        base_arg: cfg.base_arg.map(|b| b.value),
        secrets,
    };
    validate::run(&project, sources, diags);
    project
}

/// One source of truth for the base image: an image with a parent builds FROM the parent's
/// primary tag, passed as its base arg (a different written value is `base-drift`).
fn inject_bases(images: &mut [Image]) {
    let bases: Vec<Option<String>> = images
        .iter()
        .map(|img| {
            img.parents
                .first()
                .and_then(|&p| images[p].primary_tag())
                .map(str::to_string)
        })
        .collect();
    for (img, base) in images.iter_mut().zip(bases) {
        if let Some(tag) = base {
            img.spec.args.insert(img.base_arg.clone(), tag);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{self, VarSources};
    use crate::diag::{Diagnostics, Sources};

    fn load(yaml: &str) -> (super::Project, Diagnostics) {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("Dockerfile"),
            "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n",
        )
        .expect("write");
        let path = dir.path().join("dockerfile-compose.yaml");
        std::fs::write(&path, yaml).expect("write");
        let mut diags = Diagnostics::default();
        let vars = VarSources::default();
        let mut sources = Sources::default();
        let cfg =
            config::load(&path, &mut sources, vars, "20240101000000", &mut diags).expect("loads");
        let project = super::build(cfg, &mut sources, &mut diags);
        (project, diags)
    }

    #[test]
    fn registry_and_build_caches_from_the_file() {
        let (p, diags) = load(
            r#"variables: {REG: "127.0.0.1:5000"}
registry: "${REG}/team"
cache_from: ["type=registry,ref=${REG}/cache/all:${DOCKER_ARCH}"]
cache_to: [type=inline]
images:
  a:
    build: {context: ., args: {BASE_IMAGE: "x/b:1"}, platforms: [linux/amd64, linux/arm64]}
    tags: [x/a:1]
  b:
    depends_on: [a]
    build:
      context: .
      platforms: [linux/amd64, linux/arm64]
      cache_from: ["type=local,src=/c/${ARCH}"]
      cache_to: ["type=registry,ref=${REG}/cache/b,mode=max"]
    tags: [x/b:2]
"#,
        );
        assert!(!diags.has_errors(), "{diags:?}");
        assert_eq!(
            p.registry.as_ref().map(|r| r.value.as_str()),
            Some("127.0.0.1:5000/team")
        );
        let spec = |name: &str| &p.images[p.find(name).expect(name)].spec;
        // the file's defaults, interpolated per platform, for images that set none
        assert_eq!(
            spec("a@arm64").cache_from,
            ["type=registry,ref=127.0.0.1:5000/cache/all:arm64"]
        );
        assert_eq!(spec("a@amd64").cache_to, ["type=inline"]);
        // an image's own keys win, each on its own
        assert_eq!(spec("b@arm64").cache_from, ["type=local,src=/c/aarch64"]);
        assert_eq!(
            spec("b@amd64").cache_to,
            ["type=registry,ref=127.0.0.1:5000/cache/b,mode=max"]
        );
    }

    #[test]
    fn a_registry_that_is_no_prefix_is_an_error_and_cache_keys_have_shapes() {
        let (_, diags) = load("registry: \"Reg.io/Team\"\nimages:\n  a:\n    build: {context: ., args: {BASE_IMAGE: \"x/b:1\"}}\n    tags: [x/a:1]\n");
        let codes: Vec<&str> = diags.sorted().iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes, ["bad-registry"]);
        let (_, diags) = load("cache_to: {a: b}\nimages:\n  a:\n    build: {context: ., cache_to: [{x: 1}], args: {BASE_IMAGE: \"x/b:1\"}}\n    tags: [x/a:1]\n");
        let codes: Vec<&str> = diags.sorted().iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes, ["wrong-type", "wrong-type"]);
    }
}
