//! The script's operations and their decoding from the fuzz input.

use super::MAX_OPS;

/// One operation of a script, decoded from an op byte (`byte % 20`; 19 names nothing and is
/// skipped) and its argument bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// 0, `[dir, hi, lo]`: start a payment over the direct channel of `DIRECTIONS[dir % 4]`
    /// (bit 0x80 of `dir`: a large amount, see [`amount_msat`]).
    SendDirect {
        /// Index into the four directions.
        direction: usize,
        /// The amount, from two bytes (see [`amount_msat`]).
        amount_msat: u64,
    },
    /// 1, `[dir, hi, lo]`: start a payment over the line, `0 → 1 → 2` or (odd `dir`)
    /// `2 → 1 → 0` (bit 0x80 of `dir`: a large amount).
    SendLine {
        /// Whether it goes from node 2 to node 0.
        backwards: bool,
        /// The amount.
        amount_msat: u64,
    },
    /// 2, `[dir]`: deliver exactly one queued message on a direction (held or not).
    DeliverNext(usize),
    /// 3, `[dir]`: deliver everything queued on a direction in one write.
    DeliverAll(usize),
    /// 4, `[arg]`: end a pair's connection, cleanly (`disconnect`, from either end) or
    /// abruptly (`drop_connection`); what was in flight is lost.
    Disconnect {
        /// Index into the two pairs.
        pair: usize,
        /// Whether the higher node ends it.
        by_second: bool,
        /// Whether the sockets just die.
        abrupt: bool,
    },
    /// 5, `[arg]`: connect a pair again if it is not connected (either end dials).
    Connect {
        /// Index into the two pairs.
        pair: usize,
        /// Whether the higher node dials.
        by_second: bool,
    },
    /// 6, `[dir]`: stop `run_until_quiet` delivering on a direction.
    Hold(usize),
    /// 7, `[dir]`: deliver on a direction again.
    Release(usize),
    /// 8, `[index]`: the payee claims the `index % n`th payment the script started, if it
    /// is claimable.
    Claim(usize),
    /// 9, `[index]`: the payee refuses it (`fail_htlc_backwards`), if claimable.
    Fail(usize),
    /// 10, `[arg]`: a node starts holding its monitor updates, or completes them at once.
    Policy {
        /// The node.
        node: usize,
        /// Whether it holds.
        hold: bool,
    },
    /// 11, `[arg]`: a node completes some (0: all) of its held monitor updates, oldest or
    /// newest first.
    Complete {
        /// The node.
        node: usize,
        /// How many (0: all).
        count: usize,
        /// Whether newest first.
        newest_first: bool,
    },
    /// 12, `[arg]`: a timer tick on every node (odd `arg`), or the clock moves `arg / 2 * 10`
    /// seconds.
    Time(u8),
    /// 13, `[arg]`: mine 1 to 3 blocks, within [`MAX_BLOCKS`](super::MAX_BLOCKS) for the whole script.
    Mine(u32),
    /// 14, `[node]`: crash a node and restart it from what it persisted.
    CrashAndRestart(usize),
    /// 15, `[node, rate]`: a node sets its feerate to `253 + rate * 40` per kw and sends
    /// `update_fee` on the channels it funds.
    UpdateFee {
        /// The node.
        node: usize,
        /// The feerate per kw.
        feerate_per_kw: u32,
    },
    /// 16: run until quiet.
    RunUntilQuiet,
    /// 17, `[arg]`: arm a crash of node `arg % 3` right after its `1 + arg / 3 % 8`th next
    /// persistence point (a write of its manager or of a monitor update), in the middle of
    /// whatever later operation makes it; it restarts from what it persisted at once.
    ArmCrash {
        /// The node.
        node: usize,
        /// After how many more persistence points.
        after: u64,
    },
    /// 18, `[arg]`: node `arg % 3`'s signer goes away (bit 4 of `arg` set: every signature
    /// and secret answers `Pending`, as a hardware signer waiting for its user) or comes
    /// back (the node repeats what waited).
    Signer {
        /// The node.
        node: usize,
        /// Whether it goes away.
        away: bool,
    },
}

