//! IPv4 CIDR algebra on top of `ipnet`: strict parsing, containment, overlap detection by
//! sort-and-sweep, usable addresses in an AWS subnet, and the next free block of a size.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

/// Why a text is not an IPv4 CIDR block.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CidrParseError {
    #[error("\"{text}\" has no prefix length: write it as a.b.c.d/n, e.g. \"{text}/24\"")]
    MissingPrefix { text: String },
    #[error("\"{text}\" is not an IPv4 CIDR block (expected a.b.c.d/n with n from 0 to 32)")]
    Malformed { text: String },
}

/// A parsed block, remembering whether the text had host bits set (`10.0.1.5/24`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedCidr {
    /// The canonical network (host bits cleared), as AWS stores it.
    pub network: Ipv4Net,
    pub had_host_bits: bool,
}

/// Parses `a.b.c.d/n` strictly: four decimal octets (no leading zeros, no signs, no spaces) and
/// a prefix length from 0 to 32. One pass over the bytes: it runs for every CIDR on every edit.
pub fn parse_cidr(text: &str) -> Result<ParsedCidr, CidrParseError> {
    match scan(text.as_bytes()) {
        Scanned::Block(address, prefix_length) => {
            let written = Ipv4Net::new(Ipv4Addr::from(address), prefix_length).map_err(|_| {
                CidrParseError::Malformed {
                    text: text.to_string(),
                }
            })?;
            let network = written.trunc();
            Ok(ParsedCidr {
                network,
                had_host_bits: u32::from(network.addr()) != address,
            })
        }
        Scanned::AddressOnly => Err(CidrParseError::MissingPrefix {
            text: text.to_string(),
        }),
        Scanned::Malformed => Err(CidrParseError::Malformed {
            text: text.to_string(),
        }),
    }
}

enum Scanned {
    Block(u32, u8),
    AddressOnly,
    Malformed,
}

/// Reads four dotted octets, then optionally `/` and a prefix length.
fn scan(bytes: &[u8]) -> Scanned {
    let mut position = 0;
    let mut address = 0u32;
    for octet_number in 0..4 {
        let Some((octet, next)) = read_number(bytes, position, 3) else {
            return Scanned::Malformed;
        };
        if octet > 255 {
            return Scanned::Malformed;
        }
        address = (address << 8) | octet;
        position = next;
        if octet_number < 3 {
            if bytes.get(position) != Some(&b'.') {
                return Scanned::Malformed;
            }
            position += 1;
        }
    }
    match bytes.get(position) {
        None => Scanned::AddressOnly,
        Some(b'/') => match read_number(bytes, position + 1, 2) {
            Some((length, end)) if end == bytes.len() && length <= 32 => {
                Scanned::Block(address, length as u8)
            }
            _ => Scanned::Malformed,
        },
        Some(_) => Scanned::Malformed,
    }
}

/// A decimal number of 1 to `max_digits` digits at `start`, without a leading zero (but "0").
fn read_number(bytes: &[u8], start: usize, max_digits: usize) -> Option<(u32, usize)> {
    let mut value = 0u32;
    let mut end = start;
    while end < bytes.len() && bytes[end].is_ascii_digit() {
        if end - start == max_digits {
            return None;
        }
        value = value * 10 + u32::from(bytes[end] - b'0');
        end += 1;
    }
    let digits = end - start;
    (digits > 0 && !(digits > 1 && bytes[start] == b'0')).then_some((value, end))
}

/// Addresses AWS leaves usable in a subnet: all but the first four and the last.
pub fn usable_addresses(network: Ipv4Net) -> u64 {
    let total = 1u64 << (32 - u32::from(network.prefix_len()));
    total.saturating_sub(5)
}

/// Whether `outer` contains every address of `inner`.
pub fn contains(outer: Ipv4Net, inner: Ipv4Net) -> bool {
    outer.contains(&inner)
}

/// Whether two blocks share at least one address.
pub fn overlaps(a: Ipv4Net, b: Ipv4Net) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

fn first_address(network: Ipv4Net) -> u32 {
    u32::from(network.network())
}

fn last_address(network: Ipv4Net) -> u32 {
    u32::from(network.broadcast())
}

/// Every overlapping pair among `blocks` (by index), found by sort-and-sweep:
/// O(n log n + pairs), never quadratic when blocks are disjoint.
pub fn overlapping_pairs(blocks: &[Ipv4Net]) -> Vec<(usize, usize)> {
    let mut order: Vec<usize> = (0..blocks.len()).collect();
    order.sort_by_key(|&index| {
        (
            first_address(blocks[index]),
            std::cmp::Reverse(last_address(blocks[index])),
        )
    });
    let mut pairs = Vec::new();
    // Blocks still "open" in the sweep: any later block starting at or before their end overlaps
    // them. CIDR blocks nest or are disjoint, so the open set is a chain of enclosing blocks.
    let mut open: Vec<usize> = Vec::new();
    for &index in &order {
        let start = first_address(blocks[index]);
        open.retain(|&earlier| last_address(blocks[earlier]) >= start);
        for &earlier in &open {
            pairs.push((earlier.min(index), earlier.max(index)));
        }
        open.push(index);
    }
    pairs
}

