//! One bounded worker pool for independent work items (verify, push): at most `jobs` items at
//! once, results in the items' order. Workers never print: what they report travels to the
//! calling thread, where `on_event` runs, in the order it arrived.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::Mutex;

/// Sends a worker's progress to the calling thread.
pub struct Events<E> {
    tx: mpsc::Sender<E>,
}

impl<E> Events<E> {
    pub fn send(&self, event: E) {
        let _ = self.tx.send(event);
    }
}

/// Runs `work` on every item, `jobs` at a time. `stop` set by a worker (or before) keeps the
/// items not yet started from starting; their result is `None`.
pub fn run<T: Sync, R: Send, E: Send>(
    items: &[T],
    jobs: usize,
    stop: &AtomicBool,
    work: impl Fn(&T, &Events<E>) -> R + Sync,
    on_event: &mut dyn FnMut(E),
) -> Vec<Option<R>> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new(items.iter().map(|_| None).collect());
    let (tx, rx) = mpsc::channel::<E>();
    std::thread::scope(|s| {
        for _ in 0..jobs.min(items.len()).max(1) {
            let events = Events { tx: tx.clone() };
            let (next, results, work) = (&next, &results, &work);
            s.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(item) = items.get(i) else { break };
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let r = work(item, &events);
                if let Ok(mut all) = results.lock() {
                    all[i] = Some(r);
                }
            });
        }
        drop(tx);
        // every sender is a worker's: the loop ends when the last worker is done
        for event in rx {
            on_event(event);
        }
    });
    results.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_order_and_events_reach_the_caller() {
        let items: Vec<u32> = (0..20).collect();
        let mut seen = Vec::new();
        let out = run(
            &items,
            3,
            &AtomicBool::new(false),
            |&x, ev| {
                ev.send(x);
                x * 2
            },
            &mut |e| seen.push(e),
        );
        let doubled: Vec<u32> = out.into_iter().map(|r| r.expect("ran")).collect();
        assert_eq!(doubled, items.iter().map(|x| x * 2).collect::<Vec<_>>());
        seen.sort();
        assert_eq!(seen, items);
    }

    #[test]
    fn a_stop_keeps_later_items_from_starting() {
        let stop = AtomicBool::new(false);
        let out = run(
            &[1, 2, 3, 4],
            1,
            &stop,
            |&x, _: &Events<()>| {
                if x == 2 {
                    stop.store(true, Ordering::SeqCst);
                }
                x
            },
            &mut |_| {},
        );
        assert_eq!(out, [Some(1), Some(2), None, None]);
    }
}
