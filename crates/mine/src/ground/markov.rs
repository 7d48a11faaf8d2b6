//! Where each class is: a Markov chain of classes along a heading, in steps of `step_m`.
//!
//! Class *i* lasts a geometric number of steps with mean `r_i = mean_run_m / step_m`
//! (it is left with probability `e_i = 1 / r_i` per step); on leaving, the next class *j*
//! is drawn with probability `J_ij = w_j / (1 - w_i)` (`sum w = 1`). The long-run share of
//! class *i* is the declared `pi_i` exactly when the flows balance, `sum_{i != j} F_i J_ij =
//! F_j` with `F_i = pi_i e_i` (the rate at which runs of *i* end): `w` is found by a fixed
//! point and the balance is checked. It holds only if no class's flow exceeds the others'
//! together (with two classes, only if `pi_1 / r_1 = pi_2 / r_2`); otherwise the shares
//! and runs are refused.

use super::config::GroundConfig;
use rand::Rng;

/// The chain of one manto's classes.
#[derive(Clone, Debug, PartialEq)]
pub struct Chain {
    /// Long-run shares (declared), in class order.
    pub shares: Vec<f64>,
    /// Probability of leaving each class per step.
    pub exit: Vec<f64>,
    /// Cumulative jump probabilities per class (row i: to classes 0..n).
    cum_jump: Vec<Vec<f64>>,
    cum_share: Vec<f64>,
}

impl Chain {
    /// The chain with `shares` (in class order) and the classes' mean runs; an error
    /// message when they cannot hold together.
    pub fn new(cfg: &GroundConfig, shares: &[f64]) -> Result<Chain, String> {
        let n = cfg.classes.len();
        let sum: f64 = shares.iter().sum();
        if !((sum - 1.0).abs() <= 1e-6) {
            return Err(format!(
                "class shares must add up to 1 (they add up to {})",
                des::input::fmt_num(sum)
            ));
        }
        let exit: Vec<f64> = cfg
            .classes
            .iter()
            .map(|c| (cfg.step_m / c.mean_run_m).min(1.0))
            .collect();
        let active: Vec<usize> = (0..n).filter(|&i| shares[i] > 0.0).collect();
        let flow: Vec<f64> = (0..n).map(|i| shares[i] * exit[i]).collect();
        let mut w = vec![0.0; n];
        match active.len() {
            0 => return Err("no class has a share above 0".into()),
            1 => w[active[0]] = 1.0,
            2 => {
                let (a, b) = (active[0], active[1]);
                let ra = cfg.classes[a].mean_run_m;
                let rb = cfg.classes[b].mean_run_m;
                if (flow[a] - flow[b]).abs() > 1e-9 * flow[a].max(flow[b]) {
                    return Err(format!(
                        "with two classes the shares follow from the mean runs: {} {} and {} {} (share = mean_run_m / sum of both)",
                        cfg.classes[a].name,
                        des::input::fmt_num(ra / (ra + rb)),
                        cfg.classes[b].name,
                        des::input::fmt_num(rb / (ra + rb))
                    ));
                }
                w[a] = 0.5;
                w[b] = 0.5;
            }
            _ => {
                let total: f64 = active.iter().map(|&i| flow[i]).sum();
                for &i in &active {
                    w[i] = flow[i] / total;
                }
                for _ in 0..10_000 {
                    let mut next = vec![0.0; n];
                    for &j in &active {
                        let inflow: f64 = active
                            .iter()
                            .filter(|&&i| i != j)
                            .map(|&i| flow[i] / (1.0 - w[i]).max(1e-300))
                            .sum();
                        next[j] = flow[j] / inflow;
                    }
                    let s: f64 = next.iter().sum();
                    let mut change: f64 = 0.0;
                    for &j in &active {
                        let v = next[j] / s;
                        change = change.max((v - w[j]).abs());
                        w[j] = v;
                    }
                    if change < 1e-15 {
                        break;
                    }
                }
                for &j in &active {
                    let inflow: f64 = active
                        .iter()
                        .filter(|&&i| i != j)
                        .map(|&i| flow[i] * w[j] / (1.0 - w[i]))
                        .sum();
                    if !((inflow - flow[j]).abs() <= 1e-6 * flow[j]) || w[j] >= 1.0 {
                        return Err(format!(
                            "class {} cannot hold its share with its mean run: share / mean run must not exceed the other classes' together (raise its mean_run_m or the others' shares)",
                            cfg.classes[j].name
                        ));
                    }
                }
            }
        }
        let cum_jump = (0..n)
            .map(|i| {
                let mut acc = 0.0;
                (0..n)
                    .map(|j| {
                        if j != i && shares[j] > 0.0 {
                            acc += w[j] / (1.0 - w[i]);
                        }
                        acc
                    })
                    .collect()
            })
            .collect();
        let mut acc = 0.0;
        let cum_share = shares
            .iter()
            .map(|s| {
                acc += s;
                acc
            })
            .collect();
        Ok(Chain {
            shares: shares.to_vec(),
            exit,
            cum_jump,
            cum_share,
        })
    }

    /// A class drawn from the long-run shares (the first step of a heading).
    pub fn start<R: Rng + ?Sized>(&self, rng: &mut R) -> u8 {
        pick(
            &self.cum_share,
            rng.random::<f64>() * self.cum_share[self.cum_share.len() - 1],
        )
    }

    /// The class of the next step after `cur` (one uniform draw).
    pub fn next<R: Rng + ?Sized>(&self, cur: u8, rng: &mut R) -> u8 {
        let c = cur as usize;
        let u: f64 = rng.random();
        let e = self.exit[c];
        if u >= e {
            return cur;
        }
        let row = &self.cum_jump[c];
        let last = row[row.len() - 1];
        if last <= 0.0 {
            return cur;
        }
        pick(row, u / e * last)
    }
}

/// The first index whose cumulative value exceeds `u` (the last with a positive step if
/// rounding leaves `u` at the top).
fn pick(cum: &[f64], u: f64) -> u8 {
    let mut prev = 0.0;
    let mut last = 0;
    for (i, &c) in cum.iter().enumerate() {
        if c > prev {
            if u < c {
                return i as u8;
            }
            last = i;
        }
        prev = c;
    }
    last as u8
}
