//! `SimChain` through its public API: mining, rejections, lock times, block validity, reorgs
//! seen by `Listen` components, and determinism.

use lightning::bitcoin::absolute::LockTime;
use lightning::bitcoin::block::Header;
use lightning::bitcoin::hashes::Hash;
use lightning::bitcoin::transaction::Version;
use lightning::bitcoin::{
    Amount, Block, BlockHash, OutPoint, ScriptBuf, Sequence, Transaction, TxIn, TxOut, Txid,
    Witness,
};
use lightning::chain::{ChainSource, Listen};
use lightning::testkit::{RejectReason, SimChain, SimWallet, SyncError};

/// A raw transaction (scripts are not checked by the simulator) spending `inputs` with
/// `sequence`, locked at `lock_time`, paying `value` to an empty-witness script.
fn raw_spend(inputs: &[OutPoint], value: u64, sequence: u32, lock_time: u32) -> Transaction {
    Transaction {
        version: Version::TWO,
        lock_time: LockTime::from_consensus(lock_time),
        input: inputs
            .iter()
            .map(|outpoint| TxIn {
                previous_output: *outpoint,
                script_sig: ScriptBuf::new(),
                sequence: Sequence(sequence),
                witness: Witness::new(),
            })
            .collect(),
        output: vec![TxOut {
            value: Amount::from_sat(value),
            script_pubkey: ScriptBuf::new(),
        }],
    }
}

fn funded(amount: u64) -> (SimChain, SimWallet, OutPoint) {
    let mut chain = SimChain::new();
    let wallet = SimWallet::new([3; 32]);
    let outpoint = chain.fund_address(wallet.script_pubkey(), Amount::from_sat(amount));
    (chain, wallet, outpoint)
}

#[test]
fn mining_includes_broadcast_transactions() {
    let (mut chain, _, funding) = funded(100_000);
    let tx = raw_spend(&[funding], 90_000, u32::MAX, 0);
    let txid = tx.compute_txid();
    assert!(chain.broadcast(tx.clone()));
    assert!(
        !chain.broadcast(tx.clone()),
        "a second broadcast is ignored"
    );
    assert!(chain.mempool_contains(&txid));
    assert_eq!(chain.tx_confirmations(&txid), None);

    let outcome = chain.mine_blocks(1);
    assert_eq!(outcome.confirmed, vec![txid]);
    assert!(outcome.rejected.is_empty());
    assert_eq!(outcome.blocks, vec![chain.tip().block_hash]);
    assert!(chain.mempool().is_empty());
    assert_eq!(chain.block_at(2).unwrap().txdata[1], tx);
    assert_eq!(chain.tx_confirmations(&txid), Some(1));
    assert_eq!(chain.confirmed_transaction(&txid), Some((2, &tx)));
    assert_eq!(chain.utxo(&funding), None);
    assert_eq!(chain.spending_txid(&funding), Some(txid));
    assert_eq!(
        chain.utxo(&OutPoint { txid, vout: 0 }).unwrap().value,
        Amount::from_sat(90_000)
    );

    chain.mine_blocks(2);
    assert_eq!(chain.tx_confirmations(&txid), Some(3));
    assert!(
        !chain.broadcast(tx),
        "a confirmed transaction does not re-enter the mempool"
    );
}

#[test]
fn a_double_spend_is_rejected() {
    let (mut chain, _, funding) = funded(100_000);
    let first = raw_spend(&[funding], 90_000, u32::MAX, 0);
    let second = raw_spend(&[funding], 80_000, u32::MAX, 0);
    chain.broadcast(first.clone());
    chain.broadcast(second.clone());
    let outcome = chain.mine_blocks(1);
    assert_eq!(outcome.confirmed, vec![first.compute_txid()]);
    assert_eq!(outcome.rejected.len(), 1);
    assert_eq!(outcome.rejected[0].tx, second);
    let double_spend = RejectReason::DoubleSpend {
        outpoint: funding,
        spent_by: first.compute_txid(),
    };
    assert_eq!(outcome.rejected[0].reason, double_spend);
    assert!(chain.mempool().is_empty());

    // The same conflict against the confirmed chain.
    chain.broadcast(second.clone());
    let outcome = chain.mine_blocks(1);
    assert!(outcome.confirmed.is_empty());
    assert!(outcome.was_rejected(&second.compute_txid()));
    assert_eq!(outcome.rejected[0].reason, double_spend);
    assert_eq!(chain.tx_confirmations(&second.compute_txid()), None);
}

