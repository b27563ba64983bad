//! `--color`: the process-wide choice and how it combines with the environment.

/// `--color`.
#[derive(clap::ValueEnum, Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ColorWhen {
    #[default]
    Auto,
    Always,
    Never,
}

static COLOR: std::sync::OnceLock<ColorWhen> = std::sync::OnceLock::new();

/// Records `--color` for the process (the first call wins).
pub fn set_color(when: ColorWhen) {
    let _ = COLOR.set(when);
}

/// Whether to colour a stream: `--color always|never`, else (auto) NO_COLOR (set, non-empty)
/// turns it off, CLICOLOR_FORCE (set, not 0) on, TERM=dumb off, otherwise the stream's TTY-ness.
pub fn enabled(stream_is_tty: bool) -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    match COLOR.get().copied().unwrap_or_default() {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            if set("NO_COLOR") {
                false
            } else if set("CLICOLOR_FORCE")
                && std::env::var_os("CLICOLOR_FORCE").as_deref() != Some("0".as_ref())
            {
                true
            } else if std::env::var_os("TERM").as_deref() == Some("dumb".as_ref()) {
                false
            } else {
                stream_is_tty
            }
        }
    }
}
