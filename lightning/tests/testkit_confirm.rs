//! `Confirm` components fed by `SimChain` (Electrum style) and through `ConfirmAsListen`,
//! across reorgs.

use std::collections::BTreeMap;

use lightning::bitcoin::block::Header;
use lightning::bitcoin::{Amount, BlockHash, ScriptBuf, Transaction, Txid};
use lightning::chain::{ChainSource, Confirm, ConfirmAsListen};
use lightning::testkit::{SimChain, SimWallet};

/// A component that cares about some txids and logs every call.
#[derive(Default, Debug, PartialEq)]
struct Watcher {
    watch: Vec<Txid>,
    confirmed: BTreeMap<Txid, (u32, BlockHash)>,
    best_height: u32,
    log: Vec<Call>,
}

#[derive(Debug, PartialEq, Clone)]
enum Call {
    Confirmed { height: u32, txids: Vec<Txid> },
    Unconfirmed(Txid),
    Best(u32),
}

impl Confirm for Watcher {
    fn transactions_confirmed(
        &mut self,
        header: &Header,
        txdata: &[(usize, &Transaction)],
        height: u32,
    ) {
        let txids: Vec<Txid> = txdata.iter().map(|(_, tx)| tx.compute_txid()).collect();
        for txid in &txids {
            if self.watch.contains(txid) {
                self.confirmed.insert(*txid, (height, header.block_hash()));
            }
        }
        self.log.push(Call::Confirmed { height, txids });
    }
    fn transaction_unconfirmed(&mut self, txid: &Txid) {
        self.confirmed.remove(txid);
        self.log.push(Call::Unconfirmed(*txid));
    }
    fn best_block_updated(&mut self, _header: &Header, height: u32) {
        self.best_height = height;
        self.log.push(Call::Best(height));
    }
    fn relevant_txids(&self) -> Vec<(Txid, u32, Option<BlockHash>)> {
        self.confirmed
            .iter()
            .map(|(txid, (height, hash))| (*txid, *height, Some(*hash)))
            .collect()
    }
}

impl Watcher {
    fn confirmations(&self, txid: &Txid) -> Option<u32> {
        self.confirmed
            .get(txid)
            .map(|(height, _)| self.best_height - height + 1)
    }
}

/// A chain at height 3 with a wallet payment confirmed in block 3; returns the payment.
fn chain_with_payment() -> (SimChain, Transaction) {
    let mut chain = SimChain::new();
    let mut wallet = SimWallet::new([5; 32]);
    chain.fund_address(wallet.script_pubkey(), Amount::from_sat(200_000));
    chain.mine_blocks(1);
    let tx = wallet
        .send_to(&mut chain, &ScriptBuf::new(), Amount::from_sat(50_000))
        .unwrap();
    chain.mine_blocks(1);
    (chain, tx)
}

#[test]
fn a_confirm_listener_sees_unconfirmed_then_confirmed_across_a_reorg() {
    let (mut chain, tx) = chain_with_payment();
    let txid = tx.compute_txid();
    let genesis = chain.block_at(0).unwrap().block_hash();
    let id = chain
        .register_listener(lightning::chain::BestBlock::new(genesis, 0))
        .unwrap();
    let mut watcher = Watcher {
        watch: vec![txid],
        ..Watcher::default()
    };
    chain.sync_confirm(id, &mut watcher).unwrap();
    assert_eq!(watcher.confirmed.get(&txid).map(|c| c.0), Some(3));
    assert_eq!(watcher.confirmations(&txid), Some(1));
    assert_eq!(watcher.log.last(), Some(&Call::Best(3)));

    chain.reorg(1, 2); // block 3 replaced; the payment is mined again in the new block 3
    watcher.log.clear();
    let report = chain.sync_confirm(id, &mut watcher).unwrap();
    assert_eq!((report.disconnected, report.connected), (1, 2));
    let new3 = chain.block_at(3).unwrap();
    assert_eq!(
        watcher.log,
        vec![
            Call::Unconfirmed(txid),
            Call::Confirmed {
                height: 3,
                txids: new3.txdata.iter().map(|t| t.compute_txid()).collect()
            },
            Call::Confirmed {
                height: 4,
                txids: vec![chain.block_at(4).unwrap().txdata[0].compute_txid()]
            },
            Call::Best(4),
        ]
    );
    assert_eq!(watcher.confirmed.get(&txid), Some(&(3, new3.block_hash())));
    assert_eq!(watcher.confirmations(&txid), Some(2));
}