#[test]
fn unknown_inputs_overspending_and_duplicate_inputs_are_rejected() {
    let (mut chain, _, funding) = funded(100_000);
    let unknown = OutPoint {
        txid: Txid::from_byte_array([0x42; 32]),
        vout: 0,
    };
    chain.broadcast(raw_spend(&[unknown], 1_000, u32::MAX, 0));
    chain.broadcast(raw_spend(&[funding], 100_001, u32::MAX, 0));
    chain.broadcast(raw_spend(&[funding, funding], 1_000, u32::MAX, 0));
    let outcome = chain.mine_blocks(1);
    assert!(outcome.confirmed.is_empty());
    let reasons: Vec<_> = outcome.rejected.iter().map(|r| r.reason.clone()).collect();
    assert_eq!(
        reasons,
        vec![
            RejectReason::MissingInput { outpoint: unknown },
            RejectReason::OutputsExceedInputs {
                inputs: Amount::from_sat(100_000),
                outputs: Amount::from_sat(100_001)
            },
            RejectReason::DuplicateInput { outpoint: funding },
        ]
    );
    assert!(reasons[0].to_string().contains("unknown"));
    assert_eq!(
        chain.utxo(&funding).unwrap().value,
        Amount::from_sat(100_000)
    );
}

#[test]
fn a_child_broadcast_before_its_parent_is_mined_in_the_same_block() {
    let (mut chain, _, funding) = funded(100_000);
    let parent = raw_spend(&[funding], 90_000, u32::MAX, 0);
    let child = raw_spend(
        &[OutPoint {
            txid: parent.compute_txid(),
            vout: 0,
        }],
        80_000,
        u32::MAX,
        0,
    );
    chain.broadcast(child.clone());
    chain.broadcast(parent.clone());
    let outcome = chain.mine_blocks(1);
    assert_eq!(
        outcome.confirmed,
        vec![parent.compute_txid(), child.compute_txid()]
    );
    let block = chain.tip_block();
    assert_eq!(block.txdata[1..], [parent, child]);
}

#[test]
fn absolute_lock_time_is_enforced() {
    let (mut chain, _, funding) = funded(100_000);
    let height = chain.height(); // 1
    let locked = raw_spend(&[funding], 90_000, 0xffff_fffe, height + 2);
    chain.broadcast(locked.clone());
    let outcome = chain.mine_blocks(1); // block at height + 1
    let reason = RejectReason::NonFinal {
        lock_time: height + 2,
    };
    assert_eq!(outcome.rejected[0].reason, reason);
    chain.broadcast(locked.clone());
    assert!(
        chain.mine_blocks(1).was_rejected(&locked.compute_txid()),
        "height + 2 not yet"
    );
    chain.broadcast(locked.clone());
    assert_eq!(chain.mine_blocks(1).confirmed, vec![locked.compute_txid()]);
    assert_eq!(chain.height(), height + 3);

    // Final sequences disable the lock.
    let outpoint = chain.fund_address(&ScriptBuf::new(), Amount::from_sat(5_000));
    chain.broadcast(raw_spend(&[outpoint], 4_000, u32::MAX, 1_000_000));
    assert_eq!(chain.mine_blocks(1).confirmed.len(), 1);
}

#[test]
fn relative_lock_time_is_enforced() {
    let (mut chain, _, funding) = funded(100_000); // funding at height 1
    let csv = raw_spend(&[funding], 90_000, 3, 0);
    chain.broadcast(csv.clone());
    let outcome = chain.mine_blocks(1); // height 2: one block after
    assert_eq!(
        outcome.rejected[0].reason,
        RejectReason::RelativeLockTimeNotMet { input: 0 }
    );
    chain.mine_empty_blocks(1); // height 3
    chain.broadcast(csv.clone());
    assert!(chain.mine_blocks(1).confirmed.contains(&csv.compute_txid())); // height 4 = 1 + 3

    // Version 1 transactions ignore BIP 68.
    let outpoint = chain.fund_address(&ScriptBuf::new(), Amount::from_sat(5_000));
    let mut v1 = raw_spend(&[outpoint], 4_000, 100, 0);
    v1.version = Version::ONE;
    chain.broadcast(v1);
    assert_eq!(chain.mine_blocks(1).confirmed.len(), 1);
}

