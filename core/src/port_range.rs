//! Ports said as ranges. A file writes `"10000-20000:10000-20000/udp"` once; swarm
//! publishes each of its ports, and the model holds each (that is what the surface
//! counts). What a person reads and edits is the range again: a card, the surface list,
//! the port editor and the Mermaid text show consecutive ports as one.

use crate::design::PortSpec;
use crate::field::FieldError;
use crate::model::{Port, PublishMode};

/// Consecutive ports: each container port from `first.target` to `last.target`,
/// published on the matching port from `first.published` on (or each on a port swarm
/// picks), all with one protocol and mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortRange {
    /// The first port.
    pub first: PortSpec,
    /// The last port (the first, for a single port).
    pub last: PortSpec,
}

impl PortRange {
    /// One port.
    pub fn single(port: PortSpec) -> PortRange {
        PortRange {
            first: port,
            last: port,
        }
    }

    /// How many ports (at least one).
    pub fn count(&self) -> usize {
        usize::from(self.last.target.saturating_sub(self.first.target)) + 1
    }

    /// Whether it is one port.
    pub fn is_single(&self) -> bool {
        self.first.target == self.last.target
    }

    /// The published side: `80`, `10000-20000`, or `random` as the caller words it.
    pub fn published_text(&self, random: &str) -> String {
        match (self.first.published, self.last.published) {
            (Some(a), Some(b)) => span(a, b, "-"),
            _ => random.to_string(),
        }
    }

    /// The container side: `80` or `10000-20000`.
    pub fn target_text(&self) -> String {
        span(self.first.target, self.last.target, "-")
    }

    /// The range published on the ports `published` (first and last), or on ports swarm
    /// picks: as many published ports as container ports. A single container port
    /// grows into a range from it as long as the published one (typing `5432-5440` over
    /// `5432:5432` publishes nine ports), so a range can be made from either field.
    pub fn published_on(self, published: Option<(u16, u16)>) -> Result<PortRange, FieldError> {
        let (first, last) = match published {
            None => (None, None),
            Some((a, b)) => (Some(a), Some(b)),
        };
        let len = published.map_or(self.count(), |(a, b)| length(a, b));
        let target_last = self
            .other_last(self.first.target, self.last.target, len)
            .ok_or(FieldError::RangeLengths {
                published: len,
                target: self.count(),
            })?;
        Ok(PortRange {
            first: PortSpec {
                published: first,
                ..self.first
            },
            last: PortSpec {
                published: last,
                target: target_last,
                ..self.last
            },
        })
    }

    /// The range moved to the container ports `target` (first and last); published ports
    /// given in the file must be as many. A single published port grows into a range
    /// from it as long as the container ports.
    pub fn targeting(self, (a, b): (u16, u16)) -> Result<PortRange, FieldError> {
        let len = length(a, b);
        let published_last = match self.first.published {
            Some(p) => Some(
                self.other_last(p, self.last.published.unwrap_or(p), len)
                    .ok_or(FieldError::RangeLengths {
                        published: self.count(),
                        target: len,
                    })?,
            ),
            None => None,
        };
        Ok(PortRange {
            first: PortSpec {
                target: a,
                ..self.first
            },
            last: PortSpec {
                target: b,
                published: published_last,
                ..self.last
            },
        })
    }

    /// The last port of the other side (`first` to `last`) when one side becomes `len`
    /// ports long: kept while the length stays, grown from `first` when the range was a
    /// single port, `None` when the two lengths cannot agree.
    fn other_last(&self, first: u16, last: u16, len: usize) -> Option<u16> {
        if len == self.count() {
            Some(last)
        } else if self.is_single() {
            grown(first, len)
        } else {
            None
        }
    }

    /// Each port of the range.
    pub fn ports(&self) -> impl Iterator<Item = PortSpec> + '_ {
        (0..=self.last.target.saturating_sub(self.first.target)).map(move |i| PortSpec {
            target: self.first.target.saturating_add(i),
            published: self.first.published.map(|p| p.saturating_add(i)),
            ..self.first
        })
    }
}

/// How many ports from `first` to `last` (one when `last` is below it).
fn length(first: u16, last: u16) -> usize {
    usize::from(last - first.min(last)) + 1
}

/// The last port of a range of `len` ports from `first`, if it stays a port.
fn grown(first: u16, len: usize) -> Option<u16> {
    u16::try_from(usize::from(first) + len.checked_sub(1)?).ok()
}

/// Ports from `first` to `last` as a format writes them: `443`, or `10000` `sep` `20000`.
pub fn span(first: u16, last: u16, sep: &str) -> String {
    if first == last {
        first.to_string()
    } else {
        format!("{first}{sep}{last}")
    }
}

/// Whether `next` continues a range after `last`: the next container port, published on
/// the next port (or both left to swarm), with the same protocol and mode.
pub fn follows(last: &PortSpec, next: &PortSpec) -> bool {
    last.mode == next.mode
        && last.protocol == next.protocol
        && last.target.checked_add(1) == Some(next.target)
        && match (last.published, next.published) {
            (None, None) => true,
            (Some(a), Some(b)) => a.checked_add(1) == Some(b),
            _ => false,
        }
}

/// The items as runs of consecutive ports, in order: `port` gives an item's port, and
/// `same` whether two neighbours agree on everything else the caller shows.
pub fn runs<T>(
    items: &[T],
    port: impl Fn(&T) -> PortSpec,
    same: impl Fn(&T, &T) -> bool,
) -> Vec<(PortRange, &[T])> {
    let mut out = Vec::new();
    let mut start = 0;
    while let Some(first) = items.get(start) {
        let mut end = start + 1;
        while let (Some(a), Some(b)) = (items.get(end - 1), items.get(end)) {
            if !follows(&port(a), &port(b)) || !same(a, b) {
                break;
            }
            end += 1;
        }
        let last = items.get(end - 1).unwrap_or(first);
        let range = PortRange {
            first: port(first),
            last: port(last),
        };
        out.push((range, items.get(start..end).unwrap_or_default()));
        start = end;
    }
    out
}