/// For each block that overlaps a block before it in address order, one pair `(earlier,
/// later)` naming the first such block, in `O(n log n)`: at most `n - 1` pairs, however many
/// blocks pile onto one range (where [`overlapping_pairs`] would list `n²/2`). Validation
/// reports overlaps through this, so 700 subnets on one CIDR cost 699 diagnostics, not 244,650.
pub fn first_overlaps(blocks: &[Ipv4Net]) -> Vec<(usize, usize)> {
    let mut order: Vec<usize> = (0..blocks.len()).collect();
    order.sort_by_key(|&index| {
        (
            first_address(blocks[index]),
            std::cmp::Reverse(last_address(blocks[index])),
            index,
        )
    });
    let mut pairs = Vec::new();
    // The open blocks form a chain of strictly enclosing blocks (CIDR blocks nest or are
    // disjoint): at most 33 deep. An identical block is reported against the first of its kind.
    let mut open: Vec<usize> = Vec::new();
    for &index in &order {
        let start = first_address(blocks[index]);
        while open
            .last()
            .is_some_and(|&earlier| last_address(blocks[earlier]) < start)
        {
            open.pop();
        }
        match open.last() {
            Some(&earlier) => {
                pairs.push((earlier.min(index), earlier.max(index)));
                if blocks[earlier] != blocks[index] {
                    open.push(index);
                }
            }
            None => open.push(index),
        }
    }
    pairs
}

