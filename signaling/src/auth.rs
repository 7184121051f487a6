//! Who is on the other end of a connection. Each connection gets a single-use
//! challenge; a client proves it holds an account by signing the challenge's text
//! with polkadot-js `signRaw` (sr25519 over `<Bytes>text</Bytes>`, context
//! `substrate`). The account is then bound to the connection for its lifetime.
use crate::{echo::Echo, refusal::Refusal};
use serde::Serialize;
use std::time::{Duration, UNIX_EPOCH};
use w3bstreaming_keys::{signature::verify, AccountId};
/// What the server sends a connection on connect (`challenge` event): the text to sign,
/// the random nonce in it, and until when (milliseconds since the Unix epoch) a
/// signature of it is accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Challenge {
    pub text: String,
    pub nonce: String,
    pub expires_at: u64,
}

impl Challenge {
    /// A fresh challenge of the server at `server` (its public URL) with 128 random
    /// bits, valid for `ttl_ms` from `now_ms`. The text names the server and the
    /// expiry, as "sign in with a wallet" texts do, so that a wallet's prompt shows
    /// where the signature signs in, and a page of another site relaying a nonce to a
    /// user's wallet has to show it too.
    pub fn new(server: &str, now_ms: u64, ttl_ms: u64) -> Self {
        let mut random = [0u8; 16];
        getrandom::getrandom(&mut random).expect("the OS has a random source");
        let nonce = hex::encode(random);
        let expires_at = now_ms.saturating_add(ttl_ms);
        let expiry = UNIX_EPOCH + Duration::from_millis(expires_at);
        Self {
            text: format!(
                "Sign in to the w3bstreaming signaling server at {server}\nNonce: {nonce}\nExpires: {}",
                httpdate::fmt_http_date(expiry)
            ),
            nonce,
            expires_at,
        }
    }
}

/// How a connection authenticates.
#[derive(Debug, Clone, Copy)]
pub struct AuthPolicy {
    /// How long a challenge may be answered.
    pub challenge_ttl_ms: u64,
    /// Also accept the old frontend's signature of its own address (replayable: see
    /// docs/signaling.md).
    pub legacy_signatures: bool,
}

/// What a `watch` or `broadcast` carries to prove who sends it.
#[derive(Debug, Clone, Copy)]
pub struct Credentials<'a> {
    /// The user id the client claims (its first argument).
    pub claimed: &'a str,
    /// `signedMsg`: hex of the signature.
    pub signature: Option<&'a str>,
    /// `encodedId`: the signer's address, as old frontends send it.
    pub signer: Option<&'a str>,
}

/// Authentication state of one connection.
#[derive(Debug)]
pub struct Session {
    /// The URL the connection reached the server at, which its challenges name.
    server: String,
    challenge: Challenge,
    account: Option<AccountId>,
}

impl Session {
    pub fn new(server: String, now_ms: u64, policy: &AuthPolicy) -> Self {
        Self {
            challenge: Challenge::new(&server, now_ms, policy.challenge_ttl_ms),
            server,
            account: None,
        }
    }

    /// The challenge a client must sign next.
    pub fn challenge(&self) -> &Challenge {
        &self.challenge
    }

    /// The account this connection proved it holds, if any.
    pub fn account(&self) -> Option<AccountId> {
        self.account
    }

