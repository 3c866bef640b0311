//! The walks over the trees that answer a map's query: one that counts the
//! matches (listing them too while they are few), and one that takes a page
//! best-first.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use rstar::{ParentNode, RTreeNode};

use super::leaf::{Extent, Leaf};

/// How a walk treats a node: skip it, take all it holds without looking, or
/// look inside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    Outside,
    Inside,
    Partly,
}

/// A circle or a box a map asks about, as the walks read it: how a node
/// lies from it, whether a leaf matches and with what key, and a bound of
/// the keys below a node.
pub trait Region {
    /// What a page is ordered by before the row key: a distance, or the row
    /// key itself.
    type Key: Ord + Copy;

    /// How many matches a page of `wanted` collects while counting, past
    /// which it is found best-first instead: collecting costs each match its
    /// key, a best-first walk each node on the way a bound.
    fn cap(&self, wanted: usize) -> usize;

    /// Whether a node lies wholly outside, wholly inside, or across the edge.
    fn reach(&self, extent: &Extent) -> Reach;

    /// The key of `leaf` when it matches.
    fn key(&self, leaf: &Leaf) -> Option<Self::Key>;

    /// Whether `leaf` matches: what [`Region::key`] says, for when the key
    /// costs more than the answer.
    fn holds(&self, leaf: &Leaf) -> bool {
        self.key(leaf).is_some()
    }

    /// A key no larger than that of any leaf below a node, or `None` when
    /// none of them can match.
    fn bound(&self, extent: &Extent) -> Option<Self::Key>;

    /// What a best-first walk first learns of a leaf that may match.
    fn known(&self, leaf: &Leaf) -> Option<LeafKey<Self::Key>> {
        self.key(leaf).map(LeafKey::Exact)
    }

    /// When keys are measured with a doubt (a radius's short-line
    /// distances), the largest key a leaf may have and still belong, once
    /// measured exactly, before a leaf of key `key`: a page walks on to it
    /// past its last leaf, and [`Region::settle`] orders what it found.
    /// `None` (the default) when keys are exact.
    fn tie_reach(&self, _key: Self::Key) -> Option<Self::Key> {
        None
    }

    /// Gives the leaves found (in the order of their keys) their exact
    /// order, and their exact keys where the doubt matters; nothing by
    /// default.
    fn settle(&self, _found: &mut Found<'_, Self::Key>) {}
}

/// Leaves found, each with its key.
pub type Found<'a, K> = Vec<(K, &'a Leaf)>;

/// Counts the leaves of the trees of `roots` that `region` holds, taking
/// nodes wholly inside it by their count; and when they are at most `cap`,
/// returns them too, which for a small result is cheaper than a walk
/// from the roots ([`first_among`] pages them).
pub fn survey<'a, R: Region>(
    roots: &[&'a ParentNode<Leaf>],
    cap: usize,
    region: &R,
) -> (usize, Option<Vec<&'a Leaf>>) {
    let mut total = 0;
    // The matching leaves seen one by one, kept while the total is small.
    let mut seen = Some(Vec::new());
    let mut inside = Vec::new();
    let mut stack = Vec::new();
    // Files a node: skipped, counted whole (and kept to list its leaves), or
    // to be looked into.
    let mut file = |node, total: &mut usize, stack: &mut Vec<_>| {
        let extent = ParentNode::envelope(node);
        match region.reach(&extent) {
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
                    if region.holds(leaf) {
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
    (total, Some(seen))
}

/// What a best-first walk learns of a leaf: that it matches with this key,
/// or only that its key is at least this much (when the exact key is dear,
/// as the distance to a line: it is computed if the walk gets that far).
pub enum LeafKey<K> {
    Exact(K),
    AtLeast(K),
}

/// The first `wanted` leaves of the trees of `roots` that `region` holds,
/// in the order of `(key, row key)`, with their keys, found best-first:
/// nodes are queued by [`Region::bound`], leaves by what is
/// [`Region::known`] of them, and a leaf first known by a bound is given its
/// key if the walk gets that far.
pub fn first<'a, R: Region>(
    roots: &[&'a ParentNode<Leaf>],
    wanted: usize,
    region: &R,
) -> Found<'a, R::Key> {
    let heap = roots
        .iter()
        .filter_map(|&root| {
            let key = region.bound(&root.envelope())?;
            Some(Queued::new(key, i64::MIN, Open::Node(root)))
        })
        .collect();
    drain(heap, wanted, region)
}

/// The first `wanted` of `leaves`, which all match `region`, in the order
/// of `(key, row key)`, with their keys: ordered by what is
/// [`Region::known`] of them, a leaf known by a bound given its key only if
/// the page gets that far (a radius query's exact distance is dear).
pub fn first_among<'a, R: Region>(
    leaves: Vec<&'a Leaf>,
    wanted: usize,
    region: &R,
) -> Found<'a, R::Key> {
    let heap = leaves
        .into_iter()
        .filter_map(|leaf| Some(queued_leaf(region.known(leaf)?, leaf)))
        .collect();
    drain(heap, wanted, region)
}

/// A leaf queued by what is known of it.
fn queued_leaf<K: Ord>(known: LeafKey<K>, leaf: &Leaf) -> Queued<'_, K> {
    match known {
        LeafKey::Exact(key) => Queued::new(key, leaf.pk, Open::Found(leaf)),
        LeafKey::AtLeast(key) => Queued::new(key, leaf.pk, Open::Leaf(leaf)),
    }
}

/// Pops `heap` smallest first until `wanted` leaves are found (and on to
/// the [`Region::tie_reach`] of the last, then [`Region::settle`]d): a node
/// is opened, a leaf known by a bound is given its key and queued again.
fn drain<'a, R: Region>(
    mut heap: BinaryHeap<Queued<'a, R::Key>>,
    wanted: usize,
    region: &R,
) -> Found<'a, R::Key> {
    let mut found = Vec::with_capacity(wanted.min(4096));
    if wanted == 0 {
        return found;
    }
    // Once the page is full, how far ties may reach past its last key.
    let mut reach = None;
    while let Some(next) = heap.pop() {
        if reach.is_some_and(|last| next.key > last) {
            break;
        }
        let node = match next.open {
            Open::Found(leaf) => {
                found.push((next.key, leaf));
                if found.len() == wanted && reach.is_none() {
                    match region.tie_reach(next.key) {
                        Some(last) => reach = Some(last),
                        None => break,
                    }
                }
                continue;
            }
            Open::Leaf(leaf) => {
                if let Some(key) = region.key(leaf) {
                    heap.push(Queued::new(key, leaf.pk, Open::Found(leaf)));
                }
                continue;
            }
            Open::Node(node) => node,
        };
        for child in node.children() {
            match child {
                RTreeNode::Leaf(leaf) => {
                    if let Some(known) = region.known(leaf) {
                        heap.push(queued_leaf(known, leaf));
                    }
                }
                RTreeNode::Parent(parent) => {
                    if let Some(key) = region.bound(&parent.envelope()) {
                        heap.push(Queued::new(key, i64::MIN, Open::Node(parent)));
                    }
                }
            }
        }
    }
    region.settle(&mut found);
    found.truncate(wanted);
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
