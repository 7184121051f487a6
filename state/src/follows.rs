//! Follows: who follows whom, in two mirrored indices, and the counts each profile
//! keeps of them.
use crate::{
    records::{Count, UserRecord},
    schedule::Schedule,
    user_no::UserNo,
};
use gstd::ActorId;

impl Schedule {
    /// Whether no new follow can be stored.
    pub fn follows_full(&self) -> bool {
        self.follows.len() >= self.capacity.follows
    }

    pub fn follows(&self, follower: ActorId, account: ActorId) -> bool {
        match (self.user_no(follower), self.user_no(account)) {
            (Some(follower), Some(account)) => self.follows.contains_key(&(follower, account)),
            _ => false,
        }
    }

    /// Makes `follower` follow `account` since `now`.
    /// Preconditions: both are registered and distinct, and the follow is new.
    pub fn subscribe(&mut self, follower: ActorId, account: ActorId, now: u64) {
        let follower_no = self.registered_no(follower);
        let account_no = self.registered_no(account);
        assert!(follower_no != account_no, "accounts are distinct");
        assert!(
            self.followers
                .insert((account_no, follower_no), ())
                .is_none(),
            "follow is new"
        );
        self.follows.insert((follower_no, account_no), now);
        self.count(account_no, Count::Subscribers, true);
        self.count(follower_no, Count::Subscriptions, true);
    }

    /// Ends `follower` following `account`. Precondition: it follows it.
    pub fn unsubscribe(&mut self, follower: ActorId, account: ActorId) {
        let follower_no = self.registered_no(follower);
        let account_no = self.registered_no(account);
        assert!(
            self.followers.remove(&(account_no, follower_no)).is_some(),
            "follower follows account"
        );
        self.follows.remove(&(follower_no, account_no));
        self.count(account_no, Count::Subscribers, false);
        self.count(follower_no, Count::Subscriptions, false);
    }

    fn count(&mut self, number: UserNo, count: Count, up: bool) {
        let bytes = self
            .users
            .get_mut(number.get())
            .expect("an account's number names its profile");
        UserRecord::bump(bytes, count, up);
    }
}
