//! Reading a knowledge file (TOML) into the in-memory model; every error names file and line.

mod entry_fields;

use entry_fields::{severity, Ctx};

use super::model::{
    norm_component, Arch, Chip, Constraint, Fact, Installer, KnowledgeBase, Release, Rule,
    SourceRef,
};
use super::schema::FileDef;
use super::version::Version;

fn line_of(text: &str, offset: usize) -> usize {
    Lines::new(text).line_of(offset)
}

/// Byte offsets of line starts, for `file:line` in messages (one pass over the text).
struct Lines(Vec<usize>);

impl Lines {
    fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Lines(starts)
    }

    /// 1-based line of a byte offset.
    fn line_of(&self, offset: usize) -> usize {
        match self.0.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }
}

/// Components compared as names rather than versions.
pub(crate) fn is_name_component(c: &str) -> bool {
    matches!(c, "chip" | "arch" | "os")
}

/// How a file's release rows join those already loaded.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Join {
    /// Rows are added: several rows for one version are alternative documented setups.
    Add,
    /// The synced overlay: a row for a version that already has rows adds its relations to each
    /// of them (both must hold); a row for a new version is added.
    Merge,
}

impl KnowledgeBase {
    /// Parse one knowledge file and add its contents; `name` is used in error messages.
    pub(crate) fn add_text(&mut self, name: &str, text: &str) -> Result<(), String> {
        self.add_text_joined(name, text, Join::Add).map(|_| ())
    }