#[test]
fn blocks_are_valid_and_linked() {
    let (mut chain, mut wallet, _) = funded(100_000);
    wallet
        .send_to(&mut chain, &ScriptBuf::new(), Amount::from_sat(10_000))
        .unwrap();
    chain.mine_blocks(3);
    let mut previous: Option<&Block> = None;
    for height in 0..=chain.height() {
        let block = chain.block_at(height).unwrap();
        assert!(block.check_merkle_root(), "merkle root at {height}");
        assert!(
            block.check_witness_commitment(),
            "witness commitment at {height}"
        );
        assert!(block.header.validate_pow(block.header.target()).is_ok());
        assert!(block.txdata[0].is_coinbase());
        if let Some(previous) = previous {
            assert_eq!(block.header.prev_blockhash, previous.block_hash());
            assert!(block.header.time > previous.header.time);
        }
        previous = Some(block);
    }
    // The payment (with a witness) is in block 2, whose commitment covers it.
    assert_eq!(chain.block_at(2).unwrap().txdata.len(), 2);
    assert!(chain.block_at(2).unwrap().txdata[1].input[0].witness.len() == 2);
    assert!(chain.block_at(chain.height() + 1).is_none());
}

/// A fixed script of actions: fund, pay, broadcast, mine, reorg.
fn scripted_chain(seed: u8) -> SimChain {
    let mut chain = SimChain::new();
    let mut wallet = SimWallet::new([seed; 32]);
    chain.fund_address(wallet.script_pubkey(), Amount::from_sat(1_000_000));
    chain.mine_blocks(2);
    let tx = wallet
        .create_payment(&chain, &ScriptBuf::new(), Amount::from_sat(300_000), 500)
        .unwrap();
    chain.broadcast_transactions(&[&tx]);
    chain.mine_blocks(1);
    chain.reorg(1, 2);
    chain
}

#[test]
fn the_same_actions_give_the_same_chain() {
    let a = scripted_chain(9);
    let b = scripted_chain(9);
    assert_eq!(a.tip(), b.tip());
    assert_eq!(a.height(), 5);
    for height in 0..=a.height() {
        assert_eq!(a.block_at(height), b.block_at(height));
    }
    assert_ne!(
        scripted_chain(10).tip(),
        a.tip(),
        "a different wallet gives a different chain"
    );
}

