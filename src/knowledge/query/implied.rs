//! What a question implies: the asked versions plus what their documented rows pin, and the
//! rules whose `when` holds on that stack (shown by `adf compat` and its brief answer).

use crate::knowledge::model::{norm_component, KnowledgeBase};
use crate::knowledge::spec::Spec;
use crate::knowledge::Stack;

/// The asked values plus what the documented rows of those values pin (a vllm-ascend pins its
/// torch_npu, the torch_npu's documented CANN follows): the stack a rule's `when` is judged on.
pub(in crate::knowledge) fn implied_stack(kb: &KnowledgeBase, asked: &Stack) -> Stack {
    let mut stack: Stack = asked
        .iter()
        .map(|(c, v)| (norm_component(c), v.trim().to_string()))
        .collect();
    for _ in 0..2 {
        let mut add = Vec::new();
        for (comp, raw) in &stack {
            let v = kb.value(comp, raw);
            for r in kb.releases_matching(comp, &v) {
                for (c, con) in r.requires.iter().chain(&r.paired) {
                    if let (false, Some(pin)) = (stack.contains_key(c), con.spec.single_pin()) {
                        add.push((c.clone(), pin.raw().to_string()));
                    }
                }
            }
        }
        for (c, v) in add {
            stack.entry(c).or_insert(v);
        }
    }
    stack
}

/// Rules whose every `when` component is in `stack` (asked or implied) and holds, and whose
/// `unless` does not hold.
pub(in crate::knowledge) fn applicable_rules<'a>(
    kb: &'a KnowledgeBase,
    stack: &'a Stack,
) -> impl Iterator<Item = &'a crate::knowledge::model::Rule> + 'a {
    let holds = move |comp: &str, spec: &Spec| {
        stack
            .get(comp)
            .is_some_and(|raw| spec.eval(&kb.value(comp, raw)) == Some(true))
    };
    kb.rules.iter().filter(move |rule| {
        rule.when.iter().all(|(c, s)| holds(c, s)) && !rule.unless.iter().any(|(c, s)| holds(c, s))
    })
}
