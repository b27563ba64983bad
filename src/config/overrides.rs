//! `--set IMAGE.KEY=VALUE`: the overrides applied to each image whose name (as its matrix
//! combination spells it) matches IMAGE, before its strings are interpolated; an IMAGE that
//! matches no image is an error.

use super::interp::set_args::{ImageOverride, OverrideKey};
use super::interp::Scope;
use super::matrix::Expanded;
use super::schema::{RawImage, Str};
use crate::diag::Code;
use crate::diag::{Diagnostic, Diagnostics};

/// The image with the `--set IMAGE.KEY=VALUE` overrides whose IMAGE matches its name (as this
/// matrix combination spells it), applied before its strings are interpolated.
pub(super) fn with_overrides<'a>(
    img: &'a RawImage,
    scope: &Scope,
    overrides: &[ImageOverride],
    used: &mut [bool],
) -> std::borrow::Cow<'a, RawImage> {
    if overrides.is_empty() {
        return std::borrow::Cow::Borrowed(img);
    }
    let name = scope
        .expand(&img.key.value)
        .unwrap_or_else(|_| img.key.value.clone());
    let mut out = std::borrow::Cow::Borrowed(img);
    for (i, o) in overrides.iter().enumerate() {
        if !crate::glob::matches(&o.pattern, &name) {
            continue;
        }
        used[i] = true;
        let img = out.to_mut();
        let span = img.build.span.unwrap_or(img.key.span);
        let at = |old: Option<&Str>, v: &str| Str::new(v.to_string(), old.map_or(span, |s| s.span));
        let b = &mut img.build;
        match &o.key {
            OverrideKey::Arg(k, v) => match b.args.iter_mut().find(|(key, _)| &key.value == k) {
                Some((_, old)) => old.value = v.clone(),
                None => b
                    .args
                    .push((Str::new(k.clone(), span), Str::new(v.clone(), span))),
            },
            OverrideKey::Platforms(list) => {
                b.platforms = list.iter().map(|v| at(b.platforms.first(), v)).collect()
            }
            OverrideKey::Tags(list) => {
                img.tags = list.iter().map(|v| at(img.tags.first(), v)).collect()
            }
            OverrideKey::Target(t) => b.target = Some(at(b.target.as_ref(), t)),
            OverrideKey::NoCache(v) => {
                b.no_cache = Some(crate::diag::Spanned::new(
                    *v,
                    b.no_cache.as_ref().map_or(span, |n| n.span),
                ))
            }
        }
    }
    out
}

/// A `--set IMAGE.KEY=VALUE` whose IMAGE matches no image is an error, with a suggestion.
pub(super) fn report_unmatched(
    overrides: &[ImageOverride],
    used: &[bool],
    images: &[Expanded],
    diags: &mut Diagnostics,
) {
    for (o, _) in overrides.iter().zip(used).filter(|(_, u)| !**u) {
        let names = images.iter().map(|e| e.image.key.value.as_str());
        let help = match super::schema::reader::did_you_mean(&o.pattern, names) {
            Some(s) => format!("did you mean `{s}`? (`adf list` shows the images)"),
            None => "name an image of the file (`adf list`), or a glob such as `'*'`".into(),
        };
        diags.push(
            Diagnostic::error(
                Code::BadSet,
                format!("`--set {}`: `{}` matches no image", o.text, o.pattern),
            )
            .help(help),
        );
    }
}
