//! The breach: a node broadcasts a commitment it has revoked, and its peer's monitor catches
//! it with justice transactions.

use lightning::monitor::{ClaimSource, FundingSpendKind, MonitorEvent, ANTI_REORG_DELAY};
use lightning::testkit::network::{MonitorSnapshot, Network};

/// What the breach came to.
#[derive(Debug, Default)]
pub struct Breach {
    pub cheater: usize,
    pub victim: usize,
    /// Transactions the victim broadcast spending the revoked commitment, confirmed.
    pub justice_txs: usize,
    /// The penalty: what the justice claims took from the cheater's side, final.
    pub penalty_sat: u64,
    /// The victim's own balance on the revoked commitment, swept as well.
    pub own_sat: u64,
}

/// Has `cheater` broadcast the commitment in `stale` (revoked since), mines it, and lets
/// `victim`'s monitor punish it; returns what the justice transactions recovered.
pub fn catch(
    net: &mut Network,
    stale: &MonitorSnapshot,
    cheater: usize,
    victim: usize,
) -> Result<Breach, String> {
    let revoked = net
        .broadcast_stale_commitment(stale)
        .map_err(|err| format!("the cheater cannot broadcast: {err}"))?;
    net.mine_blocks(1);
    let caught = net.node(victim).monitor_events().iter().any(|event| {
        matches!(
            event,
            MonitorEvent::FundingSpent {
                kind: FundingSpendKind::RevokedCounterpartyCommitment { .. },
                ..
            }
        )
    });
    if !caught {
        return Err(format!("node {victim}'s monitor did not see the breach"));
    }
    net.mine_blocks(ANTI_REORG_DELAY + 1);
    let justice_txs = net
        .justice_transactions(victim, &revoked)
        .iter()
        .filter(|tx| net.chain().tx_confirmations(&tx.compute_txid()).is_some())
        .count();
    let mut breach = Breach {
        cheater,
        victim,
        justice_txs,
        ..Breach::default()
    };
    for event in net.node(victim).monitor_events() {
        if let MonitorEvent::SpendableOutputs {
            channel_id,
            outputs,
        } = event
        {
            if *channel_id != stale.channel_id {
                continue;
            }
            for output in outputs {
                match output.source {
                    ClaimSource::Justice => breach.penalty_sat += output.output.value.to_sat(),
                    _ => breach.own_sat += output.output.value.to_sat(),
                }
            }
        }
    }
    Ok(breach)
}
