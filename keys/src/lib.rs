//! Vara accounts as polkadot-js wallets handle them, shared by the servers: account ids
//! in hex and SS58 ([`AccountId`]), signatures of raw bytes as an extension's `signRaw`
//! makes them ([`signature`]), and the development keys `//Alice`, `//Bob`, ... of
//! Substrate's development phrase ([`dev`]).
pub mod account;
pub mod dev;
pub mod signature;

pub use account::{AccountId, VARA_SS58};
pub use schnorrkel::Keypair;
