//! The client's address: the TCP peer, unless the peer is one of the server's trusted proxies
//! (`MOAT_TRUSTED_PROXIES`). Then it is the address the proxies recorded — RFC 7239
//! `Forwarded: for=…`, else `X-Forwarded-For` — read from the nearest hop back, skipping the
//! trusted ones. A header from any other peer is ignored, so no client can choose the address
//! its sign-ins are throttled and audited by; behind a load balancer each client is itself
//! rather than the balancer.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use ipnet::IpNet;

use crate::AppState;

/// The client's address, when the server knows it (absent in in-process tests).
pub struct ClientAddress(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(address)| address.ip());
        Ok(ClientAddress(peer.map(|peer| {
            client_address(peer, &parts.headers, &state.settings.trusted_proxies)
        })))
    }
}

/// The client behind `peer`: `peer` itself unless it is a trusted proxy; else the nearest
/// forwarded hop that is not a trusted proxy (or the farthest one given, if all are).
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |address: &IpAddr| trusted.iter().any(|proxy| proxy.contains(address));
    if !is_trusted(&peer) {
        return peer;
    }
    let mut client = peer;
    for hop in forwarded_hops(headers).iter().rev() {
        match hop {
            Some(address) => {
                client = *address;
                if !is_trusted(address) {
                    break;
                }
            }
            // An obfuscated or unreadable hop: nothing before it can be believed.
            None => break,
        }
    }
    client
}

/// The forwarded addresses, the original client first and the nearest proxy's peer last:
/// `Forwarded`'s `for=` when present, else `X-Forwarded-For`. `None` for a hop that is not
/// an address (`unknown`, `_hidden`, garbage).
fn forwarded_hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let values = |name: &str| -> Vec<String> {
        headers
            .get_all(name)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(|item| item.trim().to_string())
            .filter(|item| !item.is_empty())
            .collect()
    };
    let forwarded = values("forwarded");
    if !forwarded.is_empty() {
        return forwarded
            .iter()
            .map(|element| {
                element.split(';').find_map(|pair| {
                    let (key, value) = pair.trim().split_once('=')?;
                    key.trim()
                        .eq_ignore_ascii_case("for")
                        .then(|| parse_node(value.trim().trim_matches('"')))
                })?
            })
            .collect();
    }
    values("x-forwarded-for")
        .iter()
        .map(|item| parse_node(item))
        .collect()
}

/// An address as proxies write it: `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`,
/// `[2001:db8::1]:4711`.
fn parse_node(text: &str) -> Option<IpAddr> {
    if let Ok(address) = text.parse::<IpAddr>() {
        return Some(address);
    }
    if let Some(rest) = text.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    text.parse::<SocketAddr>().ok().map(|socket| socket.ip())
}

/// A trusted proxy as `MOAT_TRUSTED_PROXIES` names it: a CIDR block or one address.
pub fn parse_trusted_proxy(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| {
            format!("\"{text}\" is not an address or a CIDR block (e.g. 10.0.0.0/8 or 10.1.2.3)")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn proxies() -> Vec<IpNet> {
        vec![
            parse_trusted_proxy("10.0.0.0/8").unwrap(),
            parse_trusted_proxy("192.0.2.10").unwrap(),
        ]
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        let spoofed = headers(&[
            ("x-forwarded-for", "203.0.113.99"),
            ("forwarded", "for=203.0.113.98"),
        ]);
        assert_eq!(
            client_address(ip("198.51.100.4"), &spoofed, &proxies()),
            ip("198.51.100.4")
        );
        assert_eq!(
            client_address(ip("10.0.0.5"), &spoofed, &[]),
            ip("10.0.0.5"),
            "no trusted proxies: headers never count"
        );
    }

    #[test]
    fn behind_trusted_proxies_the_nearest_untrusted_hop_is_the_client() {
        // The client prepended a lie; the balancer appended what it saw, then an inner proxy.
        let chain = headers(&[("x-forwarded-for", "203.0.113.99, 198.51.100.4, 10.1.1.1")]);
        assert_eq!(
            client_address(ip("10.0.0.5"), &chain, &proxies()),
            ip("198.51.100.4")
        );
        let two_lines = headers(&[
            ("x-forwarded-for", "198.51.100.4"),
            ("x-forwarded-for", "10.1.1.1"),
        ]);
        assert_eq!(
            client_address(ip("192.0.2.10"), &two_lines, &proxies()),
            ip("198.51.100.4")
        );
        let none = HeaderMap::new();
        assert_eq!(
            client_address(ip("10.0.0.5"), &none, &proxies()),
            ip("10.0.0.5")
        );
        let all_trusted = headers(&[("x-forwarded-for", "10.9.9.9, 10.1.1.1")]);
        assert_eq!(
            client_address(ip("10.0.0.5"), &all_trusted, &proxies()),
            ip("10.9.9.9")
        );
    }

    #[test]
    fn forwarded_wins_and_its_nodes_parse_as_rfc_7239_writes_them() {
        let both = headers(&[
            (
                "forwarded",
                "for=\"[2001:db8:cafe::17]:4711\";proto=https, For=192.0.2.10",
            ),
            ("x-forwarded-for", "203.0.113.1"),
        ]);
        assert_eq!(
            client_address(ip("10.0.0.5"), &both, &proxies()),
            ip("2001:db8:cafe::17")
        );
        let with_port = headers(&[("forwarded", "for=198.51.100.4:5000")]);
        assert_eq!(
            client_address(ip("10.0.0.5"), &with_port, &proxies()),
            ip("198.51.100.4")
        );
        // An obfuscated hop stops the walk at the last address that can be believed.
        let hidden = headers(&[("forwarded", "for=198.51.100.4, for=_hidden, for=10.1.1.1")]);
        assert_eq!(
            client_address(ip("10.0.0.5"), &hidden, &proxies()),
            ip("10.1.1.1")
        );
        let garbage = headers(&[("x-forwarded-for", "not an address")]);
        assert_eq!(
            client_address(ip("10.0.0.5"), &garbage, &proxies()),
            ip("10.0.0.5")
        );
    }

    #[test]
    fn trusted_proxies_are_blocks_or_single_addresses_and_anything_else_is_refused() {
        assert_eq!(
            parse_trusted_proxy(" 10.0.0.0/8 ").unwrap().to_string(),
            "10.0.0.0/8"
        );
        assert_eq!(
            parse_trusted_proxy("2001:db8::1").unwrap().to_string(),
            "2001:db8::1/128"
        );
        let refused = parse_trusted_proxy("load-balancer").unwrap_err();
        assert!(
            refused.contains("\"load-balancer\" is not an address"),
            "{refused}"
        );
    }
}
