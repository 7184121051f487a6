//! What the program should do, written again as plainly as possible: ordered maps, no
//! indices, no layout concerns. The randomized test compares the program with it after
//! every message.
use gstd::ActorId;
use std::collections::{BTreeMap, BTreeSet};
use w3bstreaming_io::{
    limits::{
        MAX_ACCOUNTS, MAX_DESCRIPTION_LEN, MAX_FOLLOWS, MAX_LINK_LEN, MAX_NAME_LEN, MAX_ROLES,
        MAX_SCHEDULE_AHEAD_MS, MAX_STREAMS, MAX_STREAMS_PER_BROADCASTER, MAX_STREAM_DURATION_MS,
        MAX_TEXT_BYTES, MAX_TIP_MESSAGE_LEN, MAX_TITLE_LEN, MAX_WATCHES, MIN_TIP,
        PRUNED_PER_MESSAGE, RETENTION_MS,
    },
    Action, ChannelRole, Error, Event, Field, Profile, Stream, Subscription, Tip,
};

const FIRST_NUMBER: u64 = 1_000_000_000_000;
const LAST_NUMBER: u64 = 9_999_999_999_999;

#[derive(Clone, Debug, Default)]
struct User {
    name: Option<String>,
    surname: Option<String>,
    img_link: Option<String>,
}

#[derive(Clone, Debug)]
struct StreamEntry {
    id: String,
    stream: Stream,
}

impl User {
    fn text(&self) -> usize {
        [&self.name, &self.surname, &self.img_link]
            .iter()
            .flat_map(|text| text.as_deref())
            .map(str::len)
            .sum()
    }
}

impl StreamEntry {
    fn text(&self) -> usize {
        let s = &self.stream;
        self.id.len()
            + s.title.len()
            + s.img_link.len()
            + s.description.as_ref().map_or(0, String::len)
    }
}

#[derive(Clone, Debug, Default)]
pub struct Reference {
    users: BTreeMap<ActorId, User>,
    /// By stream number.
    streams: BTreeMap<u64, StreamEntry>,
    /// (follower, followed) to the time of the follow.
    follows: BTreeMap<(ActorId, ActorId), u64>,
    /// (broadcaster, account) to the account's role in the channel.
    roles: BTreeMap<(ActorId, ActorId), ChannelRole>,
    last_number: Option<u64>,
    /// Every tip's receipt, the first numbered 1 (the model stays far below
    /// `MAX_TIPS`).
    tips: Vec<Tip>,
}

impl Reference {
    /// Applies one message carrying `value`; a rejected one changes nothing, pruning
    /// included.
    pub fn apply(
        &mut self,
        sender: ActorId,
        now: u64,
        value: u128,
        action: &Action,
    ) -> Result<Event, Error> {
        let mut next = self.clone();
        next.prune(now);
        let result = match action {
            Action::Tip { stream_id, message } => next.tip(sender, now, value, stream_id, message),
            _ if value != 0 => Err(Error::UnexpectedValue),
            _ => next.act(sender, now, action),
        };
        if result.is_ok() {
            *self = next;
        }
        result
    }

    /// The ids a test can aim actions at: every stream's.
    pub fn stream_ids(&self) -> Vec<String> {
        self.streams
            .values()
            .map(|entry| entry.id.clone())
            .collect()
    }

    /// The ids of the streams whose broadcaster `of` picks.
    pub fn stream_ids_by(&self, of: impl Fn(ActorId) -> bool) -> Vec<String> {
        self.streams
            .values()
            .filter(|entry| of(entry.stream.broadcaster))
            .map(|entry| entry.id.clone())
            .collect()
    }

    /// The accounts `follower` follows: what an `Unsubscribe` that succeeds names.
    pub fn followed_by(&self, follower: ActorId) -> Vec<ActorId> {
        self.follows
            .keys()
            .filter(|(from, _)| *from == follower)
            .map(|&(_, followed)| followed)
            .collect()
    }

    /// The ids of the streams `viewer` marked to watch: what an `Unwatch` that succeeds
    /// names.
    pub fn marked_by(&self, viewer: ActorId) -> Vec<String> {
        self.streams
            .values()
            .filter(|entry| entry.stream.watchers.contains(&viewer))
            .map(|entry| entry.id.clone())
            .collect()
    }