/// The amount of a payment from two bytes: 1 msat to about 65,500 sat, dust included; ten
/// times that when `large` (up to more than a channel holds, to reach the reserve and the
/// fee the funder must keep).
pub fn amount_msat(hi: u8, lo: u8, large: bool) -> u64 {
    let amount = (u64::from(hi) << 8 | u64::from(lo)) * 999_983 / 1_000 + 1;
    if large {
        amount * 10
    } else {
        amount
    }
}

/// Reads bytes for the decoder; the end of the input reads as `None`.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (&first, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(first)
    }
}

/// How many op codes name an operation (`0..OP_CODES`; see [`Op`]).
pub const OP_CODES: u64 = 19;

/// How many argument bytes follow op code `code` (see [`Op`]).
pub fn arg_count(code: u8) -> usize {
    match code {
        0 | 1 => 3,
        15 => 2,
        16 => 0,
        _ => 1,
    }
}

/// Decodes the script of `data`: at most [`MAX_OPS`] operations; unknown op bytes skipped.
pub fn decode(data: &[u8]) -> Vec<Op> {
    let mut reader = Reader(data);
    let mut ops = Vec::new();
    while ops.len() < MAX_OPS {
        let Some(code) = reader.byte() else { break };
        let Some(op) = decode_one(code % 20, &mut reader) else {
            if reader.0.is_empty() {
                break;
            }
            continue;
        };
        ops.push(op);
    }
    ops
}

fn decode_one(code: u8, reader: &mut Reader<'_>) -> Option<Op> {
    let op = match code {
        0 | 1 => {
            let (arg, hi, lo) = (reader.byte()?, reader.byte()?, reader.byte()?);
            let amount_msat = amount_msat(hi, lo, arg & 0x80 != 0);
            if code == 0 {
                Op::SendDirect {
                    direction: usize::from(arg % 4),
                    amount_msat,
                }
            } else {
                Op::SendLine {
                    backwards: arg & 1 == 1,
                    amount_msat,
                }
            }
        }
        2 => Op::DeliverNext(usize::from(reader.byte()? % 4)),
        3 => Op::DeliverAll(usize::from(reader.byte()? % 4)),
        4 => {
            let arg = reader.byte()?;
            Op::Disconnect {
                pair: usize::from(arg & 1),
                by_second: arg & 2 != 0,
                abrupt: arg & 4 != 0,
            }
        }
        5 => {
            let arg = reader.byte()?;
            Op::Connect {
                pair: usize::from(arg & 1),
                by_second: arg & 2 != 0,
            }
        }
        6 => Op::Hold(usize::from(reader.byte()? % 4)),
        7 => Op::Release(usize::from(reader.byte()? % 4)),
        8 => Op::Claim(usize::from(reader.byte()?)),
        9 => Op::Fail(usize::from(reader.byte()?)),
        10 => {
            let arg = reader.byte()?;
            Op::Policy {
                node: usize::from(arg % 3),
                hold: arg & 4 != 0,
            }
        }
        11 => {
            let arg = reader.byte()?;
            Op::Complete {
                node: usize::from(arg % 3),
                count: usize::from((arg >> 2) % 4),
                newest_first: arg & 0x10 != 0,
            }
        }
        12 => Op::Time(reader.byte()?),
        13 => Op::Mine(1 + u32::from(reader.byte()? % 3)),
        14 => Op::CrashAndRestart(usize::from(reader.byte()? % 3)),
        15 => {
            let node = usize::from(reader.byte()? % 3);
            let rate = u32::from(reader.byte()?);
            Op::UpdateFee {
                node,
                feerate_per_kw: 253 + rate * 40,
            }
        }
        16 => Op::RunUntilQuiet,
        17 => {
            let arg = reader.byte()?;
            Op::ArmCrash {
                node: usize::from(arg % 3),
                after: 1 + u64::from(arg / 3 % 8),
            }
        }
        18 => {
            let arg = reader.byte()?;
            Op::Signer {
                node: usize::from(arg % 3),
                away: arg & 4 != 0,
            }
        }
        _ => return None,
    };
    Some(op)
}
