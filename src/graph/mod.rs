//! The image graph: parents before children. Cycle paths, target closures, build waves and
//! node roles. Pure and index-based; names only break ties.

use std::collections::BTreeSet;

#[derive(Debug, Clone)]
pub struct Dag {
    parents: Vec<Vec<usize>>,
    children: Vec<Vec<usize>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// No parent in the selection (it builds FROM an external image).
    Root,
    /// Has parents and children.
    Intermediate,
    /// Has parents, no children.
    Leaf,
}

impl Dag {
    /// `edges[i]` are the parents of node `i` (duplicates are ignored).
    pub fn new(parents: Vec<Vec<usize>>) -> Dag {
        let n = parents.len();
        let mut children = vec![Vec::new(); n];
        let parents: Vec<Vec<usize>> = parents
            .into_iter()
            .map(|mut p| {
                let mut seen = BTreeSet::new();
                p.retain(|x| *x < n && seen.insert(*x));
                p
            })
            .collect();
        for (child, ps) in parents.iter().enumerate() {
            for &p in ps {
                children[p].push(child);
            }
        }
        Dag { parents, children }
    }

    pub fn len(&self) -> usize {
        self.parents.len()
    }

    pub fn is_empty(&self) -> bool {
        self.parents.is_empty()
    }

    pub fn parents(&self, i: usize) -> &[usize] {
        &self.parents[i]
    }

    pub fn children(&self, i: usize) -> &[usize] {
        &self.children[i]
    }