    /// The ids of the streams that end exactly at `time`: where `Watch` turns from
    /// allowed to refused.
    pub fn ids_ending_at(&self, time: u64) -> Vec<String> {
        self.streams
            .values()
            .filter(|entry| entry.stream.end_time == time)
            .map(|entry| entry.id.clone())
            .collect()
    }

    /// The full `Streams` reply, watchers sorted.
    pub fn streams(&self) -> Vec<(String, Stream)> {
        self.streams
            .values()
            .map(|entry| (entry.id.clone(), entry.stream.clone()))
            .collect()
    }

    /// The roles in `broadcaster`'s channel, in account order.
    pub fn roles(&self, broadcaster: ActorId) -> Vec<(ActorId, ChannelRole)> {
        self.roles
            .iter()
            .filter(|((channel, _), _)| *channel == broadcaster)
            .map(|(&(_, account), &role)| (account, role))
            .collect()
    }

    /// The tips `broadcaster` received, the latest first.
    pub fn tips_received(&self, broadcaster: ActorId) -> Vec<(u64, Tip)> {
        let mut tips: Vec<(u64, Tip)> = (1..)
            .zip(&self.tips)
            .filter(|(_, tip)| tip.broadcaster == broadcaster)
            .map(|(number, tip)| (number, tip.clone()))
            .collect();
        tips.reverse();
        tips
    }

    fn tip(
        &mut self,
        sender: ActorId,
        now: u64,
        value: u128,
        stream_id: &str,
        message: &str,
    ) -> Result<Event, Error> {
        self.registered(sender)?;
        check_len(Field::Message, Some(message), MAX_TIP_MESSAGE_LEN)?;
        if value == 0 {
            return Err(Error::TipWithoutValue);
        }
        if value < MIN_TIP {
            return Err(Error::TipTooSmall);
        }
        let broadcaster = self.streams[&self.find(stream_id)?].stream.broadcaster;
        if broadcaster == sender {
            return Err(Error::TipOwnStream);
        }
        self.tips.push(Tip {
            tipper: sender,
            broadcaster,
            stream_id: stream_id.into(),
            amount: value,
            time: now,
            message: message.into(),
        });
        Ok(Event::Tipped {
            number: self.tips.len() as u64,
        })
    }

    /// The full `Users` reply, every list sorted.
    pub fn users(&self) -> Vec<(ActorId, Profile)> {
        self.users
            .iter()
            .map(|(&account, user)| {
                let profile = Profile {
                    name: user.name.clone(),
                    surname: user.surname.clone(),
                    img_link: user.img_link.clone(),
                    stream_ids: self
                        .streams
                        .values()
                        .filter(|entry| entry.stream.broadcaster == account)
                        .map(|entry| entry.id.clone())
                        .collect(),
                    subscribers: self
                        .follows
                        .keys()
                        .filter(|(_, followed)| *followed == account)
                        .map(|&(follower, _)| follower)
                        .collect(),
                    subscriptions: self
                        .follows
                        .iter()
                        .filter(|((follower, _), _)| *follower == account)
                        .map(|(&(_, account_id), &sub_date)| Subscription {
                            account_id,
                            sub_date,
                        })
                        .collect(),
                };
                (account, profile)
            })
            .collect()
    }

    fn prune(&mut self, now: u64) {
        for _ in 0..PRUNED_PER_MESSAGE {
            let oldest = self
                .streams
                .iter()
                .min_by_key(|(&number, entry)| (entry.stream.start_time, number))
                .map(|(&number, entry)| (number, entry.stream.end_time));
            match oldest {
                Some((number, end)) if end + RETENTION_MS <= now => {
                    self.streams.remove(&number);
                }
                _ => return,
            }
        }
    }

    /// Bytes of text stored: every profile field and every stream's id, title, link
    /// and description.
    fn text(&self) -> usize {
        let profiles: usize = self.users.values().map(User::text).sum();
        let streams: usize = self.streams.values().map(StreamEntry::text).sum();
        profiles + streams
    }

    fn text_fits(&self, old: usize, new: usize) -> Result<(), Error> {
        if self.text() - old + new > MAX_TEXT_BYTES {
            return Err(Error::TextFull);
        }
        Ok(())
    }

    fn registered(&self, account: ActorId) -> Result<(), Error> {
        if self.users.contains_key(&account) {
            Ok(())
        } else {
            Err(Error::NotRegistered)
        }
    }

