//! [`InterpError`]: why a `${...}` could not be expanded, with its message and help, and
//! [`MAX_NESTING`], the depth at which expansion gives up.

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InterpError {
    Unknown {
        name: String,
        suggestion: Option<String>,
    },
    Unclosed,
    BadName(String),
    Unsupported(String),
    /// A variable whose value leads back to it: the chain, first name to the repeated one.
    Recursive(Vec<String>),
    /// Variables or inline defaults nested deeper than [`MAX_NESTING`].
    TooDeep,
}

/// How deep variables may refer to variables and inline defaults nest (`${A:-${B:-...}}`):
/// far more than any file needs, far less than what would exhaust the stack.
pub const MAX_NESTING: usize = 32;

impl std::fmt::Display for InterpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InterpError::Unknown { name, .. } => write!(f, "unknown variable `{name}`"),
            InterpError::Unclosed => write!(f, "`${{` is never closed"),
            InterpError::BadName(n) => write!(f, "`{n}` is not a valid variable name"),
            InterpError::Unsupported(e) => write!(f, "unsupported expansion `${{{e}}}`"),
            InterpError::Recursive(chain) if chain.len() <= 2 => {
                write!(f, "variable `{}` refers to itself", chain[0])
            }
            InterpError::Recursive(chain) => write!(
                f,
                "variables refer to each other in a cycle: {}",
                chain.join(" -> ")
            ),
            InterpError::TooDeep => write!(
                f,
                "variables and defaults nest deeper than {MAX_NESTING} levels"
            ),
        }
    }
}

impl InterpError {
    pub fn help(&self) -> String {
        match self {
            InterpError::Unknown { name, suggestion: Some(s) } => {
                format!("did you mean `${{{s}}}`? Otherwise declare it under `variables:` or write `${{{name}:-default}}`")
            }
            InterpError::Unknown { name, .. } => format!(
                "declare it under `variables:` (`{name}: value`), pass `--set {name}=VALUE`, or give a default: `${{{name}:-value}}`"
            ),
            InterpError::Unclosed => "close it with `}`, or write `$$` for a literal `$`".into(),
            InterpError::BadName(_) => "names use letters, digits and `_`, and do not start with a digit".into(),
            InterpError::Unsupported(_) => "adf supports `${NAME}` and `${NAME:-default}`; write `$$` for a literal `$`".into(),
            InterpError::Recursive(_) => "a variable's default may use other variables, but not itself, directly or through others".into(),
            InterpError::TooDeep => format!("adf follows at most {MAX_NESTING} levels of `${{...}}` inside values and defaults; write the value out"),
        }
    }
}