/// Numbered items, in order of their numbers, as runs of consecutive numbers with equal
/// values: each run's first and last number and its value.
pub fn number_runs<T: PartialEq>(items: &[(u16, T)]) -> Vec<(u16, u16, &T)> {
    runs(items, |(n, _)| PortSpec::number(*n), |a, b| a.1 == b.1)
        .into_iter()
        .filter_map(|(range, run)| Some((range.first.target, range.last.target, &run.first()?.1)))
        .collect()
}

/// A service's ports as the editor and the card group them: consecutive ports with the
/// same protocol, mode and host address.
pub fn of_ports(ports: &[Port]) -> Vec<PortRange> {
    runs(ports, PortSpec::of, |a, b| a.host_ip == b.host_ip)
        .into_iter()
        .map(|(range, _)| range)
        .collect()
}

/// A service's published ports as a card and the internet's arrow write them:
/// `80, 443 host, 10000-20000`, with `random` for the ports swarm numbers. A port
/// published for TCP and UDP alike (DNS's 53) is written once; each random one is
/// still written, so the count shows.
pub fn published_list(ports: &[Port], random: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    for range in of_ports(ports) {
        let mut text = range.published_text(random);
        if range.first.mode == PublishMode::Host {
            text.push_str(" host");
        }
        let numbered = range.first.published.is_some();
        if !(numbered && out.contains(&text)) {
            out.push(text);
        }
    }
    out.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Protocol;

    fn port(target: u16, published: Option<u16>) -> PortSpec {
        PortSpec {
            target,
            published,
            protocol: Protocol::Udp,
            mode: PublishMode::Ingress,
        }
    }

    #[test]
    fn consecutive_ports_make_one_range() {
        let mut ports: Vec<PortSpec> = (10_000..=20_000).map(|p| port(p, Some(p))).collect();
        ports.insert(0, port(5060, Some(5060)));
        ports.push(port(20_002, Some(20_002)));
        ports.push(port(30, None));
        ports.push(port(31, None));
        let ranges: Vec<PortRange> = runs(&ports, |p| *p, |_, _| true)
            .into_iter()
            .map(|(r, _)| r)
            .collect();
        let text: Vec<String> = ranges
            .iter()
            .map(|r| format!("{}:{}", r.published_text("random"), r.target_text()))
            .collect();
        assert_eq!(
            text,
            [
                "5060:5060",
                "10000-20000:10000-20000",
                "20002:20002",
                "random:30-31"
            ]
        );
        assert_eq!(ranges[1].count(), 10_001);
        assert_eq!(ranges[1].ports().collect::<Vec<_>>(), ports[1..10_002]);
        assert!(ranges[0].is_single());
    }

    #[test]
    fn a_range_is_edited_as_a_whole() {
        let range = PortRange {
            first: port(10_000, Some(10_000)),
            last: port(10_010, Some(10_010)),
        };
        let moved = range.published_on(Some((20_000, 20_010))).unwrap_or(range);
        assert_eq!(moved.published_text(""), "20000-20010");
        assert_eq!(
            range.published_on(Some((20_000, 20_005))),
            Err(FieldError::RangeLengths {
                published: 6,
                target: 11
            })
        );
        assert!(range.targeting((80, 80)).is_err());
        let random = range.published_on(None).unwrap_or(range);
        assert_eq!(random.targeting((80, 80)).map(|r| r.count()), Ok(1));
    }

    #[test]
    fn a_single_port_grows_into_a_range_from_either_field() {
        let single = PortRange::single(port(5432, Some(5432)));
        // The container ports typed first: the published port follows from its number.
        let by_target = single.targeting((10_000, 10_010)).unwrap_or(single);
        assert_eq!(by_target.published_text(""), "5432-5442");
        assert_eq!(by_target.target_text(), "10000-10010");
        // The published ports typed first: the container port follows from its number.
        let by_published = single.published_on(Some((8000, 8008))).unwrap_or(single);
        assert_eq!(by_published.published_text(""), "8000-8008");
        assert_eq!(by_published.target_text(), "5432-5440");
        // Past the last port there is no range to grow into.
        let high = PortRange::single(port(65_530, Some(65_530)));
        assert!(high.targeting((100, 110)).is_err());
        assert!(high.published_on(Some((100, 110))).is_err());
    }

    #[test]
    fn a_gap_or_another_protocol_ends_a_range() {
        let mut tcp = port(81, Some(81));
        tcp.protocol = Protocol::Tcp;
        let ports = [port(80, Some(80)), tcp, port(82, Some(90))];
        assert_eq!(runs(&ports, |p| *p, |_, _| true).len(), 3);
    }

    #[test]
    fn a_port_published_for_tcp_and_udp_is_written_once() {
        let published = |n: Option<u16>, protocol| Port {
            target: n.unwrap_or(53),
            published: n,
            protocol,
            mode: PublishMode::Ingress,
            host_ip: None,
            at: Default::default(),
            long_syntax: false,
        };
        let ports = [
            published(Some(53), Protocol::Tcp),
            published(Some(53), Protocol::Udp),
            published(Some(67), Protocol::Udp),
            published(None, Protocol::Tcp),
            published(None, Protocol::Udp),
        ];
        assert_eq!(published_list(&ports, "random"), "53, 67, random, random");
    }
}