    fn find(&self, id: &str) -> Result<u64, Error> {
        self.streams
            .iter()
            .find(|(_, entry)| entry.id == id)
            .map(|(&number, _)| number)
            .ok_or(Error::StreamNotFound)
    }

    fn own(&self, sender: ActorId, id: &str) -> Result<u64, Error> {
        self.registered(sender)?;
        let number = self.find(id)?;
        if self.streams[&number].stream.broadcaster != sender {
            return Err(Error::NotBroadcaster);
        }
        Ok(number)
    }

    fn act(&mut self, sender: ActorId, now: u64, action: &Action) -> Result<Event, Error> {
        match action.clone() {
            Action::NewStream {
                title,
                description,
                start_time,
                end_time,
                img_link,
            } => {
                self.registered(sender)?;
                check_stream(&title, &img_link, &description, start_time, end_time, now)?;
                let owned = self
                    .streams
                    .values()
                    .filter(|entry| entry.stream.broadcaster == sender)
                    .count();
                if owned >= MAX_STREAMS_PER_BROADCASTER {
                    return Err(Error::TooManyStreams);
                }
                if self.streams.len() >= MAX_STREAMS {
                    return Err(Error::StreamsFull);
                }
                let number = now
                    .max(self.last_number.map_or(FIRST_NUMBER, |last| last + 1))
                    .max(FIRST_NUMBER);
                if number > LAST_NUMBER {
                    return Err(Error::StreamIdsExhausted);
                }
                let text = 13
                    + 2 * title.len()
                    + img_link.len()
                    + description.as_ref().map_or(0, String::len);
                self.text_fits(0, text)?;
                let id = format!("{number}{title}");
                self.last_number = Some(number);
                let stream = Stream {
                    broadcaster: sender,
                    start_time,
                    end_time,
                    title,
                    img_link,
                    description,
                    watchers: Vec::new(),
                };
                self.streams.insert(
                    number,
                    StreamEntry {
                        id: id.clone(),
                        stream,
                    },
                );
                Ok(Event::StreamIsScheduled { id })
            }
            Action::DeleteStream { stream_id } => {
                let number = self.own(sender, &stream_id)?;
                self.streams.remove(&number);
                Ok(Event::StreamDeleted { id: stream_id })
            }
            Action::EditStream {
                stream_id,
                start_time,
                end_time,
                title,
                img_link,
                description,
            } => {
                let number = self.own(sender, &stream_id)?;
                let old = self.streams[&number].text();
                let stored = self.text();
                let entry = self.streams.get_mut(&number).expect("found");
                let id_len = entry.id.len();
                let stream = &mut entry.stream;
                let title = title.unwrap_or_else(|| stream.title.clone());
                let img_link = img_link.unwrap_or_else(|| stream.img_link.clone());
                let start_time = start_time.unwrap_or(stream.start_time);
                let end_time = end_time.unwrap_or(stream.end_time);
                check_stream(&title, &img_link, &description, start_time, end_time, now)?;
                let new = id_len
                    + title.len()
                    + img_link.len()
                    + description.as_ref().map_or(0, String::len);
                if stored - old + new > MAX_TEXT_BYTES {
                    return Err(Error::TextFull);
                }
                stream.title = title;
                stream.img_link = img_link;
                stream.description = description;
                stream.start_time = start_time;
                stream.end_time = end_time;
                Ok(Event::StreamEdited)
            }
            Action::Subscribe { account_id } => {
                self.registered(sender)?;
                if !self.users.contains_key(&account_id) {
                    return Err(Error::AccountNotFound);
                }
                if account_id == sender {
                    return Err(Error::SelfSubscription);
                }
                if self.follows.contains_key(&(sender, account_id)) {
                    return Err(Error::AlreadySubscribed);
                }
                if self.follows.len() >= MAX_FOLLOWS {
                    return Err(Error::FollowsFull);
                }
                self.follows.insert((sender, account_id), now);
                Ok(Event::Subscribed)
            }
            Action::EditProfile {
                name,
                surname,
                img_link,
            } => {
                check_len(Field::Name, name.as_deref(), MAX_NAME_LEN)?;
                check_len(Field::Surname, surname.as_deref(), MAX_NAME_LEN)?;
                check_len(Field::ImgLink, img_link.as_deref(), MAX_LINK_LEN)?;
                if !self.users.contains_key(&sender) && self.users.len() >= MAX_ACCOUNTS {
                    return Err(Error::AccountsFull);
                }
                let old = self.users.get(&sender).map_or(0, User::text);
                let new = [&name, &surname, &img_link]
                    .iter()
                    .flat_map(|t| t.as_deref())
                    .map(str::len)
                    .sum();
                self.text_fits(old, new)?;
                self.users.insert(
                    sender,
                    User {
                        name,
                        surname,
                        img_link,
                    },
                );
                Ok(Event::ProfileEdited)
            }
            Action::Unsubscribe { account_id } => {
                self.registered(sender)?;
                if self.follows.remove(&(sender, account_id)).is_none() {
                    return Err(Error::NotSubscribed);
                }
                Ok(Event::Unsubscribed)
            }
            Action::Watch { stream_id } => {
                self.registered(sender)?;
                let number = self.find(&stream_id)?;
                let watches: usize = self.streams.values().map(|e| e.stream.watchers.len()).sum();
                let stream = &mut self.streams.get_mut(&number).expect("found").stream;
                if stream.broadcaster == sender {
                    return Err(Error::OwnStream);
                }
                if stream.end_time <= now {
                    return Err(Error::StreamEnded);
                }
                let mut watchers: BTreeSet<ActorId> = stream.watchers.iter().copied().collect();
                if !watchers.insert(sender) {
                    return Err(Error::AlreadyWatching);
                }
                if watches >= MAX_WATCHES {
                    return Err(Error::WatchesFull);
                }
                stream.watchers = watchers.into_iter().collect();
                Ok(Event::WatchMarked)
            }
            Action::Unwatch { stream_id } => {
                self.registered(sender)?;
                let number = self.find(&stream_id)?;
                let stream = &mut self.streams.get_mut(&number).expect("found").stream;
                let before = stream.watchers.len();
                stream.watchers.retain(|&watcher| watcher != sender);
                if stream.watchers.len() == before {
                    return Err(Error::NotWatching);
                }
                Ok(Event::WatchUnmarked)
            }
            Action::SetChannelRole { account_id, role } => {
                self.registered(sender)?;
                if !self.users.contains_key(&account_id) {
                    return Err(Error::AccountNotFound);
                }
                if account_id == sender {
                    return Err(Error::OwnChannel);
                }
                let key = (sender, account_id);
                let held = self.roles.get(&key).copied();
                if held == role {
                    return Err(match role {
                        Some(_) => Error::AlreadyInRole,
                        None => Error::NoChannelRole,
                    });
                }
                match role {
                    Some(_) if held.is_none() && self.roles.len() >= MAX_ROLES => {
                        return Err(Error::RolesFull)
                    }
                    Some(role) => self.roles.insert(key, role),
                    None => self.roles.remove(&key),
                };
                Ok(Event::ChannelRoleSet)
            }
            Action::Query(query) => {
                panic!("the model sends no queries as actions, and got {query:?}")
            }
            Action::Tip { .. } => unreachable!("apply takes tips"),
        }
    }
}

fn check_len(field: Field, text: Option<&str>, limit: usize) -> Result<(), Error> {
    match text {
        Some(text) if text.len() > limit => Err(Error::TooLong(field)),
        _ => Ok(()),
    }
}

fn check_stream(
    title: &str,
    img_link: &str,
    description: &Option<String>,
    start: u64,
    end: u64,
    now: u64,
) -> Result<(), Error> {
    if title.trim().is_empty() {
        return Err(Error::EmptyTitle);
    }
    check_len(Field::Title, Some(title), MAX_TITLE_LEN)?;
    check_len(Field::ImgLink, Some(img_link), MAX_LINK_LEN)?;
    check_len(
        Field::Description,
        description.as_deref(),
        MAX_DESCRIPTION_LEN,
    )?;
    if end <= start {
        return Err(Error::EndNotAfterStart);
    }
    if end <= now {
        return Err(Error::EndInPast);
    }
    if end - start > MAX_STREAM_DURATION_MS {
        return Err(Error::StreamTooLong);
    }
    if start > now + MAX_SCHEDULE_AHEAD_MS {
        return Err(Error::StartTooFarAhead);
    }
    Ok(())
}
