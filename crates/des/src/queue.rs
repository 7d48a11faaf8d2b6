//! The future-event list: an indexed binary heap ordered by (time, sequence number).
//!
//! Ties in time are broken by the order in which events were scheduled, so a run is fully
//! determined by its inputs and random streams. Events can be cancelled through the
//! [`EventId`] returned when they were scheduled: each event lives in a slab slot that
//! knows its position in the heap, so cancelling removes it at once in O(log n) and the
//! heap only ever holds pending events (lazy deletion would let models that re-schedule
//! failure clocks on every activity bloat the heap with stale entries). A slot's generation
//! counter makes stale ids harmless. Cancellation is what lets a model pre-empt an activity
//! (a breakdown interrupting a cut, a shift end pausing a haul) and resume it later.

use crate::time::SimTime;

/// A handle to a scheduled event, used to cancel it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct EventId {
    slot: u32,
    generation: u32,
}

/// Heap entry: the ordering key kept inline for cache-friendly comparisons.
#[derive(Copy, Clone, Debug)]
struct Entry {
    time: u64,
    seq: u64,
    slot: u32,
}

impl Entry {
    #[inline]
    fn before(&self, other: &Entry) -> bool {
        (self.time, self.seq) < (other.time, other.seq)
    }
}

const FREE: u32 = u32::MAX;

struct Slot<E> {
    generation: u32,
    /// Position in the heap, or FREE.
    pos: u32,
    event: Option<E>,
}

/// A future-event list with deterministic ordering and O(log n) cancellation.
pub struct EventQueue<E> {
    heap: Vec<Entry>,
    slots: Vec<Slot<E>>,
    free: Vec<u32>,
    seq: u64,
    now: SimTime,
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
            heap: Vec::new(),
            slots: Vec::new(),
            free: Vec::new(),
            seq: 0,
            now: SimTime::ZERO,
        }
    }

    /// The time of the event last popped (the simulation clock).
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Number of scheduled, not yet fired or cancelled events.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True when no event is pending.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Schedules `event` at absolute time `at`. Scheduling in the past is a model bug; it
    /// is clamped to `now` so the clock never runs backwards.
    pub fn schedule_at(&mut self, at: SimTime, event: E) -> EventId {
        let time = at.max(self.now).0;
        let pos = self.heap.len() as u32;
        let slot = match self.free.pop() {
            Some(slot) => {
                let s = &mut self.slots[slot as usize];
                s.event = Some(event);
                s.pos = pos;
                slot
            }
            None => {
                self.slots.push(Slot {
                    generation: 0,
                    pos,
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
        self.sift_up(pos as usize);
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
        let slot = self.slots.get(id.slot as usize)?;
        if slot.generation != id.generation || slot.pos == FREE {
            return None;
        }
        let pos = slot.pos as usize;
        self.remove_at(pos);
        Some(self.release(id.slot))
    }

    /// Removes the earliest pending event, advances the clock to its time and returns it.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        let top = *self.heap.first()?;
        self.remove_at(0);
        self.now = SimTime(top.time);
        Some((self.now, self.release(top.slot)))
    }

    /// The time of the earliest pending event without removing it.
    pub fn peek_time(&mut self) -> Option<SimTime> {
        self.heap.first().map(|e| SimTime(e.time))
    }

    fn release(&mut self, slot: u32) -> E {
        let s = &mut self.slots[slot as usize];
        s.generation = s.generation.wrapping_add(1);
        s.pos = FREE;
        self.free.push(slot);
        s.event.take().expect("pending slot holds its event")
    }

    fn remove_at(&mut self, pos: usize) {
        let last = self.heap.pop().expect("remove from non-empty heap");
        if pos < self.heap.len() {
            self.heap[pos] = last;
            self.slots[last.slot as usize].pos = pos as u32;
            if pos > 0 && last.before(&self.heap[(pos - 1) / 2]) {
                self.sift_up(pos);
            } else {
                self.sift_down(pos);
            }
        }
    }

    fn place(&mut self, pos: usize, e: Entry) {
        self.heap[pos] = e;
        self.slots[e.slot as usize].pos = pos as u32;
    }

    fn sift_up(&mut self, mut pos: usize) {
        let e = self.heap[pos];
        while pos > 0 {
            let parent = (pos - 1) / 2;
            if !e.before(&self.heap[parent]) {
                break;
            }
            let p = self.heap[parent];
            self.place(pos, p);
            pos = parent;
        }
        self.place(pos, e);
    }

    fn sift_down(&mut self, mut pos: usize) {
        let e = self.heap[pos];
        let n = self.heap.len();
        loop {
            let left = 2 * pos + 1;
            if left >= n {
                break;
            }
            let right = left + 1;
            let child = if right < n && self.heap[right].before(&self.heap[left]) {
                right
            } else {
                left
            };
            if !self.heap[child].before(&e) {
                break;
            }
            let c = self.heap[child];
            self.place(pos, c);
            pos = child;
        }
        self.place(pos, e);
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
