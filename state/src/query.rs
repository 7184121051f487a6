use crate::Schedule;
use w3bstreaming_io::{StateQuery, StateReply};

impl Schedule {
    /// Answers a `state` query, exactly as the program's `state` export does.
    pub fn query(&self, query: StateQuery) -> StateReply {
        match query {
            StateQuery::Streams => StateReply::Streams(
                self.streams
                    .values()
                    .map(|record| (record.id.clone(), record.to_stream()))
                    .collect(),
            ),
            StateQuery::Users => StateReply::Users(
                self.users
                    .iter()
                    .map(|(&account, user)| {
                        (
                            account,
                            user.to_profile(|number| self.streams[&number].id.clone()),
                        )
                    })
                    .collect(),
            ),
        }
    }
}