    /// Proves `credentials` against this connection's challenge and returns the
    /// account, which is bound to the connection from then on. The nonce is spent by
    /// success; an expired one is replaced (read the new one with
    /// [`Session::challenge`]).
    pub fn authenticate(
        &mut self,
        credentials: Credentials<'_>,
        now_ms: u64,
        policy: &AuthPolicy,
    ) -> Result<AccountId, Refusal> {
        let claimed = AccountId::parse(credentials.claimed)
            .ok_or_else(|| Refusal::NotAnAccount(Echo::of(credentials.claimed)))?;
        if let Some(account) = self.account {
            return if account == claimed {
                Ok(account)
            } else {
                Err(Refusal::SignedInAsOther(account))
            };
        }
        let signature = credentials.signature.ok_or(Refusal::MissingSignature)?;
        if let Some(signer) = credentials.signer {
            let signer =
                AccountId::parse(signer).ok_or_else(|| Refusal::NotAnAccount(Echo::of(signer)))?;
            if signer != claimed {
                return Err(Refusal::Impostor { claimed, signer });
            }
        }
        if verify(&claimed, self.challenge.text.as_bytes(), signature) {
            if now_ms >= self.challenge.expires_at {
                self.challenge = Challenge::new(&self.server, now_ms, policy.challenge_ttl_ms);
                return Err(Refusal::Expired);
            }
        } else {
            // The old frontend signs its own SS58 address, sent as `encodedId`.
            let legacy = policy.legacy_signatures
                && credentials
                    .signer
                    .is_some_and(|signer| verify(&claimed, signer.as_bytes(), signature));
            if !legacy {
                return Err(Refusal::BadSignature);
            }
        }
        self.challenge = Challenge::new(&self.server, now_ms, policy.challenge_ttl_ms);
        self.account = Some(claimed);
        Ok(claimed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use w3bstreaming_keys::{
        dev,
        signature::{account_of, sign},
        Keypair,
    };

    const SERVER: &str = "https://signal.example";

    const POLICY: AuthPolicy = AuthPolicy {
        challenge_ttl_ms: 1_000,
        legacy_signatures: false,
    };
    const LEGACY: AuthPolicy = AuthPolicy {
        legacy_signatures: true,
        ..POLICY
    };

    fn session() -> Session {
        Session::new(SERVER.into(), 0, &POLICY)
    }

    fn keypair(seed: u8) -> (Keypair, AccountId) {
        let pair = dev::keypair(&format!("//{seed}")).unwrap();
        let account = account_of(&pair);
        (pair, account)
    }

    fn credentials<'a>(claimed: &'a str, signature: &'a str) -> Credentials<'a> {
        Credentials {
            claimed,
            signature: Some(signature),
            signer: None,
        }
    }

    #[test]
    fn a_signed_nonce_binds_the_account_and_is_spent() {
        let (pair, account) = keypair(1);
        let mut session = session();
        let challenge = session.challenge().clone();
        assert_eq!(
            challenge.text,
            format!(
                "Sign in to the w3bstreaming signaling server at {SERVER}\nNonce: {}\nExpires: Thu, 01 Jan 1970 00:00:01 GMT",
                challenge.nonce
            )
        );
        assert_eq!(challenge.nonce.len(), 32);
        let nonce = challenge.nonce;
        let signature = sign(&pair, challenge.text.as_bytes());
        let id = account.to_string();
        assert_eq!(
            session.authenticate(credentials(&id, &signature), 999, &POLICY),
            Ok(account)
        );
        assert_ne!(session.challenge().nonce, nonce, "the nonce is single-use");
        assert_eq!(session.account(), Some(account));
        // Bound: the same account passes without a new signature, another one never.
        assert_eq!(
            session.authenticate(credentials(&id, "0x00"), 999, &POLICY),
            Ok(account)
        );
        let (_, other) = keypair(2);
        assert_eq!(
            session.authenticate(credentials(&other.to_string(), &signature), 999, &POLICY),
            Err(Refusal::SignedInAsOther(account))
        );
    }

    #[test]
    fn another_connection_cannot_replay_a_signature() {
        let (pair, account) = keypair(1);
        let first = session();
        let signature = sign(&pair, first.challenge().text.as_bytes());
        let mut second = session();
        assert_eq!(
            second.authenticate(credentials(&account.to_string(), &signature), 1, &POLICY),
            Err(Refusal::BadSignature)
        );
        assert_eq!(second.account(), None);
    }

    #[test]
    fn an_expired_nonce_is_refused_and_replaced() {
        let (pair, account) = keypair(1);
        let mut session = session();
        let nonce = session.challenge().nonce.clone();
        let signature = sign(&pair, session.challenge().text.as_bytes());
        let id = account.to_string();
        assert_eq!(
            session.authenticate(credentials(&id, &signature), 1_000, &POLICY),
            Err(Refusal::Expired)
        );
        assert_ne!(session.challenge().nonce, nonce);
        assert_eq!(session.challenge().expires_at, 2_000);
        let signature = sign(&pair, session.challenge().text.clone().as_bytes());
        assert_eq!(
            session.authenticate(credentials(&id, &signature), 1_001, &POLICY),
            Ok(account)
        );
    }

    #[test]
    fn the_claimed_id_must_be_the_signer() {
        let (follower_pair, follower) = keypair(1);
        let (impostor_pair, impostor) = keypair(2);
        let mut session = session();
        let text = session.challenge().text.clone();
        let claimed = follower.to_string();
        let own_signature = sign(&impostor_pair, text.as_bytes());
        let signer = impostor.to_string();
        assert_eq!(
            session.authenticate(
                Credentials {
                    claimed: &claimed,
                    signature: Some(&own_signature),
                    signer: Some(&signer),
                },
                1,
                &POLICY
            ),
            Err(Refusal::Impostor {
                claimed: follower,
                signer: impostor
            })
        );
        // Without naming itself, the impostor's signature does not verify as the follower's.
        assert_eq!(
            session.authenticate(credentials(&claimed, &own_signature), 1, &POLICY),
            Err(Refusal::BadSignature)
        );
        assert_eq!(session.account(), None);
        // The follower's own signature of the same nonce still works: failures do not spend it.
        let signature = sign(&follower_pair, text.as_bytes());
        assert_eq!(
            session.authenticate(credentials(&claimed, &signature), 1, &POLICY),
            Ok(follower)
        );
    }

    #[test]
    fn malformed_credentials_are_refused() {
        let (_, account) = keypair(1);
        let id = account.to_string();
        let mut session = session();
        for (claimed, signature, error) in [
            (
                "0x12",
                Some("0x00"),
                Refusal::NotAnAccount(Echo::of("0x12")),
            ),
            (id.as_str(), None, Refusal::MissingSignature),
            (id.as_str(), Some("0x"), Refusal::BadSignature),
            (id.as_str(), Some("not hex"), Refusal::BadSignature),
            (id.as_str(), Some(&"ab".repeat(64)), Refusal::BadSignature),
        ] {
            let credentials = Credentials {
                claimed,
                signature,
                signer: None,
            };
            assert_eq!(session.authenticate(credentials, 1, &POLICY), Err(error));
        }
    }

    #[test]
    fn the_old_fixed_message_only_behind_the_flag() {
        let (pair, account) = keypair(1);
        let address = "an address the client signed".to_string();
        let signature = sign(&pair, address.as_bytes());
        let claimed = account.to_string();
        // `signer` must be a parseable account equal to the claimed one; hex is one form.
        let credentials = Credentials {
            claimed: &claimed,
            signature: Some(&signature),
            signer: Some(&claimed),
        };
        let legacy_signature = sign(&pair, claimed.as_bytes());
        let legacy = Credentials {
            signature: Some(&legacy_signature),
            ..credentials
        };
        let mut session = session();
        assert_eq!(
            session.authenticate(credentials, 1, &LEGACY),
            Err(Refusal::BadSignature)
        );
        assert_eq!(
            session.authenticate(legacy, 1, &POLICY),
            Err(Refusal::BadSignature)
        );
        assert_eq!(session.authenticate(legacy, 1, &LEGACY), Ok(account));
    }
}
