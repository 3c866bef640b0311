//! The walks over the trees that answer a map's query: one that counts the
//! matches (listing them too while they are few), and one that takes a page
//! best-first.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use rstar::{ParentNode, RTreeNode};

use super::leaf::{Extent, Leaf};

/// How a walk treats a node: skip it, take all it holds without looking, or
/// look inside.
pub enum Reach {
    Outside,
    Inside,
    Partly,
}

/// Counts the leaves of the trees of `roots` that `matches`, taking nodes that `reach`
/// says are wholly inside by their count; and when they are at most `cap`,
/// returns them too with their keys (`leaf_key`, which must agree with
/// `matches`), which for a small result is cheaper than a second, best-first
/// walk.
pub fn survey<'a, K>(
    roots: &[&'a ParentNode<Leaf>],
    cap: usize,
    reach: impl Fn(&Extent) -> Reach,
    matches: impl Fn(&Leaf) -> bool,
    leaf_key: impl Fn(&Leaf) -> Option<K>,
) -> (usize, Option<Vec<(K, &'a Leaf)>>) {
    let mut total = 0;
    // The matching leaves seen one by one, kept while the total is small.
    let mut seen = Some(Vec::new());
    let mut inside = Vec::new();
    let mut stack = Vec::new();
    // Files a node: skipped, counted whole (and kept to list its leaves), or
    // to be looked into.
    let mut file = |node, total: &mut usize, stack: &mut Vec<_>| {
        let extent = ParentNode::envelope(node);
        match reach(&extent) {
            Reach::Outside => {}
            Reach::Inside => {
                *total += extent.count;
                inside.push(node);
            }
            Reach::Partly => stack.push(node),
        }
    };
    for &root in roots {
        file(root, &mut total, &mut stack);
    }
    while let Some(node) = stack.pop() {
        for child in node.children() {
            match child {
                RTreeNode::Leaf(leaf) => {
                    if matches(leaf) {
                        total += 1;
                        if let Some(seen) = &mut seen {
                            seen.push(leaf);
                        }
                    }
                }
                RTreeNode::Parent(parent) => file(parent, &mut total, &mut stack),
            }
        }
        if total > cap {
            seen = None;
        }
    }
    let Some(mut seen) = seen.filter(|_| total <= cap) else {
        return (total, None);
    };
    while let Some(node) = inside.pop() {
        for child in node.children() {
            match child {
                RTreeNode::Leaf(leaf) => seen.push(leaf),
                RTreeNode::Parent(parent) => inside.push(parent),
            }
        }
    }
    let keyed = seen
        .into_iter()
        .filter_map(|leaf| Some((leaf_key(leaf)?, leaf)))
        .collect();
    (total, Some(keyed))
}

/// What a best-first walk learns of a leaf: that it matches with this key,
/// or only that its key is at least this much (when the exact key is dear,
/// as the distance to a line: it is computed if the walk gets that far).
pub enum LeafKey<K> {
    Exact(K),
    AtLeast(K),
}

/// The first `wanted` leaves of the trees of `roots` in the order of `(key, row key)`,
/// with their keys, found best-first: `node_key` gives a node a key no
/// larger than any of its leaves' (or `None` to skip it), `leaf_key` what
/// is known of a leaf's key when it may match, and `exact_key` its key when
/// it matches, for leaves first known by a bound.
pub fn first<'a, K: Ord + Copy>(
    roots: &[&'a ParentNode<Leaf>],
    wanted: usize,
    node_key: impl Fn(&Extent) -> Option<K>,
    leaf_key: impl Fn(&Leaf) -> Option<LeafKey<K>>,
    exact_key: impl Fn(&Leaf) -> Option<K>,
) -> Vec<(K, &'a Leaf)> {
    let mut found = Vec::with_capacity(wanted.min(4096));
    let mut heap = BinaryHeap::new();
    if wanted == 0 {
        return found;
    }
    for &root in roots {
        if let Some(key) = node_key(&root.envelope()) {
            heap.push(Queued::new(key, i64::MIN, Open::Node(root)));
        }
    }
    while let Some(next) = heap.pop() {
        let node = match next.open {
            Open::Found(leaf) => {
                found.push((next.key, leaf));
                if found.len() == wanted {
                    break;
                }
                continue;
            }
            Open::Leaf(leaf) => {
                if let Some(key) = exact_key(leaf) {
                    heap.push(Queued::new(key, leaf.pk, Open::Found(leaf)));
                }
                continue;
            }
            Open::Node(node) => node,
        };
        for child in node.children() {
            match child {
                RTreeNode::Leaf(leaf) => match leaf_key(leaf) {
                    Some(LeafKey::Exact(key)) => {
                        heap.push(Queued::new(key, leaf.pk, Open::Found(leaf)));
                    }
                    Some(LeafKey::AtLeast(key)) => {
                        heap.push(Queued::new(key, leaf.pk, Open::Leaf(leaf)));
                    }
                    None => {}
                },
                RTreeNode::Parent(parent) => {
                    if let Some(key) = node_key(&parent.envelope()) {
                        heap.push(Queued::new(key, i64::MIN, Open::Node(parent)));
                    }
                }
            }
        }
    }
    found
}

/// An entry of the best-first heap: a node or a leaf to look into, or a
/// leaf found. At an equal key what is to be looked into comes first, since
/// it may hold a leaf of that key with a smaller row key.
struct Queued<'a, K> {
    key: K,
    pk: i64,
    open: Open<'a>,
}

enum Open<'a> {
    Node(&'a ParentNode<Leaf>),
    Leaf(&'a Leaf),
    Found(&'a Leaf),
}

impl<'a, K: Ord> Queued<'a, K> {
    fn new(key: K, pk: i64, open: Open<'a>) -> Self {
        Queued { key, pk, open }
    }
    fn order(&self) -> (&K, bool, i64) {
        (&self.key, matches!(self.open, Open::Found(_)), self.pk)
    }
}

impl<K: Ord> Ord for Queued<'_, K> {
    /// Reversed, so the max-heap pops the smallest first.
    fn cmp(&self, other: &Self) -> Ordering {
        other.order().cmp(&self.order())
    }
}

impl<K: Ord> PartialOrd for Queued<'_, K> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<K: Ord> PartialEq for Queued<'_, K> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<K: Ord> Eq for Queued<'_, K> {}

/// A distance in metres, ordered totally (never NaN here).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Metres(pub f64);

impl Eq for Metres {}

impl Ord for Metres {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

impl PartialOrd for Metres {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
