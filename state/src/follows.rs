//! Follows: who follows whom, in two mirrored indices, the counts each profile keeps
//! of them, and the two lists the queries page through.
use crate::{
    query::all,
    records::{Count, UserRecord},
    schedule::Schedule,
    user_no::UserNo,
};
use gstd::ActorId;
use w3bstreaming_io::Error;

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

    /// An account's followers from after the cursor account; none for an unknown
    /// account.
    pub(crate) fn follower_list(
        &self,
        broadcaster: ActorId,
        after: Option<ActorId>,
    ) -> Result<impl Iterator<Item = (UserNo, bool)> + Clone + '_, Error> {
        let followers = self
            .account_range(broadcaster, after)?
            .into_iter()
            .flat_map(|range| self.followers.keys_in(range).map(|(_, follower)| follower));
        Ok(all(followers))
    }

    /// The accounts an account follows, with since when, from after the cursor
    /// account; none for an unknown account.
    pub(crate) fn follow_list(
        &self,
        subscriber: ActorId,
        after: Option<ActorId>,
    ) -> Result<impl Iterator<Item = ((UserNo, u64), bool)> + Clone + '_, Error> {
        Ok(all(self.pairs_of(&self.follows, subscriber, after)?))
    }
}
