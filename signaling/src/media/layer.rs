//! Which simulcast layer a viewer receives: the one it picks, or on Auto the one its
//! own link carries ([`Steering`]).
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

/// Which simulcast layer a viewer receives, as its player's quality menu names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layer {
    /// The best layer the viewer's link carries ([`Steering`]); Janus also drops to a
    /// lower one while a higher one stops coming.
    Auto,
    High,
    Medium,
    Low,
}

impl Layer {
    /// Janus's substream: 0 the smallest. With fewer than three layers Janus sends
    /// the largest there is for a higher one.
    fn substream(self) -> u8 {
        match self {
            Self::Auto | Self::High => 2,
            Self::Medium => 1,
            Self::Low => 0,
        }
    }

    /// The layer a stream of `layers` layers sends as `substream`, by the menu's names.
    pub fn of_substream(substream: u8, layers: u8) -> Self {
        match (substream, layers) {
            (0, 2 | 3) => Self::Low,
            (1, 3) => Self::Medium,
            _ => Self::High,
        }
    }
}

/// After a change of layer, how long the link has to settle (the queue of the larger
/// layer to drain) before losses count again.
const SETTLE: Duration = Duration::from_secs(3);
/// A step up followed by losses within this long failed: the next waits twice as long.
const PROBE: Duration = Duration::from_secs(10);
/// The longest wait before trying a larger layer again.
const MAX_WAIT: Duration = Duration::from_secs(300);

/// How Auto follows one viewer's link, from what Janus says of it: one layer down when
/// the viewer loses packets (Janus's `slowlink`), one up after a calm `wait`. The wait
/// doubles each time a step up brings losses back, up to [`MAX_WAIT`], and is back
/// to its start once a step up holds.
#[derive(Debug, Clone)]
pub struct Steering {
    picked: Layer,
    /// The largest substream the stream has.
    top: u8,
    /// The substream asked for now.
    current: u8,
    changed_at: Instant,
    calm_since: Instant,
    stepped_up_at: Option<Instant>,
    wait: Duration,
    first_wait: Duration,
}

impl Steering {
    /// Auto, at the largest of `layers`, from `now`; a step up after `wait` of calm.
    pub fn new(layers: u8, wait: Duration, now: Instant) -> Self {
        let top = layers.clamp(1, 3) - 1;
        Self {
            picked: Layer::Auto,
            top,
            current: top,
            changed_at: now,
            calm_since: now,
            stepped_up_at: None,
            wait,
            first_wait: wait,
        }
    }

    /// The viewer picks `layer`: the substream to ask for.
    pub fn pick(&mut self, layer: Layer, now: Instant) -> u8 {
        self.picked = layer;
        self.current = match layer {
            Layer::Auto => self.top,
            fixed => fixed.substream(),
        };
        self.changed_at = now;
        self.calm_since = now;
        self.stepped_up_at = None;
        self.wait = self.first_wait;
        self.current
    }

    /// The viewer loses packets: on Auto, the smaller substream to ask for, unless it
    /// is at the smallest or the last change has not settled.
    pub fn slow(&mut self, now: Instant) -> Option<u8> {
        if self.picked != Layer::Auto {
            return None;
        }
        self.calm_since = now;
        if self.current == 0 || now.duration_since(self.changed_at) < SETTLE {
            return None;
        }
        if let Some(up) = self.stepped_up_at.take() {
            if now.duration_since(up) < PROBE {
                self.wait = (self.wait * 2).min(MAX_WAIT);
            }
        }
        self.current -= 1;
        self.changed_at = now;
        Some(self.current)
    }

    /// Time passes: on Auto below the top, after `wait` without losses, the larger
    /// substream to ask for.
    pub fn calm(&mut self, now: Instant) -> Option<u8> {
        if let Some(up) = self.stepped_up_at {
            if now.duration_since(up) >= PROBE {
                self.stepped_up_at = None;
                self.wait = self.first_wait;
            }
        }
        if self.picked != Layer::Auto
            || self.current >= self.top
            || now.duration_since(self.calm_since) < self.wait
        {
            return None;
        }
        self.current += 1;
        self.changed_at = now;
        self.calm_since = now;
        self.stepped_up_at = Some(now);
        Some(self.current)
    }

