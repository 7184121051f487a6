//! Who a client is, as far as the server's limits go: the range of addresses one
//! client can be expected to hold. An IPv4 address is one client; an IPv6 client is
//! given a whole /64 (a home, a phone, a server) and can pick any address in it, so
//! every limit per address counts the /64.
use std::{
    fmt,
    net::{IpAddr, Ipv4Addr, Ipv6Addr},
};

/// An IPv4 address, or the first 64 bits of an IPv6 address. An IPv4 address mapped
/// into IPv6 (`::ffff:a.b.c.d`, as a dual-stack listener sees it) is that IPv4 address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AddressRange {
    V4(Ipv4Addr),
    V6Prefix(u64),
}

impl From<IpAddr> for AddressRange {
    fn from(address: IpAddr) -> Self {
        match address {
            IpAddr::V4(v4) => Self::V4(v4),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Self::V4(v4),
                None => Self::V6Prefix((u128::from(v6) >> 64) as u64),
            },
        }
    }
}

impl fmt::Display for AddressRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::V4(v4) => v4.fmt(f),
            Self::V6Prefix(prefix) => {
                write!(f, "{}/64", Ipv6Addr::from(u128::from(*prefix) << 64))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(address: &str) -> AddressRange {
        address.parse::<IpAddr>().unwrap().into()
    }

    #[test]
    fn an_ipv6_client_is_its_64_and_an_ipv4_client_its_address() {
        assert_eq!(
            range("2001:db8:1:2::1"),
            range("2001:db8:1:2:ffff:ffff:ffff:ffff")
        );
        assert_ne!(range("2001:db8:1:2::1"), range("2001:db8:1:3::1"));
        assert_eq!(range("2001:db8:1:2:3::4").to_string(), "2001:db8:1:2::/64");
        assert_ne!(range("127.0.0.1"), range("127.0.0.2"));
        assert_eq!(range("::ffff:127.0.0.2"), range("127.0.0.2"));
        assert_eq!(range("127.0.0.2").to_string(), "127.0.0.2");
    }
}
