//! The event-loop ceiling: a "hold" model that pops an event and schedules one more at a
//! pseudo-random later time, with no model work. Run with `cargo bench -p manto-des`.

use divan::counter::ItemsCount;
use divan::Bencher;
use manto_des::{EventQueue, SimTime};

fn main() {
    divan::main();
}

const EVENTS: u64 = 1_000_000;

/// Hold model with `pending` events in the queue (a section has about 10 pending).
#[divan::bench(args = [10, 1_000])]
fn hold(bencher: Bencher, pending: u64) {
    bencher.counter(ItemsCount::new(EVENTS)).bench_local(|| {
        let mut q = EventQueue::new();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for i in 0..pending {
            q.schedule_at(SimTime(i), i as u32);
        }
        for _ in 0..EVENTS {
            let (_, e) = q.pop().expect("queue never empties");
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            q.schedule_in(SimTime(x % 100_000), e);
        }
        divan::black_box(q.len())
    });
}

/// Hold model where every third event is cancelled and replaced (pre-emption traffic).
#[divan::bench]
fn hold_with_cancellation(bencher: Bencher) {
    bencher.counter(ItemsCount::new(EVENTS)).bench_local(|| {
        let mut q = EventQueue::new();
        let mut ids: Vec<_> = (0..10u32)
            .map(|i| q.schedule_at(SimTime(u64::from(i)), i))
            .collect();
        let mut x: u64 = 1;
        for n in 0..EVENTS {
            let (_, e) = q.pop().expect("queue never empties");
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            ids[e as usize] = q.schedule_in(SimTime((x >> 33) % 100_000), e);
            if n % 3 == 0 {
                let victim = ((x >> 20) % 10) as usize;
                if let Some(ev) = q.cancel(ids[victim]) {
                    ids[victim] = q.schedule_in(SimTime((x >> 40) % 100_000), ev);
                }
            }
        }
        divan::black_box(q.len())
    });
}
