//! Reading `docker build` output: the current step, and the lines of the step that failed.

/// The step a line announces, if any: BuildKit `#7 [stage 2/5] RUN ...` or legacy
/// `Step 2/5 : RUN ...`.
pub fn step_of(line: &str) -> Option<String> {
    if let Some(rest) = line.strip_prefix('#') {
        let (_, after) = rest.split_once(' ')?;
        // `[internal] load ...` and `[auth] ...` are BuildKit bookkeeping, not Dockerfile steps
        if after.starts_with('[')
            && !after.starts_with("[internal]")
            && !after.starts_with("[auth]")
        {
            let trimmed: String = after.chars().take(100).collect();
            return Some(trimmed);
        }
        return None;
    }
    line.strip_prefix("Step ")
        .map(|s| format!("Step {}", s.chars().take(100).collect::<String>()))
}

/// The last `max` lines of the failing step: for BuildKit the lines of the `#N` step that
/// reported an error, otherwise the tail of the log.
pub fn failing_step_tail(lines: &[String], max: usize) -> Vec<String> {
    let failing = lines.iter().rev().find_map(|l| {
        let rest = l.strip_prefix('#')?;
        let (id, after) = rest.split_once(' ')?;
        (after.starts_with("ERROR") || after.contains("did not complete successfully"))
            .then(|| format!("#{id} "))
    });
    let selected: Vec<&String> = match &failing {
        Some(prefix) => lines
            .iter()
            .filter(|l| l.starts_with(prefix.as_str()))
            .collect(),
        None => lines.iter().collect(),
    };
    let mut out: Vec<String> = selected
        .iter()
        .rev()
        .take(max)
        .rev()
        .map(|s| s.to_string())
        .collect();
    if let Some(err) = lines
        .iter()
        .rev()
        .find(|l| l.starts_with("ERROR:") || l.starts_with("error:"))
    {
        if !out.contains(err) {
            out.push(err.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps() {
        assert_eq!(
            step_of("#5 [2/3] RUN echo hi").as_deref(),
            Some("[2/3] RUN echo hi")
        );
        assert_eq!(step_of("#5 0.123 hi"), None);
        assert_eq!(
            step_of("Step 2/3 : RUN echo hi").as_deref(),
            Some("Step 2/3 : RUN echo hi")
        );
    }

    #[test]
    fn failing_step_lines() {
        let log: Vec<String> = [
            "#4 [1/2] FROM x",
            "#4 DONE 0.0s",
            "#5 [2/2] RUN false",
            "#5 0.2 boom",
            "#5 ERROR: process \"/bin/sh -c false\" did not complete successfully: exit code: 1",
            "------",
            "ERROR: failed to solve: exit code: 1",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let tail = failing_step_tail(&log, 10);
        assert_eq!(tail[0], "#5 [2/2] RUN false");
        assert!(tail.iter().any(|l| l.contains("boom")));
        assert!(!tail.iter().any(|l| l.starts_with("#4")));
        assert_eq!(
            tail.last().map(String::as_str),
            Some("ERROR: failed to solve: exit code: 1")
        );
    }
}