    /// Parse one knowledge file; returns how many of its release rows were new versions.
    pub(crate) fn add_text_joined(
        &mut self,
        name: &str,
        text: &str,
        join: Join,
    ) -> Result<usize, String> {
        let file: FileDef = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(1);
            format!("{name}:{line}: {}", e.message().trim())
        })?;
        if file.schema != 1 {
            return Err(format!(
                "{name}:1: unsupported schema {} (this adf reads schema = 1)",
                file.schema
            ));
        }
        if self.snapshot.is_none() && join == Join::Add {
            if let Some(toml::Value::String(d)) = file.meta.get("snapshot") {
                self.snapshot = Some(d.clone());
            }
        }
        let mut new_rows = 0;
        let lines_of_sources = Lines::new(text);
        for s in file.sources {
            let at = format!("{name}:{}", lines_of_sources.line_of(s.span().start));
            let s = s.into_inner();
            if self.sources.contains_key(&s.id) {
                return Err(format!("{at}: source id `{}` is already defined", s.id));
            }
            let r = SourceRef {
                id: s.id.clone(),
                repo: s.repo,
                path: s.path,
                reference: s.reference,
                note: s.note,
            };
            self.sources.insert(s.id, r);
        }
        let lines = Lines::new(text);
        let ctx = |offset: usize| format!("{name}:{}", lines.line_of(offset));
        for c in file.chip {
            let cx = Ctx {
                kb: self,
                at: ctx(c.span().start),
            };
            let c = c.into_inner();
            let chip = Chip {
                name: c.name.to_ascii_lowercase(),
                family: c.family,
                marketing: c.marketing,
                socs: c.socs,
                aliases: c.aliases.iter().map(|a| a.to_ascii_lowercase()).collect(),
                vllm_ascend_type: c.vllm_ascend_type,
                note: c.note,
                source: cx.sources(c.source)?,
            };
            self.chips.push(chip);
        }
        for a in file.arch {
            let cx = Ctx {
                kb: self,
                at: ctx(a.span().start),
            };
            let a = a.into_inner();
            let arch = Arch {
                name: a.name.to_ascii_lowercase(),
                aliases: a.aliases.iter().map(|x| x.to_ascii_lowercase()).collect(),
                note: a.note,
                source: cx.sources(a.source)?,
            };
            self.archs.push(arch);
        }
        for r in file.release {
            let origin = ctx(r.span().start);
            let cx = Ctx {
                kb: self,
                at: origin,
            };
            let r = r.into_inner();
            let component = norm_component(&r.component);
            if component.is_empty() || r.version.trim().is_empty() {
                return Err(cx.err("release needs a non-empty `component` and `version`"));
            }
            let matcher = cx.spec(
                &component,
                r.matcher.as_deref().unwrap_or(&format!("=={}", r.version)),
            )?;
            let release = Release {
                version: r.version,
                matcher,
                variant: r.variant,
                requires: cx.constraints("requires", r.requires)?,
                minimum: cx.constraints("minimum", r.minimum)?,
                paired: cx.constraints("paired", r.paired)?,
                compatible: cx.constraints("compatible", r.compatible)?,
                conflicts: cx.constraints("conflicts", r.conflicts)?,
                unknown: cx.unknowns(r.unknown)?,
                info: r
                    .info
                    .into_iter()
                    .map(|(k, v)| (k, v.joined(", ")))
                    .collect(),
                note: r.note,
                source: cx.sources(r.source)?,
                component,
            };
            if join == Join::Merge && self.merge_release(&release) {
                continue;
            }
            new_rows += 1;
            self.releases.push(release);
        }
        for r in file.rule {
            let origin = ctx(r.span().start);
            let cx = Ctx {
                kb: self,
                at: origin,
            };
            let r = r.into_inner();
            if r.when.is_empty() {
                return Err(cx.err(format!("rule `{}` needs a non-empty `when`", r.id)));
            }
            let rule = Rule {
                when: cx.when(r.when)?,
                unless: cx.when(r.unless)?,
                needs: r.needs.iter().map(|c| norm_component(c)).collect(),
                requires: cx.constraints("requires", r.requires)?,
                conflicts: cx.constraints("conflicts", r.conflicts)?,
                severity: r
                    .severity
                    .map(|s| severity(&s))
                    .transpose()
                    .map_err(|e| cx.err(e))?,
                message: r.message,
                help: r.help,
                note: r.note,
                source: cx.sources(r.source)?,
                id: r.id,
            };
            self.rules.push(rule);
        }
        for i in file.installer {
            let origin = ctx(i.span().start);
            let cx = Ctx {
                kb: self,
                at: origin,
            };
            let i = i.into_inner();
            for ph in placeholders(&i.template).chain(i.url.iter().flat_map(|u| placeholders(u))) {
                if !matches!(ph, "version" | "arch" | "chip" | "file") {
                    return Err(cx.err(format!(
                        "unknown placeholder {{{ph}}} (use {{version}} {{arch}} {{chip}} {{file}})"
                    )));
                }
            }
            let version_of = norm_component(i.version_of.as_deref().unwrap_or("cann"));
            let applies = match version_of.as_str() {
                "cann" if i.driver.is_none() => i.cann,
                "driver" if i.cann.is_none() => i.driver,
                _ => return Err(cx.err("`version_of` must be \"cann\" (with `cann = spec`) or \"driver\" (with `driver = spec`)")),
            };
            let installer = Installer {
                component: norm_component(&i.component),
                chips: i.chips.iter().map(|c| c.to_ascii_lowercase()).collect(),
                archs: i.archs.iter().map(|c| c.to_ascii_lowercase()).collect(),
                applies: cx.spec(&version_of, applies.as_deref().unwrap_or("*"))?,
                version_of,
                template: i.template,
                url: i.url,
                order: i.order,
                flags: i.flags,
                available: i.available.unwrap_or(true),
                note: i.note,
                source: cx.sources(i.source)?,
            };
            self.installers.push(installer);
        }
        for f in file.fact {
            let origin = ctx(f.span().start);
            let cx = Ctx {
                kb: self,
                at: origin,
            };
            let f = f.into_inner();
            let fact = Fact {
                topic: f.topic,
                about: f.about.iter().map(|a| norm_component(a)).collect(),
                when: cx.when(f.when)?,
                text: f.text,
                values: f
                    .values
                    .into_iter()
                    .map(|(k, v)| (k, v.joined(", ")))
                    .collect(),
                source: cx.sources(f.source)?,
            };
            self.facts.push(fact);
        }
        Ok(new_rows)
    }

    /// Adds an overlay row's relations to every loaded row of the same component that covers its
    /// version (constraints without their own source cite the overlay row's). False when no row
    /// covers it.
    fn merge_release(&mut self, add: &Release) -> bool {
        let v = Version::parse(&add.version);
        let mut merged = false;
        for r in self
            .releases
            .iter_mut()
            .filter(|r| r.component == add.component && r.matcher.eval(&v) == Some(true))
        {
            let cite = |list: &[(String, Constraint)]| -> Vec<(String, Constraint)> {
                list.iter()
                    .map(|(c, con)| {
                        let mut con = con.clone();
                        if con.source.is_empty() {
                            con.source = add.source.clone();
                        }
                        (c.clone(), con)
                    })
                    .collect()
            };
            r.requires.extend(cite(&add.requires));
            r.minimum.extend(cite(&add.minimum));
            r.conflicts.extend(cite(&add.conflicts));
            r.info.extend(add.info.iter().cloned());
            merged = true;
        }
        merged
    }
}

fn placeholders(s: &str) -> impl Iterator<Item = &str> {
    s.split('{')
        .skip(1)
        .filter_map(|p| p.split_once('}').map(|(name, _)| name))
}
