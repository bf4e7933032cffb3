//! The client's address behind a reverse proxy.
//!
//! Behind the gateway every request reaches the functions from the gateway's
//! address, so a per-address rule (the login rate limit) would count every
//! client together. The proxies named as trusted (addresses or CIDR ranges)
//! are believed about `X-Forwarded-For`: the client is the right-most entry
//! that is not a trusted proxy. Nobody else is believed, so a client cannot
//! pick its own address by sending the header.

use std::net::IpAddr;

/// A set of trusted proxies: addresses and CIDR ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

impl TrustedProxies {
    /// Parses a comma- or space-separated list (`10.0.0.5, 172.16.0.0/12, ::1`);
    /// an empty list trusts nobody. The error names the entry that is not an address.
    pub fn parse(list: &str) -> Result<TrustedProxies, String> {
        let mut out = Vec::new();
        for entry in list
            .split([',', ' '])
            .map(str::trim)
            .filter(|e| !e.is_empty())
        {
            let (ip, bits) = match entry.split_once('/') {
                Some((ip, bits)) => (ip, Some(bits)),
                None => (entry, None),
            };
            let ip: IpAddr = ip
                .parse()
                .map_err(|_| format!("{entry:?} is not an IP address or CIDR range"))?;
            let max = if ip.is_ipv4() { 32 } else { 128 };
            let bits = match bits {
                None => max,
                Some(b) => b
                    .parse::<u8>()
                    .ok()
                    .filter(|b| *b <= max)
                    .ok_or_else(|| format!("{entry:?} has a bad prefix length"))?,
            };
            out.push((ip, bits));
        }
        Ok(TrustedProxies(out))
    }

    /// True when `ip` is one of the trusted proxies.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0
            .iter()
            .any(|&(net, bits)| in_range(ip, canonical(net), bits))
    }

    /// The client's address: the peer itself, unless the peer is trusted and
    /// forwarded the request, then the right-most forwarded address that is
    /// not a trusted proxy (the left-most when all are trusted).
    pub fn client(&self, peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
        if !self.contains(peer) {
            return peer;
        }
        let Some(list) = forwarded_for else {
            return peer;
        };
        let hops: Vec<IpAddr> = list
            .split(',')
            .filter_map(|h| parse_hop(h.trim()))
            .collect();
        hops.iter()
            .rev()
            .find(|ip| !self.contains(**ip))
            .or_else(|| hops.first())
            .copied()
            .unwrap_or(peer)
    }
}

/// An `X-Forwarded-For` entry: an address, possibly with a port (`1.2.3.4:5`, `[::1]:5`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse().ok().or_else(|| {
        let host = hop.rsplit_once(':')?.0;
        host.trim_start_matches('[')
            .trim_end_matches(']')
            .parse()
            .ok()
    })
}

/// IPv4-mapped IPv6 addresses compare as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn in_range(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(a) & mask == u32::from(b) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(a) & mask == u128::from(b) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn nobody_is_trusted_by_default() {
        let none = TrustedProxies::parse("").unwrap();
        assert_eq!(none.client(ip("10.0.0.5"), Some("6.6.6.6")), ip("10.0.0.5"));
    }

    #[test]
    fn a_trusted_gateway_forwards_the_client() {
        let gw = TrustedProxies::parse("172.16.0.0/12, ::1").unwrap();
        assert_eq!(
            gw.client(ip("172.18.0.7"), Some("203.0.113.9")),
            ip("203.0.113.9")
        );
        // A client that forges the header only adds an entry to the left.
        assert_eq!(
            gw.client(ip("172.18.0.7"), Some("6.6.6.6, 203.0.113.9")),
            ip("203.0.113.9")
        );
        // Chained trusted proxies are skipped; ports are tolerated.
        assert_eq!(
            gw.client(ip("::1"), Some("203.0.113.9:5555, 172.20.0.2")),
            ip("203.0.113.9")
        );
        // Untrusted peers are never believed; a trusted one without the header is the client.
        assert_eq!(gw.client(ip("8.8.8.8"), Some("1.1.1.1")), ip("8.8.8.8"));
        assert_eq!(gw.client(ip("172.18.0.7"), None), ip("172.18.0.7"));
        assert_eq!(
            gw.client(ip("172.18.0.7"), Some("garbage")),
            ip("172.18.0.7")
        );
        // IPv4-mapped IPv6 peers match IPv4 ranges.
        assert_eq!(
            gw.client(ip("::ffff:172.18.0.7"), Some("198.51.100.1")),
            ip("198.51.100.1")
        );
        assert!(!gw.contains(ip("172.32.0.1")));
    }

    #[test]
    fn bad_entries_are_named() {
        assert!(TrustedProxies::parse("10.0.0.0/33")
            .unwrap_err()
            .contains("10.0.0.0/33"));
        assert!(TrustedProxies::parse("gateway")
            .unwrap_err()
            .contains("gateway"));
        assert_eq!(
            TrustedProxies::parse("0.0.0.0/0")
                .unwrap()
                .client(ip("1.2.3.4"), Some("5.6.7.8")),
            ip("5.6.7.8")
        );
    }
}