/// The lowest block of `/prefix_length` inside `container` that overlaps none of `used`.
/// `None` when the container is full or smaller than the block asked for.
pub fn next_free_block(container: Ipv4Net, used: &[Ipv4Net], prefix_length: u8) -> Option<Ipv4Net> {
    if prefix_length < container.prefix_len() || prefix_length > 32 {
        return None;
    }
    let block_size = 1u64 << (32 - u32::from(prefix_length));
    let mut taken: Vec<(u64, u64)> = used
        .iter()
        .filter(|block| overlaps(container, **block))
        .map(|block| {
            (
                u64::from(first_address(*block)),
                u64::from(last_address(*block)),
            )
        })
        .collect();
    taken.sort_unstable();
    let container_end = u64::from(last_address(container));
    let mut candidate = u64::from(first_address(container));
    for (taken_start, taken_end) in taken {
        if candidate + block_size - 1 < taken_start {
            break;
        }
        if taken_end >= candidate {
            // Jump past the taken range, aligned up to the block size.
            let after = taken_end + 1;
            candidate = after.div_ceil(block_size) * block_size;
        }
    }
    if candidate + block_size - 1 > container_end {
        return None;
    }
    Ipv4Net::new(Ipv4Addr::from(candidate as u32), prefix_length).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn net(text: &str) -> Ipv4Net {
        text.parse().unwrap()
    }

    #[test]
    fn parse_accepts_canonical_and_flags_host_bits() {
        let parsed = parse_cidr("10.0.1.5/24").unwrap();
        assert_eq!(parsed.network, net("10.0.1.0/24"));
        assert!(parsed.had_host_bits);
        assert!(!parse_cidr("10.0.1.0/24").unwrap().had_host_bits);
    }

    #[test]
    fn parse_rejects_malformed_text_with_specific_errors() {
        assert!(matches!(
            parse_cidr("10.0.1.0"),
            Err(CidrParseError::MissingPrefix { .. })
        ));
        for bad in [
            "",
            "10.0.1/24",
            "10.0.1.0/33",
            "10.0.1.0/",
            "10.0.1.0/+4",
            " 10.0.1.0/24",
            "abc",
            "10.0.0.256/8",
        ] {
            assert!(parse_cidr(bad).is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn the_parser_agrees_with_std_on_every_written_address() {
        for text in [
            "0.0.0.0/0",
            "255.255.255.255/32",
            "10.0.0.0/8",
            "192.168.100.7/31",
            "172.16.5.4/12",
        ] {
            let (address, prefix) = text.split_once('/').unwrap();
            let expected = Ipv4Net::new(address.parse().unwrap(), prefix.parse().unwrap())
                .unwrap()
                .trunc();
            assert_eq!(parse_cidr(text).unwrap().network, expected, "{text}");
        }
    }

    #[test]
    fn usable_addresses_subtract_the_five_aws_reserves() {
        assert_eq!(usable_addresses(net("10.0.0.0/24")), 251);
        assert_eq!(usable_addresses(net("10.0.0.0/28")), 11);
        assert_eq!(usable_addresses(net("10.0.0.0/16")), 65531);
    }

    #[test]
    fn next_free_block_skips_used_blocks_and_aligns() {
        let vpc = net("10.0.0.0/16");
        assert_eq!(next_free_block(vpc, &[], 24), Some(net("10.0.0.0/24")));
        let used = [net("10.0.0.0/24"), net("10.0.1.0/24"), net("10.0.3.0/25")];
        assert_eq!(next_free_block(vpc, &used, 24), Some(net("10.0.2.0/24")));
        let used = [net("10.0.0.0/24"), net("10.0.1.0/24"), net("10.0.2.128/25")];
        assert_eq!(next_free_block(vpc, &used, 24), Some(net("10.0.3.0/24")));
        assert_eq!(
            next_free_block(net("10.0.0.0/28"), &[net("10.0.0.0/28")], 28),
            None
        );
        assert_eq!(next_free_block(net("10.0.0.0/24"), &[], 16), None);
    }

    fn arbitrary_block() -> impl Strategy<Value = Ipv4Net> {
        // A narrow address space so that overlaps actually happen.
        (0u32..4096, 20u8..=32).prop_map(|(offset, prefix)| {
            Ipv4Net::new(Ipv4Addr::from(0x0a00_0000 + offset * 16), prefix)
                .unwrap()
                .trunc()
        })
    }

    fn brute_force_overlap(a: Ipv4Net, b: Ipv4Net) -> bool {
        let (a_start, a_end) = (first_address(a), last_address(a));
        let (b_start, b_end) = (first_address(b), last_address(b));
        (a_start..=a_end).any(|address| address >= b_start && address <= b_end)
    }

    proptest! {
        #[test]
        fn overlap_matches_brute_force(a in arbitrary_block(), b in arbitrary_block()) {
            prop_assert_eq!(overlaps(a, b), brute_force_overlap(a, b));
        }

        #[test]
        fn containment_matches_brute_force(a in arbitrary_block(), b in arbitrary_block()) {
            let brute = (first_address(b)..=last_address(b)).all(|address| address >= first_address(a) && address <= last_address(a));
            prop_assert_eq!(contains(a, b), brute);
        }

        #[test]
        fn usable_count_matches_enumeration(prefix in 16u8..=28) {
            let block = Ipv4Net::new(Ipv4Addr::new(10, 0, 0, 0), prefix).unwrap();
            let enumerated = (first_address(block)..=last_address(block))
                .filter(|address| {
                    let offset = address - first_address(block);
                    offset >= 4 && *address != last_address(block)
                })
                .count() as u64;
            prop_assert_eq!(usable_addresses(block), enumerated);
        }

        #[test]
        fn first_overlaps_names_every_block_that_overlaps_and_only_those(blocks in proptest::collection::vec(arbitrary_block(), 0..24)) {
            let all = overlapping_pairs(&blocks);
            let mut expected: Vec<usize> = (0..blocks.len())
                .filter(|&i| all.iter().any(|&(a, b)| a == i || b == i))
                .collect();
            let found = first_overlaps(&blocks);
            prop_assert!(found.len() < blocks.len().max(1));
            for &(a, b) in &found {
                prop_assert!(overlaps(blocks[a], blocks[b]));
            }
            let mut covered: Vec<usize> = found.iter().flat_map(|&(a, b)| [a, b]).collect();
            covered.sort_unstable();
            covered.dedup();
            expected.sort_unstable();
            prop_assert_eq!(covered, expected);
        }

        #[test]
        fn sweep_finds_exactly_the_overlapping_pairs(blocks in proptest::collection::vec(arbitrary_block(), 0..24)) {
            let mut found = overlapping_pairs(&blocks);
            found.sort_unstable();
            let mut expected = Vec::new();
            for i in 0..blocks.len() {
                for j in (i + 1)..blocks.len() {
                    if brute_force_overlap(blocks[i], blocks[j]) {
                        expected.push((i, j));
                    }
                }
            }
            prop_assert_eq!(found, expected);
        }

        #[test]
        fn next_free_block_is_free_aligned_and_lowest(
            used in proptest::collection::vec(arbitrary_block(), 0..12),
            prefix in 22u8..=28,
        ) {
            let container = net("10.0.0.0/16");
            let found = next_free_block(container, &used, prefix);
            // Oracle: walk every aligned block in order.
            let size = 1u32 << (32 - u32::from(prefix));
            let oracle = (0..(1u32 << (u32::from(prefix) - 16)))
                .map(|index| Ipv4Net::new(Ipv4Addr::from(first_address(container) + index * size), prefix).unwrap())
                .find(|candidate| used.iter().all(|block| {
                    last_address(*candidate) < first_address(*block) || last_address(*block) < first_address(*candidate)
                }));
            prop_assert_eq!(found, oracle);
        }
    }
}