    /// Every cycle as a path of nodes `a, b, .., a` (one per strongly connected component),
    /// each rotated to start at its smallest key, sorted.
    pub fn cycles<K: Ord>(&self, key: impl Fn(usize) -> K) -> Vec<Vec<usize>> {
        let mut out = Vec::new();
        for scc in self.sccs() {
            let single_self_loop = scc.len() == 1 && self.parents[scc[0]].contains(&scc[0]);
            if scc.len() < 2 && !single_self_loop {
                continue;
            }
            let members: BTreeSet<usize> = scc.iter().copied().collect();
            let Some(&start) = scc.iter().min_by_key(|&&i| key(i)) else {
                continue;
            };
            // BFS along depends_on edges inside the component, from `start` back to `start`:
            // the shortest cycle through it. `reached_from[p] = u` means p was reached from u.
            let mut reached_from = vec![usize::MAX; self.len()];
            let mut queue = std::collections::VecDeque::from([start]);
            let mut last = None;
            'bfs: while let Some(u) = queue.pop_front() {
                let mut next: Vec<usize> = self.parents[u]
                    .iter()
                    .copied()
                    .filter(|p| members.contains(p))
                    .collect();
                next.sort_by_key(|&i| key(i));
                for p in next {
                    if p == start {
                        last = Some(u);
                        break 'bfs;
                    }
                    if reached_from[p] == usize::MAX {
                        reached_from[p] = u;
                        queue.push_back(p);
                    }
                }
            }
            let Some(mut cur) = last else { continue };
            let mut path = vec![start];
            while cur != start {
                path.push(cur);
                cur = reached_from[cur];
            }
            path.push(start);
            path.reverse();
            out.push(path);
        }
        out.sort_by(|a, b| key(a[0]).cmp(&key(b[0])));
        out
    }

    /// Tarjan's strongly connected components, iterative (no recursion on big graphs).
    fn sccs(&self) -> Vec<Vec<usize>> {
        let n = self.len();
        let mut index = vec![usize::MAX; n];
        let mut low = vec![0; n];
        let mut on_stack = vec![false; n];
        let mut stack = Vec::new();
        let mut out = Vec::new();
        let mut next_index = 0;
        for root in 0..n {
            if index[root] != usize::MAX {
                continue;
            }
            let mut work: Vec<(usize, usize)> = vec![(root, 0)];
            while let Some(&mut (v, ref mut ei)) = work.last_mut() {
                if *ei == 0 && index[v] == usize::MAX {
                    index[v] = next_index;
                    low[v] = next_index;
                    next_index += 1;
                    stack.push(v);
                    on_stack[v] = true;
                }
                if let Some(&w) = self.parents[v].get(*ei) {
                    *ei += 1;
                    if index[w] == usize::MAX {
                        work.push((w, 0));
                    } else if on_stack[w] {
                        low[v] = low[v].min(index[w]);
                    }
                    continue;
                }
                work.pop();
                if let Some(&(u, _)) = work.last() {
                    low[u] = low[u].min(low[v]);
                }
                if low[v] == index[v] {
                    let mut comp = Vec::new();
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        comp.push(w);
                        if w == v {
                            break;
                        }
                    }
                    out.push(comp);
                }
            }
        }
        out
    }

    /// The targets and all their ancestors.
    pub fn closure(&self, targets: &[usize]) -> Vec<bool> {
        let mut keep = vec![false; self.len()];
        let mut stack: Vec<usize> = targets.to_vec();
        while let Some(i) = stack.pop() {
            if !keep[i] {
                keep[i] = true;
                stack.extend(self.parents[i].iter().copied());
            }
        }
        keep
    }

    /// Build waves over the selected nodes: wave 0 has no selected parent; a node's wave is one
    /// more than its highest parent's. Within a wave, nodes are ordered by `key`.
    /// Must only be called on an acyclic graph.
    pub fn waves<K: Ord>(&self, selected: &[bool], key: impl Fn(usize) -> K) -> Vec<Vec<usize>> {
        let n = self.len();
        let mut indegree = vec![0usize; n];
        for i in (0..n).filter(|&i| selected[i]) {
            indegree[i] = self.parents[i].iter().filter(|&&p| selected[p]).count();
        }
        let mut current: Vec<usize> = (0..n)
            .filter(|&i| selected[i] && indegree[i] == 0)
            .collect();
        let mut waves = Vec::new();
        while !current.is_empty() {
            current.sort_by_key(|&i| key(i));
            let mut next = Vec::new();
            for &i in &current {
                for &c in &self.children[i] {
                    if selected[c] {
                        indegree[c] -= 1;
                        if indegree[c] == 0 {
                            next.push(c);
                        }
                    }
                }
            }
            waves.push(std::mem::replace(&mut current, next));
        }
        waves
    }

    /// Role of a node within the selection.
    pub fn role(&self, i: usize, selected: &[bool]) -> Role {
        let has_parent = self.parents[i].iter().any(|&p| selected[p]);
        let has_child = self.children[i].iter().any(|&c| selected[c]);
        match (has_parent, has_child) {
            (false, _) => Role::Root,
            (true, true) => Role::Intermediate,
            (true, false) => Role::Leaf,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // 0 python, 1 cann-910b, 2 cann-310p, 3 torch-910b, 4 yolo-910b, 5 flask
    fn sample() -> Dag {
        Dag::new(vec![vec![], vec![0], vec![0], vec![1], vec![3], vec![0]])
    }

    #[test]
    fn waves_break_ties_by_key() {
        let dag = sample();
        let names = [
            "python",
            "cann-910b",
            "cann-310p",
            "torch-910b",
            "yolo-910b",
            "flask",
        ];
        let waves = dag.waves(&[true; 6], |i| names[i]);
        assert_eq!(waves, vec![vec![0], vec![2, 1, 5], vec![3], vec![4]]);
    }

    #[test]
    fn closure_takes_ancestors_only() {
        let dag = sample();
        let keep = dag.closure(&[4]);
        assert_eq!(keep, vec![true, true, false, true, true, false]);
        let waves = dag.waves(&keep, |i| i);
        assert_eq!(waves, vec![vec![0], vec![1], vec![3], vec![4]]);
    }

    #[test]
    fn roles_come_from_edges() {
        let dag = sample();
        let all = [true; 6];
        assert_eq!(dag.role(0, &all), Role::Root);
        assert_eq!(dag.role(1, &all), Role::Intermediate);
        assert_eq!(dag.role(2, &all), Role::Leaf);
        assert_eq!(dag.role(4, &all), Role::Leaf);
    }

    #[test]
    fn cycles_are_paths() {
        // a(0) -> b(1) -> c(2) -> a ; d(3) self loop ; e(4) depends on a
        let dag = Dag::new(vec![vec![1], vec![2], vec![0], vec![3], vec![0]]);
        let names = ["a", "b", "c", "d", "e"];
        let cycles: Vec<Vec<&str>> = dag
            .cycles(|i| names[i])
            .into_iter()
            .map(|c| c.into_iter().map(|i| names[i]).collect())
            .collect();
        assert_eq!(cycles, vec![vec!["a", "b", "c", "a"], vec!["d", "d"]]);
    }

    #[test]
    fn two_node_cycle() {
        let dag = Dag::new(vec![vec![1], vec![0]]);
        let names = ["x", "y"];
        let c: Vec<Vec<&str>> = dag
            .cycles(|i| names[i])
            .into_iter()
            .map(|c| c.into_iter().map(|i| names[i]).collect())
            .collect();
        assert_eq!(c, vec![vec!["x", "y", "x"]]);
    }

    #[test]
    fn waves_on_a_long_chain_do_not_recurse() {
        let n = 100_000;
        let dag = Dag::new(
            (0..n)
                .map(|i| if i == 0 { vec![] } else { vec![i - 1] })
                .collect(),
        );
        assert_eq!(dag.waves(&vec![true; n], |i| i).len(), n);
        assert!(dag.cycles(|i| i).is_empty());
    }
}
