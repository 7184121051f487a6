//! The original w3bstreaming program, as `../shared/seed/p2p-streaming.md` describes
//! it (two `BTreeMap`s, a profile holding its lists as `Vec`s, the whole state read at
//! once), rebuilt on gear 2.0 so that the benchmark can send it the same bytes as our
//! program and print the two side by side. Its `Action` and `Event` are the first five
//! variants of ours, field for field, so one payload means the same to both.
//!
//! It is kept as the seed wrote it, defects included (an id taken twice replaces the
//! first stream, nothing is validated): it is a yardstick, not a program to deploy.
#![no_std]

use gstd::{collections::BTreeMap, prelude::*, ActorId};

#[derive(Debug, Clone, Encode, Decode)]
pub enum Action {
    NewStream {
        title: String,
        description: Option<String>,
        start_time: u64,
        end_time: u64,
        img_link: String,
    },
    DeleteStream {
        stream_id: String,
    },
    EditStream {
        stream_id: String,
        start_time: Option<u64>,
        end_time: Option<u64>,
        title: Option<String>,
        img_link: Option<String>,
        description: Option<String>,
    },
    Subscribe {
        account_id: ActorId,
    },
    EditProfile {
        name: Option<String>,
        surname: Option<String>,
        img_link: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub enum Event {
    StreamIsScheduled { id: String },
    StreamDeleted { id: String },
    StreamEdited,
    Subscribed,
    ProfileEdited,
}

#[derive(Debug, Clone, Default, Encode, Decode)]
pub struct Stream {
    pub broadcaster: ActorId,
    pub start_time: u64,
    pub end_time: u64,
    pub title: String,
    pub img_link: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, Encode, Decode)]
pub struct Subscription {
    pub account_id: ActorId,
    pub sub_date: u64,
}

#[derive(Debug, Clone, Default, Encode, Decode)]
pub struct Profile {
    pub name: Option<String>,
    pub surname: Option<String>,
    pub img_link: Option<String>,
    pub stream_ids: Vec<String>,
    pub subscribers: Vec<ActorId>,
    pub subscriptions: Vec<Subscription>,
}

#[derive(Debug, Clone, Default, Encode, Decode)]
pub struct Program {
    pub streams: BTreeMap<String, Stream>,
    pub users: BTreeMap<ActorId, Profile>,
}

#[cfg(target_arch = "wasm32")]
mod entry {
    use super::*;
    use gstd::{exec, msg};

    static mut PROGRAM: Option<Program> = None;

    #[no_mangle]
    extern "C" fn init() {
        // SAFETY: the only reference to PROGRAM during this message.
        unsafe { *static_mut!(PROGRAM) = Some(Program::default()) };
    }

    #[no_mangle]
    extern "C" fn handle() {
        let action: Action = msg::load().expect("Unable to decode Action");
        // SAFETY: the only reference to PROGRAM during this message.
        let program = unsafe { static_mut!(PROGRAM) }
            .as_mut()
            .expect("The program is not initialized");
        let event = program.apply(action, msg::source(), exec::block_timestamp());
        msg::reply(event, 0).expect("Unable to send reply");
    }

    #[no_mangle]
    extern "C" fn state() {
        // SAFETY: the only reference to PROGRAM during this call.
        let program = unsafe { static_ref!(PROGRAM) }
            .as_ref()
            .expect("The program is not initialized");
        msg::reply(program, 0).expect("Failed to share state");
    }
}

impl Program {
    /// What the seed's `handle` does with `action`; it panics where the seed panics.
    pub fn apply(&mut self, action: Action, source: ActorId, now: u64) -> Event {
        match action {
            Action::NewStream {
                title,
                description,
                start_time,
                end_time,
                img_link,
            } => {
                let stream_id = now.to_string() + &title;
                let Some(profile) = self.users.get_mut(&source) else {
                    panic!("Account is no registered");
                };
                profile.stream_ids.push(stream_id.clone());
                self.streams.insert(
                    stream_id.clone(),
                    Stream {
                        broadcaster: source,
                        start_time,
                        end_time,
                        title,
                        img_link,
                        description,
                    },
                );
                Event::StreamIsScheduled { id: stream_id }
            }
            Action::DeleteStream { stream_id } => {
                let Some(profile) = self.users.get_mut(&source) else {
                    panic!("Account is no registered");
                };
                let Some(index) = profile.stream_ids.iter().position(|id| *id == stream_id) else {
                    panic!("Id is not exist");
                };
                profile.stream_ids.remove(index);
                match self.streams.get(&stream_id) {
                    Some(stream) if stream.broadcaster == source => {
                        self.streams.remove(&stream_id);
                    }
                    Some(_) => panic!("You are not broadcaster"),
                    None => panic!("Id is not exist"),
                }
                Event::StreamDeleted { id: stream_id }
            }
            Action::EditStream {
                stream_id,
                start_time,
                end_time,
                title,
                img_link,
                description,
            } => {
                let Some(stream) = self.streams.get_mut(&stream_id) else {
                    panic!("Id is not exist");
                };
                if stream.broadcaster != source {
                    panic!("You are not broadcaster");
                }
                if let Some(start_time) = start_time {
                    stream.start_time = start_time;
                }
                if let Some(end_time) = end_time {
                    stream.end_time = end_time;
                }
                if let Some(title) = title {
                    stream.title = title;
                }
                if let Some(img_link) = img_link {
                    stream.img_link = img_link;
                }
                stream.description = description;
                Event::StreamEdited
            }
            Action::Subscribe { account_id } => {
                if !self.users.contains_key(&account_id) {
                    panic!("The user is not found");
                }
                if !self.users.contains_key(&source) {
                    panic!("You are not registered");
                }
                self.users
                    .entry(account_id)
                    .and_modify(|profile| profile.subscribers.push(source));
                self.users.entry(source).and_modify(|profile| {
                    profile.subscriptions.push(Subscription {
                        account_id,
                        sub_date: now,
                    })
                });
                Event::Subscribed
            }
            Action::EditProfile {
                name,
                surname,
                img_link,
            } => {
                self.users
                    .entry(source)
                    .and_modify(|profile| {
                        profile.name = name.clone();
                        profile.surname = surname.clone();
                        profile.img_link = img_link.clone();
                    })
                    .or_insert_with(|| Profile {
                        name,
                        surname,
                        img_link,
                        ..Profile::default()
                    });
                Event::ProfileEdited
            }
        }
    }
}

#[cfg(feature = "std")]
mod artifacts {
    include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));
}
#[cfg(feature = "std")]
pub use artifacts::WASM_BINARY_OPT;
