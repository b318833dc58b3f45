//! Random sequences of chain actions: a `Listen` component that keeps its own UTXO set from the
//! replayed connect/disconnect events always agrees with `SimChain`'s, and an Electrum-style
//! `Confirm` component synced after every action agrees with the chain's confirmations.

use std::collections::{BTreeMap, HashMap};

use lightning::bitcoin::block::Header;
use lightning::bitcoin::{Amount, Block, BlockHash, OutPoint, Transaction, TxOut, Txid};
use lightning::chain::{Confirm, Listen};
use lightning::testkit::{SimChain, SimWallet};
use proptest::prelude::*;

/// Rebuilds the UTXO set from block events alone, with its own undo data.
#[derive(Default)]
struct UtxoTracker {
    utxos: BTreeMap<OutPoint, TxOut>,
    undo: HashMap<BlockHash, Vec<(OutPoint, TxOut)>>,
    blocks: HashMap<BlockHash, Block>,
    height: u32,
}

impl Listen for UtxoTracker {
    fn block_connected(&mut self, block: &Block, height: u32) {
        assert_eq!(height, self.height + 1, "blocks connect in height order");
        let mut spent = Vec::new();
        for tx in &block.txdata {
            if !tx.is_coinbase() {
                for input in &tx.input {
                    let out = self
                        .utxos
                        .remove(&input.previous_output)
                        .expect("spends a utxo");
                    spent.push((input.previous_output, out));
                }
            }
            let txid = tx.compute_txid();
            for (vout, out) in tx.output.iter().enumerate() {
                if out.script_pubkey.is_op_return() {
                    continue;
                }
                self.utxos.insert(
                    OutPoint {
                        txid,
                        vout: vout as u32,
                    },
                    out.clone(),
                );
            }
        }
        self.undo.insert(block.block_hash(), spent);
        self.blocks.insert(block.block_hash(), block.clone());
        self.height = height;
    }

    fn block_disconnected(&mut self, header: &Header, height: u32) {
        assert_eq!(height, self.height, "the tip disconnects first");
        let block = self
            .blocks
            .remove(&header.block_hash())
            .expect("a block we saw");
        for tx in &block.txdata {
            let txid = tx.compute_txid();
            for vout in 0..tx.output.len() {
                self.utxos.remove(&OutPoint {
                    txid,
                    vout: vout as u32,
                });
            }
        }
        for (outpoint, out) in self.undo.remove(&header.block_hash()).unwrap() {
            self.utxos.insert(outpoint, out);
        }
        self.height = height - 1;
    }
}

/// Tracks the confirmation height of every transaction, Electrum style.
#[derive(Default)]
struct ConfirmTracker {
    confirmed: BTreeMap<Txid, (u32, BlockHash)>,
    best: u32,
}

impl Confirm for ConfirmTracker {
    fn transactions_confirmed(
        &mut self,
        header: &Header,
        txdata: &[(usize, &Transaction)],
        height: u32,
    ) {
        for (_, tx) in txdata {
            self.confirmed
                .insert(tx.compute_txid(), (height, header.block_hash()));
        }
    }
    fn transaction_unconfirmed(&mut self, txid: &Txid) {
        self.confirmed.remove(txid);
    }
    fn best_block_updated(&mut self, _header: &Header, height: u32) {
        self.best = height;
    }
    fn relevant_txids(&self) -> Vec<(Txid, u32, Option<BlockHash>)> {
        self.confirmed
            .iter()
            .map(|(t, (h, b))| (*t, *h, Some(*b)))
            .collect()
    }
}

#[derive(Clone, Debug)]
enum Action {
    Fund { wallet: usize, sats: u64 },
    Pay { from: usize, to: usize, sats: u64 },
    Mine(u32),
    MineEmpty(u32),
    Disconnect(u32),
    Reorg { depth: u32, new_blocks: u32 },
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        (0..3usize, 10_000..200_000u64).prop_map(|(wallet, sats)| Action::Fund { wallet, sats }),
        (0..3usize, 0..3usize, 1_000..150_000u64).prop_map(|(from, to, sats)| Action::Pay {
            from,
            to,
            sats
        }),
        (1..3u32).prop_map(Action::Mine),
        (1..3u32).prop_map(Action::MineEmpty),
        (1..4u32).prop_map(Action::Disconnect),
        (1..4u32, 0..4u32).prop_map(|(depth, new_blocks)| Action::Reorg { depth, new_blocks }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn listeners_agree_with_the_chain(actions in proptest::collection::vec(action(), 1..25)) {
        let mut chain = SimChain::new();
        let mut wallets: Vec<SimWallet> = (0..3u8).map(|i| SimWallet::new([i + 1; 32])).collect();
        let mut utxos = UtxoTracker::default();
        let mut confirms = ConfirmTracker::default();
        let utxo_id = chain.register_listener_at_tip();
        let confirm_id = chain.register_listener_at_tip();
        for action in actions {
            match action {
                Action::Fund { wallet, sats } => {
                    chain.fund_address(wallets[wallet].script_pubkey(), Amount::from_sat(sats));
                }
                Action::Pay { from, to, sats } => {
                    let destination = wallets[to].script_pubkey().to_owned();
                    wallets[from].release_all();
                    let _ = wallets[from].send_to(&mut chain, &destination, Amount::from_sat(sats));
                }
                Action::Mine(n) => { chain.mine_blocks(n); }
                Action::MineEmpty(n) => { chain.mine_empty_blocks(n); }
                Action::Disconnect(n) => { chain.disconnect_blocks(n); }
                Action::Reorg { depth, new_blocks } => { chain.reorg(depth, new_blocks); }
            }
            chain.sync_listener(utxo_id, &mut utxos).unwrap();
            chain.sync_confirm(confirm_id, &mut confirms).unwrap();

            prop_assert_eq!(utxos.height, chain.height());
            prop_assert_eq!(confirms.best, chain.height());
            for wallet in &wallets {
                let tracked: Vec<(OutPoint, TxOut)> = utxos
                    .utxos
                    .iter()
                    .filter(|(_, out)| out.script_pubkey == *wallet.script_pubkey())
                    .map(|(o, out)| (*o, out.clone()))
                    .collect();
                prop_assert_eq!(tracked, chain.outputs_paying(wallet.script_pubkey()));
            }
            for (outpoint, out) in &utxos.utxos {
                prop_assert_eq!(chain.utxo(outpoint), Some(out));
            }
            for (txid, (height, _)) in &confirms.confirmed {
                prop_assert_eq!(chain.tx_confirmations(txid), Some(chain.height() - height + 1));
            }
            for height in 1..=chain.height() {
                for tx in &chain.block_at(height).unwrap().txdata {
                    prop_assert!(confirms.confirmed.contains_key(&tx.compute_txid()));
                }
            }
        }
    }
}