    /// Whether Auto is below the stream's largest layer now.
    pub fn stepped_down(&self) -> bool {
        self.picked == Layer::Auto && self.current < self.top
    }

    /// What the viewer receives now, by the menu's names.
    pub fn receiving(&self) -> Layer {
        Layer::of_substream(self.current, self.top + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WAIT: Duration = Duration::from_secs(20);

    fn at(start: Instant, secs: u64) -> Instant {
        start + Duration::from_secs(secs)
    }

    #[test]
    fn auto_steps_down_on_losses_once_settled_and_up_after_a_calm_wait() {
        let t = Instant::now();
        let mut auto = Steering::new(3, WAIT, t);
        // Losses right after the start count only once the link settled.
        assert_eq!(auto.slow(at(t, 1)), None);
        assert_eq!(auto.slow(at(t, 4)), Some(1));
        assert_eq!(auto.receiving(), Layer::Medium);
        assert_eq!(auto.slow(at(t, 5)), None, "the step has not settled");
        assert_eq!(auto.slow(at(t, 8)), Some(0));
        assert_eq!(auto.slow(at(t, 12)), None, "nothing below the smallest");
        assert!(auto.stepped_down());
        // Calm for the wait since the last loss: one up.
        assert_eq!(auto.calm(at(t, 31)), None);
        assert_eq!(auto.calm(at(t, 32)), Some(1));
        assert_eq!(auto.calm(at(t, 40)), None, "each step up waits again");
        // Up again held past the probe: the wait is back to its start.
        assert_eq!(auto.calm(at(t, 52)), Some(2));
        assert!(!auto.stepped_down());
        assert_eq!(auto.calm(at(t, 200)), None, "nothing above the largest");
    }

    #[test]
    fn a_step_up_that_brings_losses_back_doubles_the_wait_up_to_the_most() {
        let t = Instant::now();
        let mut auto = Steering::new(2, WAIT, t);
        assert_eq!(auto.slow(at(t, 5)), Some(0));
        assert_eq!(auto.receiving(), Layer::Low);
        assert_eq!(auto.calm(at(t, 25)), Some(1));
        assert_eq!(auto.slow(at(t, 29)), Some(0), "the probe failed");
        assert_eq!(auto.calm(at(t, 29 + 39)), None);
        assert_eq!(auto.calm(at(t, 29 + 40)), Some(1));
        let mut now = 29 + 40;
        for _ in 0..10 {
            now += 4;
            assert_eq!(auto.slow(at(t, now)), Some(0));
            now += auto.wait.as_secs();
            assert_eq!(auto.calm(at(t, now)), Some(1));
        }
        assert_eq!(auto.wait, MAX_WAIT);
        // A probe that holds sets it back.
        assert_eq!(auto.calm(at(t, now + 10)), None);
        assert_eq!(auto.wait, WAIT);
    }

    #[test]
    fn a_picked_layer_is_kept_whatever_the_link_and_auto_starts_again_at_the_top() {
        let t = Instant::now();
        let mut auto = Steering::new(3, WAIT, t);
        assert_eq!(auto.pick(Layer::Low, t), 0);
        assert_eq!(auto.slow(at(t, 10)), None);
        assert_eq!(auto.calm(at(t, 100)), None);
        assert_eq!(auto.pick(Layer::Medium, t), 1);
        assert_eq!(auto.pick(Layer::High, t), 2);
        assert_eq!(auto.slow(at(t, 10)), None);
        assert_eq!(auto.pick(Layer::Auto, at(t, 10)), 2);
        assert_eq!(auto.slow(at(t, 14)), Some(1));
        // A stream of one layer: Auto has nowhere to go.
        let mut single = Steering::new(1, WAIT, t);
        assert_eq!(single.slow(at(t, 10)), None);
        assert_eq!(single.receiving(), Layer::High);
        assert_eq!(Layer::of_substream(1, 2), Layer::High);
    }
}
