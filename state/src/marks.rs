//! Marks to watch: a stream's watchers and a viewer's marked streams, two mirrored
//! indices, and the marks of removed streams, dropped a batch per message.
use crate::{
    schedule::{watchers_of, Schedule},
    stream_number::StreamNumber,
    user_no::UserNo,
};
use gstd::ActorId;
use w3bstreaming_io::limits::MARKS_DROPPED_PER_MESSAGE;

impl Schedule {
    /// How many marks to watch are stored, those of removed streams still waiting to
    /// be dropped included.
    pub fn mark_count(&self) -> usize {
        self.watchers.len()
    }

    /// Whether no new mark to watch can be stored.
    pub fn watches_full(&self) -> bool {
        self.watchers.len() >= self.capacity.watches
    }

    pub fn is_watching(&self, number: StreamNumber, viewer: ActorId) -> bool {
        self.user_no(viewer)
            .is_some_and(|viewer| self.watchers.contains_key(&(number, viewer)))
    }

    /// Drops up to [`MARKS_DROPPED_PER_MESSAGE`] marks of removed streams, oldest
    /// removal first: what every message does, so that a stream with many watchers
    /// is forgotten over several messages instead of one that would not fit.
    pub fn drop_removed_marks(&mut self) {
        let mut left = MARKS_DROPPED_PER_MESSAGE;
        while let Some(&number) = self.unmarking.front() {
            let dropped = self.drop_marks(number, left);
            if dropped < left {
                self.unmarking.pop_front();
            }
            left -= dropped;
            if left == 0 {
                break;
            }
        }
    }

    /// Drops up to `at_most` (at most [`MARKS_DROPPED_PER_MESSAGE`]) of a removed
    /// stream's marks from both mark indices; how many.
    pub(crate) fn drop_marks(&mut self, number: StreamNumber, at_most: usize) -> usize {
        let mut viewers = [UserNo::MIN; MARKS_DROPPED_PER_MESSAGE];
        let mut count = 0;
        for (_, viewer) in self.watchers.keys_in(watchers_of(number)).take(at_most) {
            viewers[count] = viewer;
            count += 1;
        }
        let Some((&first, &last)) = viewers[..count].first().zip(viewers[..count].last()) else {
            return 0;
        };
        // The viewers come in viewer order, the order of the marks' index.
        self.marked
            .remove_sorted(viewers[..count].iter().map(|&viewer| (viewer, number)));
        self.watchers.remove_range((number, first)..=(number, last));
        count
    }

    /// Adds `viewer` to a stream's watchers. Preconditions: the stream exists and
    /// `viewer` is not yet a watcher.
    pub fn watch(&mut self, number: StreamNumber, viewer: ActorId) {
        assert!(self.streams.contains_key(number.get()), "stream exists");
        let viewer = self.registered_no(viewer);
        assert!(
            self.watchers.insert((number, viewer), ()).is_none(),
            "viewer is not yet a watcher"
        );
        self.marked.insert((viewer, number), ());
    }

    /// Removes `viewer` from a stream's watchers. Precondition: `viewer` is a watcher.
    pub fn unwatch(&mut self, number: StreamNumber, viewer: ActorId) {
        let viewer = self.registered_no(viewer);
        assert!(
            self.watchers.remove(&(number, viewer)).is_some(),
            "viewer is a watcher"
        );
        self.marked.remove(&(viewer, number));
    }
}