/// A `Listen` that logs what it is told.
#[derive(Default)]
struct Log {
    events: Vec<(&'static str, BlockHash, u32)>,
}

impl Listen for Log {
    fn block_connected(&mut self, block: &Block, height: u32) {
        self.events.push(("connected", block.block_hash(), height));
    }
    fn block_disconnected(&mut self, header: &Header, height: u32) {
        self.events
            .push(("disconnected", header.block_hash(), height));
    }
}

#[test]
fn a_reorg_returns_transactions_to_the_mempool_and_listeners_see_it_in_order() {
    let (mut chain, _, funding) = funded(100_000);
    let mut log = Log::default();
    let id = chain.register_listener_at_tip();
    let tx = raw_spend(&[funding], 90_000, u32::MAX, 0);
    let txid = tx.compute_txid();
    chain.broadcast(tx.clone());
    chain.mine_blocks(2); // tx at height 2, tip at 3
    let report = chain.sync_listener(id, &mut log).unwrap();
    assert_eq!((report.disconnected, report.connected), (0, 2));
    let old2 = chain.block_at(2).unwrap().block_hash();
    let old3 = chain.block_at(3).unwrap().block_hash();

    let disconnected = chain.disconnect_blocks(2);
    assert_eq!(disconnected, vec![old3, old2]);
    assert_eq!(chain.mempool(), std::slice::from_ref(&tx));
    assert_eq!(chain.tx_confirmations(&txid), None);
    assert_eq!(
        chain.utxo(&funding).unwrap().value,
        Amount::from_sat(100_000)
    );
    assert_eq!(chain.spending_txid(&funding), None);
    assert!(!chain.is_in_best_chain(&old2));
    assert_eq!(
        chain.block_by_hash(&old3).map(|(h, _)| h),
        Some(3),
        "stale blocks are kept"
    );

    let outcome = chain.mine_blocks(3);
    assert_eq!(outcome.confirmed, vec![txid]);
    assert_eq!(chain.tx_confirmations(&txid), Some(3));
    assert_ne!(chain.block_at(2).unwrap().block_hash(), old2);

    log.events.clear();
    let report = chain.sync_listener(id, &mut log).unwrap();
    assert_eq!((report.disconnected, report.connected), (2, 3));
    let expected: Vec<_> = [("disconnected", old3, 3), ("disconnected", old2, 2)]
        .into_iter()
        .chain((2..=4).map(|h| ("connected", chain.block_at(h).unwrap().block_hash(), h)))
        .collect();
    assert_eq!(log.events, expected);
    assert_eq!(chain.listener_tip(id), Some(chain.tip()));

    log.events.clear();
    assert_eq!(chain.sync_listener(id, &mut log).unwrap().connected, 0);
    assert!(log.events.is_empty(), "a second sync repeats nothing");
}

#[test]
fn a_listener_behind_a_shorter_chain_only_sees_disconnections() {
    let mut chain = SimChain::new();
    chain.mine_blocks(3);
    let id = chain.register_listener_at_tip();
    let late = chain.register_listener(chain.tip()).unwrap();
    chain.disconnect_blocks(2);
    let mut log = Log::default();
    chain.sync_listener(id, &mut log).unwrap();
    assert_eq!(
        log.events.iter().map(|e| (e.0, e.2)).collect::<Vec<_>>(),
        [("disconnected", 3), ("disconnected", 2)]
    );
    // A listener registered in the past sees the blocks since then.
    chain.mine_empty_blocks(1);
    let mut log = Log::default();
    chain.sync_listener(late, &mut log).unwrap();
    assert_eq!(
        log.events.iter().map(|e| (e.0, e.2)).collect::<Vec<_>>(),
        [("disconnected", 3), ("disconnected", 2), ("connected", 2)]
    );
}

#[test]
fn a_reorg_drops_funding_from_a_disconnected_coinbase() {
    let (mut chain, _, funding) = funded(100_000);
    let spend = raw_spend(&[funding], 90_000, u32::MAX, 0);
    chain.broadcast(spend.clone());
    chain.mine_blocks(1);
    let outcome = chain.reorg(2, 2); // both the funding block and the spend go
    assert_eq!(chain.utxo(&funding), None);
    assert_eq!(outcome.rejected.len(), 1);
    assert_eq!(
        outcome.rejected[0].reason,
        RejectReason::MissingInput { outpoint: funding }
    );
    assert_eq!(chain.height(), 2);
}

#[test]
fn genesis_stays_and_bad_ids_are_refused() {
    let mut chain = SimChain::new();
    let genesis = chain.tip();
    chain.mine_blocks(2);
    assert_eq!(chain.disconnect_blocks(10).len(), 2);
    assert_eq!(chain.tip(), genesis);
    let mut other = SimChain::new();
    other.fund_address(&ScriptBuf::new(), Amount::from_sat(1));
    assert!(
        chain.register_listener(other.tip()).is_err(),
        "a block of another chain"
    );
    let mut wrong_height = other.tip();
    wrong_height.height += 1;
    assert!(
        other.register_listener(wrong_height).is_err(),
        "a known block at the wrong height"
    );
    let id = other.register_listener_at_tip();
    let id2 = other.register_listener_at_tip();
    assert_ne!(id, id2);
    let error = chain.sync_listener(id, &mut Log::default()).unwrap_err();
    assert_eq!(error, SyncError::UnknownListener(id));
}
