//! Short-lived TURN credentials in coturn's REST scheme (`use-auth-secret`): the
//! username is `<expiry unix seconds>:<account>`, the password base64 of
//! HMAC-SHA1(secret, username). coturn checks both with the same secret, so the server
//! never stores a TURN password.
use base64::{engine::general_purpose::STANDARD, Engine};
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha1::Sha1;
use w3bstreaming_keys::AccountId;

/// One entry of `RTCConfiguration.iceServers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IceServer {
    pub urls: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
}

/// The ICE servers an authenticated `account` may use until `now_secs + ttl_secs`:
/// STUN URLs as they are; TURN URLs (`turn:`, `turns:`) with credentials, and only
/// when a secret is set.
pub fn ice_servers(
    urls: &[String],
    secret: Option<&str>,
    account: AccountId,
    now_secs: u64,
    ttl_secs: u64,
) -> Vec<IceServer> {
    let (turn, stun): (Vec<String>, Vec<String>) = urls
        .iter()
        .cloned()
        .partition(|url| url.starts_with("turn"));
    let mut servers = Vec::new();
    if !stun.is_empty() {
        servers.push(IceServer {
            urls: stun,
            username: None,
            credential: None,
        });
    }
    if let (false, Some(secret)) = (turn.is_empty(), secret) {
        let username = format!("{}:{account}", now_secs + ttl_secs);
        let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
        mac.update(username.as_bytes());
        let credential = STANDARD.encode(mac.finalize().into_bytes());
        servers.push(IceServer {
            urls: turn,
            username: Some(username),
            credential: Some(credential),
        });
    }
    servers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turn_credentials_follow_the_coturn_rest_scheme() {
        let urls = [
            "stun:stun.example:3478".to_string(),
            "turn:turn.example:3478".to_string(),
        ];
        let account = AccountId([7; 32]);
        let servers = ice_servers(&urls, Some("s3cret"), account, 1_700_000_000, 600);
        assert_eq!(servers[0].urls, ["stun:stun.example:3478"]);
        assert_eq!(servers[0].username, None);
        let username = format!("1700000600:{account}");
        assert_eq!(servers[1].username.as_deref(), Some(username.as_str()));
        // `echo -n "$username" | openssl dgst -sha1 -hmac s3cret -binary | base64`
        assert_eq!(
            servers[1].credential.as_deref(),
            Some("4uUpJ4AeNKhkRF9RM6anCLM55n8=")
        );
    }

    #[test]
    fn no_turn_entry_without_a_secret() {
        let urls = ["turn:turn.example:3478".to_string()];
        assert!(ice_servers(&urls, None, AccountId([7; 32]), 0, 600).is_empty());
    }
}
