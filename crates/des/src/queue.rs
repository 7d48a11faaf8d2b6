//! The future-event list: a binary heap ordered by (time, sequence number).
//!
//! Ties in time are broken by the order in which events were scheduled, so a run is fully
//! determined by its inputs and random streams. Events can be cancelled in O(1) through the
//! [`EventId`] returned when they were scheduled: the payload lives in a slab slot whose
//! generation counter invalidates stale ids, and the heap entry of a cancelled event is
//! skipped when it reaches the top. Cancellation is what lets a model pre-empt an activity
//! (a breakdown interrupting a cut, a shift end pausing a haul) and resume it later.

use crate::time::SimTime;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// A handle to a scheduled event, used to cancel it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct EventId {
    slot: u32,
    generation: u32,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct Entry {
    time: u64,
    seq: u64,
    slot: u32,
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        // BinaryHeap is a max-heap: reverse so the earliest (time, seq) is on top.
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

struct Slot<E> {
    generation: u32,
    event: Option<E>,
}

/// A future-event list with deterministic ordering and O(1) cancellation.
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry>,
    slots: Vec<Slot<E>>,
    free: Vec<u32>,
    seq: u64,
    now: SimTime,
    pending: usize,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    /// An empty queue at time zero.
    pub fn new() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            slots: Vec::new(),
            free: Vec::new(),
            seq: 0,
            now: SimTime::ZERO,
            pending: 0,
        }
    }

    /// The time of the event last popped (the simulation clock).
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Number of scheduled, not yet fired or cancelled events.
    pub fn len(&self) -> usize {
        self.pending
    }

    /// True when no event is pending.
    pub fn is_empty(&self) -> bool {
        self.pending == 0
    }

    /// Schedules `event` at absolute time `at`. Scheduling in the past is a model bug; it
    /// is clamped to `now` so the clock never runs backwards.
    pub fn schedule_at(&mut self, at: SimTime, event: E) -> EventId {
        let time = at.max(self.now).0;
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize].event = Some(event);
                slot
            }
            None => {
                self.slots.push(Slot {
                    generation: 0,
                    event: Some(event),
                });
                (self.slots.len() - 1) as u32
            }
        };
        self.heap.push(Entry {
            time,
            seq: self.seq,
            slot,
        });
        self.seq += 1;
        self.pending += 1;
        EventId {
            slot,
            generation: self.slots[slot as usize].generation,
        }
    }

    /// Schedules `event` after a delay `dt` from now.
    pub fn schedule_in(&mut self, dt: SimTime, event: E) -> EventId {
        self.schedule_at(self.now + dt, event)
    }

    /// Cancels a pending event and returns its payload; `None` if it already fired or was
    /// cancelled before.
    pub fn cancel(&mut self, id: EventId) -> Option<E> {
        let slot = self.slots.get_mut(id.slot as usize)?;
        if slot.generation != id.generation {
            return None;
        }
        let event = slot.event.take()?;
        self.pending -= 1;
        Some(event)
    }

    /// Removes the earliest pending event, advances the clock to its time and returns it.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        while let Some(entry) = self.heap.pop() {
            let slot = &mut self.slots[entry.slot as usize];
            let event = slot.event.take();
            slot.generation = slot.generation.wrapping_add(1);
            self.free.push(entry.slot);
            if let Some(event) = event {
                self.pending -= 1;
                self.now = SimTime(entry.time);
                return Some((self.now, event));
            }
        }
        None
    }

    /// The time of the earliest pending event without removing it.
    pub fn peek_time(&mut self) -> Option<SimTime> {
        while let Some(top) = self.heap.peek() {
            if self.slots[top.slot as usize].event.is_some() {
                return Some(SimTime(top.time));
            }
            let entry = self.heap.pop().expect("peeked entry");
            let slot = &mut self.slots[entry.slot as usize];
            slot.generation = slot.generation.wrapping_add(1);
            self.free.push(entry.slot);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ties_fire_in_scheduling_order() {
        let mut q = EventQueue::new();
        q.schedule_at(SimTime(10), 'b');
        q.schedule_at(SimTime(5), 'a');
        q.schedule_at(SimTime(10), 'c');
        q.schedule_at(SimTime(10), 'd');
        let order: Vec<char> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, vec!['a', 'b', 'c', 'd']);
    }

    #[test]
    fn cancelled_events_never_fire_and_stale_ids_do_nothing() {
        let mut q = EventQueue::new();
        let a = q.schedule_at(SimTime(1), "a");
        let b = q.schedule_at(SimTime(2), "b");
        assert_eq!(q.cancel(b), Some("b"));
        assert_eq!(q.cancel(b), None);
        assert_eq!(q.len(), 1);
        assert_eq!(q.pop(), Some((SimTime(1), "a")));
        // `a` fired; its slot is reused by `c`: the old id must not cancel the new event.
        let c = q.schedule_at(SimTime(3), "c");
        assert_eq!(q.cancel(a), None);
        assert_eq!(q.peek_time(), Some(SimTime(3)));
        assert_eq!(q.pop(), Some((SimTime(3), "c")));
        assert_eq!(q.cancel(c), None);
        assert!(q.pop().is_none());
        assert_eq!(q.now(), SimTime(3));
    }

    #[test]
    fn scheduling_in_the_past_is_clamped_to_now() {
        let mut q = EventQueue::new();
        q.schedule_at(SimTime(100), 1);
        q.pop();
        q.schedule_at(SimTime(50), 2);
        assert_eq!(q.pop(), Some((SimTime(100), 2)));
    }

    proptest! {
        /// Whatever is scheduled and cancelled, the surviving events come out sorted by
        /// (time, scheduling order), exactly once each.
        #[test]
        fn pops_are_sorted_and_complete(
            times in prop::collection::vec(0u64..50, 1..200),
            cancel_mask in prop::collection::vec(any::<bool>(), 200),
        ) {
            let mut q = EventQueue::new();
            let ids: Vec<_> = times.iter().enumerate()
                .map(|(i, &t)| q.schedule_at(SimTime(t), i)).collect();
            let mut expected: Vec<(u64, usize)> = Vec::new();
            for (i, id) in ids.iter().enumerate() {
                if cancel_mask[i] {
                    prop_assert_eq!(q.cancel(*id), Some(i));
                } else {
                    expected.push((times[i], i));
                }
            }
            expected.sort();
            prop_assert_eq!(q.len(), expected.len());
            let got: Vec<(u64, usize)> = std::iter::from_fn(|| q.pop().map(|(t, e)| (t.0, e))).collect();
            prop_assert_eq!(got, expected);
        }
    }
}