#[test]
fn a_transaction_that_leaves_the_chain_stays_unconfirmed() {
    let (mut chain, tx) = chain_with_payment();
    let txid = tx.compute_txid();
    let id = chain
        .register_listener(lightning::chain::BestBlock::new(
            chain.block_at(2).unwrap().block_hash(),
            2,
        ))
        .unwrap();
    let mut watcher = Watcher {
        watch: vec![txid],
        ..Watcher::default()
    };
    chain.sync_confirm(id, &mut watcher).unwrap();
    assert!(watcher.confirmed.contains_key(&txid));

    chain.disconnect_blocks(1);
    assert!(chain.remove_from_mempool(&txid).is_some());
    chain.mine_empty_blocks(2);
    watcher.log.clear();
    chain.sync_confirm(id, &mut watcher).unwrap();
    assert_eq!(watcher.log.first(), Some(&Call::Unconfirmed(txid)));
    assert_eq!(watcher.log.last(), Some(&Call::Best(4)));
    assert!(watcher.confirmed.is_empty());
    assert_eq!(chain.tx_confirmations(&txid), None);

    // Only disconnections: the tip goes down and the component is told the lower best block.
    chain.disconnect_blocks(2);
    watcher.log.clear();
    chain.sync_confirm(id, &mut watcher).unwrap();
    assert_eq!(watcher.log, vec![Call::Best(2)]);
}

#[test]
fn the_watched_sync_passes_only_what_was_asked_for() {
    let (mut chain, tx) = chain_with_payment();
    let txid = tx.compute_txid();
    let genesis = chain.block_at(0).unwrap().block_hash();
    let unwatched = chain
        .register_listener(lightning::chain::BestBlock::new(genesis, 0))
        .unwrap();
    let mut deaf = Watcher {
        watch: vec![txid],
        ..Watcher::default()
    };
    chain.sync_confirm_watched(unwatched, &mut deaf).unwrap();
    assert_eq!(
        deaf.log,
        vec![Call::Best(3)],
        "nothing was watched, so nothing is reported"
    );
    assert!(!chain.is_watched(&tx));

    chain.watch_transaction(&txid, &tx.output[0].script_pubkey);
    assert!(chain.is_watched(&tx));
    let id = chain
        .register_listener(lightning::chain::BestBlock::new(genesis, 0))
        .unwrap();
    let mut watcher = Watcher {
        watch: vec![txid],
        ..Watcher::default()
    };
    chain.sync_confirm_watched(id, &mut watcher).unwrap();
    assert_eq!(
        watcher.log,
        vec![
            Call::Confirmed {
                height: 3,
                txids: vec![txid]
            },
            Call::Best(3)
        ]
    );
}

#[test]
fn confirm_as_listen_reaches_the_same_state_as_an_electrum_sync() {
    let (mut chain, tx) = chain_with_payment();
    let txid = tx.compute_txid();
    let genesis = lightning::chain::BestBlock::new(chain.block_at(0).unwrap().block_hash(), 0);
    let electrum_id = chain.register_listener(genesis).unwrap();
    let blocks_id = chain.register_listener(genesis).unwrap();
    let mut electrum = Watcher {
        watch: vec![txid],
        ..Watcher::default()
    };
    let mut blocks = Watcher {
        watch: vec![txid],
        ..Watcher::default()
    };
    for step in 0..3 {
        match step {
            0 => {}
            1 => {
                chain.reorg(1, 3);
            }
            _ => {
                chain.disconnect_blocks(4);
                chain.mine_empty_blocks(1);
            }
        }
        chain.sync_confirm(electrum_id, &mut electrum).unwrap();
        chain
            .sync_listener(blocks_id, &mut ConfirmAsListen::new(&mut blocks))
            .unwrap();
        assert_eq!(blocks.confirmed, electrum.confirmed, "step {step}");
    }
    assert!(
        electrum.confirmed.is_empty(),
        "the payment waits in the mempool after the empty branch"
    );
    assert_eq!(electrum.best_height, chain.height());
}
