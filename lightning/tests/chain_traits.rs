//! The chain traits through their public API: `ConfirmAsListen` feeding a `Confirm` component
//! from blocks, `BestBlock`, the fee-rate floor, and `ChainSource` as a trait object.

use lightning::bitcoin::block::Header;
use lightning::bitcoin::{Amount, Block, BlockHash, Network, Transaction, Txid};
use lightning::chain::{
    BestBlock, ChainSource, Confirm, ConfirmAsListen, ConfirmationTarget, Listen,
    FEERATE_FLOOR_SATS_PER_KW,
};
use lightning::testkit::{SimChain, SimWallet};

/// Records every `Confirm` call, and remembers (txid, height, hash) of the watched txids.
#[derive(Default)]
struct Recorder {
    watch: Vec<Txid>,
    record_hash: bool,
    confirmed: Vec<(Txid, u32, BlockHash)>,
    calls: Vec<String>,
    best: Option<(BlockHash, u32)>,
}

impl Confirm for Recorder {
    fn transactions_confirmed(
        &mut self,
        header: &Header,
        txdata: &[(usize, &Transaction)],
        height: u32,
    ) {
        self.calls
            .push(format!("confirmed {} txs at {height}", txdata.len()));
        for (_, tx) in txdata {
            let txid = tx.compute_txid();
            if self.watch.contains(&txid) {
                self.confirmed.push((txid, height, header.block_hash()));
            }
        }
    }
    fn transaction_unconfirmed(&mut self, txid: &Txid) {
        self.calls.push(format!("unconfirmed {txid}"));
        self.confirmed.retain(|(t, _, _)| t != txid);
    }
    fn best_block_updated(&mut self, header: &Header, height: u32) {
        self.calls.push(format!("best {height}"));
        self.best = Some((header.block_hash(), height));
    }
    fn relevant_txids(&self) -> Vec<(Txid, u32, Option<BlockHash>)> {
        self.confirmed
            .iter()
            .map(|(t, h, b)| (*t, *h, if self.record_hash { Some(*b) } else { None }))
            .collect()
    }
}

/// A chain where a wallet payment confirms at height 2 (funding at 1), plus the payment txid.
fn chain_with_payment() -> (SimChain, Txid) {
    let mut chain = SimChain::new();
    let mut wallet = SimWallet::new([7; 32]);
    chain.fund_address(wallet.script_pubkey(), Amount::from_sat(50_000));
    let other = SimWallet::new([8; 32]);
    let tx = wallet
        .send_to(&mut chain, other.script_pubkey(), Amount::from_sat(20_000))
        .unwrap();
    chain.mine_blocks(1);
    (chain, tx.compute_txid())
}

fn feed(component: &mut Recorder, block: &Block, height: u32) {
    ConfirmAsListen::new(component).block_connected(block, height);
}

#[test]
fn confirm_as_listen_passes_all_transactions_then_best_block() {
    let (chain, txid) = chain_with_payment();
    let mut recorder = Recorder {
        watch: vec![txid],
        ..Recorder::default()
    };
    for height in 1..=2 {
        feed(&mut recorder, chain.block_at(height).unwrap(), height);
    }
    assert_eq!(
        recorder.calls,
        [
            "confirmed 1 txs at 1",
            "best 1",
            "confirmed 2 txs at 2",
            "best 2"
        ]
    );
    assert_eq!(
        recorder.confirmed,
        vec![(txid, 2, chain.block_at(2).unwrap().block_hash())]
    );
    assert_eq!(recorder.best, Some((chain.tip().block_hash, 2)));
}

#[test]
fn confirm_as_listen_unconfirms_only_the_disconnected_blocks_transactions() {
    for record_hash in [true, false] {
        let (chain, txid) = chain_with_payment();
        let mut recorder = Recorder {
            watch: vec![txid],
            record_hash,
            ..Recorder::default()
        };
        for height in 1..=2 {
            feed(&mut recorder, chain.block_at(height).unwrap(), height);
        }
        // With the block hash recorded, a header of another block (here block 1's, given at
        // height 2) un-confirms nothing; only the payment's own block does.
        let tip = chain.block_at(2).unwrap();
        let block1 = chain.block_at(1).unwrap();
        if record_hash {
            ConfirmAsListen::new(&mut recorder).block_disconnected(&block1.header, 2);
            assert_eq!(
                recorder.confirmed.len(),
                1,
                "another block's header unconfirms nothing"
            );
        }
        ConfirmAsListen::new(&mut recorder).block_disconnected(&tip.header, 2);
        assert!(recorder.confirmed.is_empty());
        assert_eq!(
            recorder.calls.last().unwrap(),
            &format!("unconfirmed {txid}")
        );
    }
}

#[test]
fn best_block_from_genesis_and_the_floor() {
    let genesis = BestBlock::from_network_genesis(Network::Regtest);
    assert_eq!(genesis.height, 0);
    assert_eq!(genesis, SimChain::new().tip());
    assert_ne!(genesis, BestBlock::from_network_genesis(Network::Bitcoin));
    assert_eq!(FEERATE_FLOOR_SATS_PER_KW, 253);
}

#[test]
fn chain_source_is_usable_as_a_trait_object() {
    let mut chain = SimChain::new();
    chain.set_all_feerates(2_000);
    chain.set_feerate(ConfirmationTarget::UrgentOnChainSweep, 10_000);
    let source: &mut dyn ChainSource = &mut chain;
    assert_eq!(
        source.feerate_sat_per_kw(ConfirmationTarget::UrgentOnChainSweep),
        10_000
    );
    assert_eq!(
        source.feerate_sat_per_kw(ConfirmationTarget::AnchorChannelFee),
        2_000
    );
    let wallet = SimWallet::new([1; 32]);
    let outpoint = chain.fund_address(wallet.script_pubkey(), Amount::from_sat(1_000));
    let source: &mut dyn ChainSource = &mut chain;
    source.watch_output(&outpoint, wallet.script_pubkey());
    source.watch_output(&outpoint, wallet.script_pubkey());
    source.watch_transaction(&outpoint.txid, wallet.script_pubkey());
    assert_eq!(
        chain.watched_outputs(),
        &[(outpoint, wallet.script_pubkey().to_owned())]
    );
    assert_eq!(
        chain.watched_transactions(),
        &[(outpoint.txid, wallet.script_pubkey().to_owned())]
    );
}
