//! Human (miette, snippet with caret) and JSON rendering of diagnostics.

use super::{Diagnostic, Diagnostics, Severity, Sources};
use crate::terminal::{escape_controls, mask_controls};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, NamedSource, SourceCode,
    SourceSpan, SpanContents,
};
use std::fmt;
use std::sync::Arc;

/// Source text shared between diagnostics without copying it.
#[derive(Debug)]
struct SharedText(Arc<String>);

impl SourceCode for SharedText {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        self.0
            .as_str()
            .read_span(span, context_lines_before, context_lines_after)
    }
}

struct Report<'a> {
    diag: &'a Diagnostic,
    source: Option<NamedSource<SharedText>>,
    header: String,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.header)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.header)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diag.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.diag
            .help
            .as_ref()
            .map(|h| Box::new(escape_controls(h)) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary = self.diag.primary.as_ref()?;
        let file = primary.span.file;
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            non_empty(&primary.text),
            SourceSpan::from((primary.span.offset, primary.span.len)),
        )];
        for l in self.diag.secondary.iter().filter(|l| l.span.file == file) {
            labels.push(LabeledSpan::new_with_span(
                non_empty(&l.text),
                SourceSpan::from((l.span.offset, l.span.len)),
            ));
        }
        Some(Box::new(labels.into_iter()))
    }
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| escape_controls(s).into_owned())
}

/// Counts printed after the diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
}

impl Summary {
    pub fn of(diags: &Diagnostics) -> Self {
        Summary {
            errors: diags.count(Severity::Error),
            warnings: diags.count(Severity::Warning),
        }
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
        write!(
            f,
            "{}, {}",
            plural(self.errors, "error"),
            plural(self.warnings, "warning")
        )
    }
}

/// Renders every diagnostic, sorted by position, as `severity[code]: message` followed by a
/// `file:line:col` snippet with a caret and the `help:` line.
pub fn render_human(diags: &Diagnostics, sources: &Sources, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(120)
        .with_wrap_lines(false)
        .with_links(false);
    let mut out = String::new();
    for diag in diags.sorted() {
        let source = diag.primary.as_ref().map(|l| {
            let file = sources.get(l.span.file);
            let text = match mask_controls(&file.text) {
                std::borrow::Cow::Borrowed(_) => file.text.clone(),
                std::borrow::Cow::Owned(masked) => Arc::new(masked),
            };
            NamedSource::new(escape_controls(&file.name), SharedText(text))
        });
        let word = match diag.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut header = format!("{word}[{}]: {}", diag.code, diag.message);
        // Labels pointing into another file cannot share the snippet: name them in the text.
        if let Some(primary) = &diag.primary {
            for l in diag
                .secondary
                .iter()
                .filter(|l| l.span.file != primary.span.file)
            {
                let (line, col) = sources.line_col(l.span);
                let name = &sources.get(l.span.file).name;
                header.push_str(&format!("\n    note: {name}:{line}:{col}: {}", l.text));
            }
        }
        let header = escape_controls(&header).into_owned();
        let report = Report {
            diag,
            source,
            header,
        };
        if handler.render_report(&mut out, &report).is_err() {
            out.push_str(&report.header);
        }
        out.push('\n');
    }
    out
}

#[derive(serde::Serialize)]
struct JsonDiagnostic<'a> {
    severity: Severity,
    code: &'a str,
    message: &'a str,
    file: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    label: Option<&'a str>,
    help: Option<&'a str>,
}

/// `{errors, warnings, diagnostics: [{severity, code, message, file, line, column, label, help}]}`
pub fn render_json(diags: &Diagnostics, sources: &Sources) -> serde_json::Value {
    let items: Vec<JsonDiagnostic> = diags
        .sorted()
        .into_iter()
        .map(|d| {
            let pos = d.primary.as_ref().map(|l| {
                (
                    sources.get(l.span.file).name.as_str(),
                    sources.line_col(l.span),
                )
            });
            JsonDiagnostic {
                severity: d.severity,
                code: d.code.as_str(),
                message: &d.message,
                file: pos.map(|p| p.0),
                line: pos.map(|p| p.1 .0),
                column: pos.map(|p| p.1 .1),
                label: d
                    .primary
                    .as_ref()
                    .map(|l| l.text.as_str())
                    .filter(|t| !t.is_empty()),
                help: d.help.as_deref(),
            }
        })
        .collect();
    let summary = Summary::of(diags);
    serde_json::json!({
        "errors": summary.errors,
        "warnings": summary.warnings,
        "diagnostics": items,
    })
}

/// GitHub Actions workflow commands, one line per diagnostic (sorted by position):
/// `::error file=F,line=L,col=C,title=adf CODE::MESSAGE` (warnings as `::warning`), the help
/// after a newline in the message; no file/line/col for a diagnostic without a place.
pub fn render_github(diags: &Diagnostics, sources: &Sources) -> String {
    let mut out = String::new();
    for d in diags.sorted() {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut props = Vec::new();
        if let Some(l) = &d.primary {
            let (line, col) = sources.line_col(l.span);
            // GitHub matches annotations to repository paths: no `./` segments
            let file: std::path::PathBuf = std::path::Path::new(&sources.get(l.span.file).name)
                .components()
                .filter(|c| *c != std::path::Component::CurDir)
                .collect();
            let file = file.to_string_lossy();
            props.push(format!("file={}", github_property(&file)));
            props.push(format!("line={line}"));
            props.push(format!("col={col}"));
        }
        props.push(format!(
            "title={}",
            github_property(&format!("adf {}", d.code))
        ));
        let mut message = d.message.clone();
        if let Some(h) = &d.help {
            message.push_str(&format!("\nhelp: {h}"));
        }
        out.push_str(&format!(
            "::{command} {}::{}\n",
            props.join(","),
            github_data(&message)
        ));
    }
    out
}

/// A workflow command's message: `%`, CR and LF escaped.
fn github_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: as a message, and `:` and `,` escaped too.
fn github_property(s: &str) -> String {
    github_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::{github_data, github_property};

    #[test]
    fn github_escapes_messages_and_properties() {
        assert_eq!(
            github_data("50% done\r\nnext: a,b"),
            "50%25 done%0D%0Anext: a,b"
        );
        assert_eq!(github_property("C:\\x,y%"), "C%3A\\x%2Cy%25");
    }
}
