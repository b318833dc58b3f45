//! BOLT 3 Appendix C: commitment and HTLC transaction test vectors (`option_static_remotekey`,
//! no anchors), reproduced byte for byte: every commitment transaction with both signatures,
//! and every HTLC-timeout/HTLC-success transaction with both signatures.

use bitcoin::consensus::encode::serialize_hex;
use bitcoin::secp256k1::Secp256k1;
use bitcoin::sighash::EcdsaSighashType;
use lightning_signer_api::tx::{
    funding_witness, htlc_countersignatory_sighash_type, htlc_transaction_witness,
    sign_p2wsh_input, verify_p2wsh_signature, ChannelType, HtlcDirection,
};

struct CommitmentVector {
    name: &'static str,
    to_local_msat: u64,
    to_remote_msat: u64,
    feerate_per_kw: u32,
    remote_sig: &'static str,
    local_sig: &'static str,
    tx: &'static str,
    htlc_txs: &'static [HtlcTxVector],
}

struct HtlcTxVector {
    output_index: u32,
    /// The HTLC's number in the spec's HTLC table (0..=6).
    htlc: usize,
    success: bool,
    remote_sig: &'static str,
    local_sig: &'static str,
    tx: &'static str,
}
mod tx_bolt3_fixture;
use tx_bolt3_fixture::*;

#[test]
fn obscure_factor_matches_spec() {
    let f = fixture(ChannelType::StaticRemoteKey, 546);
    assert_eq!(f.params.commitment_number_obscure_factor(), 0x2bb038521914);
}

/// Checks one vector, returning a description of every mismatch.
fn check_vector(v: &CommitmentVector) -> Vec<String> {
    let secp = Secp256k1::new();
    let f = fixture(ChannelType::StaticRemoteKey, 546);
    let numbers: Vec<usize> = if v.htlc_txs.is_empty() && v.name.contains("no HTLCs") {
        vec![]
    } else if v.name.contains("same amount") {
        vec![1, 5, 6]
    } else {
        vec![0, 1, 2, 3, 4]
    };
    let mut errors = Vec::new();
    let SignedCommitment {
        mut built,
        remote_sig,
        local_sig,
    } = signed_commitment(
        &f,
        &numbers,
        v.feerate_per_kw,
        v.to_local_msat,
        v.to_remote_msat,
    );
    let script = f.params.funding_witness_script();
    let all = EcdsaSighashType::All;
    if hex::encode(remote_sig.serialize_der()) != v.remote_sig {
        errors.push(format!("{}: remote commitment signature", v.name));
    }
    let message = built.funding_signature_hash(&f.params).unwrap();
    assert!(secp
        .verify_ecdsa(&message, &remote_sig, &f.params.counterparty.funding_pubkey)
        .is_ok());
    if hex::encode(local_sig.serialize_der()) != v.local_sig {
        errors.push(format!("{}: local commitment signature", v.name));
    }
    let remote_funding_pubkey = f.params.counterparty.funding_pubkey;
    let local_funding_pubkey = f.params.holder.funding_pubkey;
    built.tx.input[0].witness = funding_witness(
        &script,
        (&remote_funding_pubkey, &remote_sig),
        (&local_funding_pubkey, &local_sig),
    );
    if serialize_hex(&built.tx) != v.tx {
        errors.push(format!(
            "{}: commitment tx\n got {}\nwant {}",
            v.name,
            serialize_hex(&built.tx),
            v.tx
        ));
    }
    if built.htlc_outputs.len() != v.htlc_txs.len() {
        errors.push(format!(
            "{}: {} HTLC outputs, want {}",
            v.name,
            built.htlc_outputs.len(),
            v.htlc_txs.len()
        ));
        return errors;
    }
    let sighash_type = htlc_countersignatory_sighash_type(ChannelType::StaticRemoteKey);
    for (position, (output, want)) in built.htlc_outputs.iter().zip(v.htlc_txs).enumerate() {
        let number = numbers[output.input_position];
        if output.output_index != want.output_index || number != want.htlc {
            errors.push(format!(
                "{}: HTLC #{} at output {}",
                v.name, number, output.output_index
            ));
        }
        if (output.htlc.direction == HtlcDirection::Received) != want.success {
            errors.push(format!(
                "{}: HTLC #{} wrong second-stage kind",
                v.name, number
            ));
        }
        let mut htlc_tx = built.htlc_transaction(position).unwrap();
        let value = output.htlc.amount_sat();
        let ws = &output.witness_script;
        let remote = sign_p2wsh_input(
            &secp,
            &htlc_tx,
            0,
            ws,
            value,
            sighash_type,
            &f.remote_htlc_key,
        )
        .unwrap();
        let local =
            sign_p2wsh_input(&secp, &htlc_tx, 0, ws, value, all, &f.local_htlc_key).unwrap();
        assert!(verify_p2wsh_signature(
            &secp,
            &htlc_tx,
            0,
            ws,
            value,
            sighash_type,
            &remote,
            &f.keys.countersignatory_htlc_key
        ));
        if hex::encode(remote.serialize_der()) != want.remote_sig {
            errors.push(format!("{}: HTLC #{} remote signature", v.name, number));
        }
        if hex::encode(local.serialize_der()) != want.local_sig {
            errors.push(format!("{}: HTLC #{} local signature", v.name, number));
        }
        let preimage = [TEST_HTLCS[number].3; 32];
        let preimage = (output.htlc.direction == HtlcDirection::Received).then_some(&preimage);
        htlc_tx.input[0].witness =
            htlc_transaction_witness(ChannelType::StaticRemoteKey, &remote, &local, preimage, ws);
        if serialize_hex(&htlc_tx) != want.tx {
            errors.push(format!(
                "{}: HTLC #{} tx\n got {}\nwant {}",
                v.name,
                number,
                serialize_hex(&htlc_tx),
                want.tx
            ));
        }
    }
    errors
}

#[test]
fn appendix_c_commitment_and_htlc_transactions() {
    let errors: Vec<String> = APPENDIX_C.iter().flat_map(check_vector).collect();
    assert!(
        errors.is_empty(),
        "{} mismatches:\n{}",
        errors.len(),
        errors.join("\n")
    );
    assert_eq!(APPENDIX_C.len(), 16);
    assert_eq!(
        APPENDIX_C.iter().map(|v| v.htlc_txs.len()).sum::<usize>(),
        33
    );
}

/// Appendix C test cases, in spec order.
const APPENDIX_C: &[CommitmentVector] = &[
    CommitmentVector {
        name: "simple commitment tx with no HTLCs",
        to_local_msat: 7000000000,
        to_remote_msat: 3000000000,
        feerate_per_kw: 15000,
        remote_sig: concat!(
            "3045022100c3127b33dcc741dd6b05b1e63cbd1a9a7d816f37af9b6756fa2376b056f032370220408b962798",
            "08fe57eb7e463710804cdf4f108388bc5cf722d8c848d2c7f9f3b0",
        ),
        local_sig: concat!(
            "30440220616210b2cc4d3afb601013c373bbd8aac54febd9f15400379a8cb65ce7deca60022034236c010991",
            "beb7ff770510561ae8dc885b8d38d1947248c38f2ae055647142",
        ),
        tx: concat!(
            "02000000000101bef67e4e2fb9ddeeb3461973cd4c62abb35050b1add772995b820b584a4884890000000000",
            "38b02b8002c0c62d0000000000160014cc1b07838e387deacd0e5232e1e8b49f4c29e48454a56a0000000000",
            "2200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d6b7dd80e040047304402206162",
            "10b2cc4d3afb601013c373bbd8aac54febd9f15400379a8cb65ce7deca60022034236c010991beb7ff770510",
            "561ae8dc885b8d38d1947248c38f2ae05564714201483045022100c3127b33dcc741dd6b05b1e63cbd1a9a7d",
            "816f37af9b6756fa2376b056f032370220408b96279808fe57eb7e463710804cdf4f108388bc5cf722d8c848",
            "d2c7f9f3b001475221023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb2103",
            "0e9f7b623d2ccc7c9bd44d66d5ce21ce504c0acf6385a132cec6d3c39fa711c152ae3e195220",
        ),
        htlc_txs: &[
        ],
    },
    CommitmentVector {
        name: "commitment tx with all five HTLCs untrimmed (minimum feerate)",
        to_local_msat: 6988000000,
        to_remote_msat: 3000000000,
        feerate_per_kw: 0,
        remote_sig: concat!(
            "3044022009b048187705a8cbc9ad73adbe5af148c3d012e1f067961486c822c7af08158c022006d66f3704cf",
            "ab3eb2dc49dae24e4aa22a6910fc9b424007583204e3621af2e5",
        ),
        local_sig: concat!(
            "304402206fc2d1f10ea59951eefac0b4b7c396a3c3d87b71ff0b019796ef4535beaf36f902201765b0181e51",
            "4d04f4c8ad75659d7037be26cdb3f8bb6f78fe61decef484c3ea",
        ),
        tx: concat!(
            "02000000000101bef67e4e2fb9ddeeb3461973cd4c62abb35050b1add772995b820b584a4884890000000000",
            "38b02b8007e80300000000000022002052bfef0479d7b293c27e0f1eb294bea154c63a3294ef092c19af5140",
            "9bce0e2ad007000000000000220020403d394747cae42e98ff01734ad5c08f82ba123d3d9a620abda8898965",
            "1e2ab5d007000000000000220020748eba944fedc8827f6b06bc44678f93c0f9e6078b35c6331ed31e75f8ce",
            "0c2db80b000000000000220020c20b5d1f8584fd90443e7b7b720136174fa4b9333c261d04dbbd012635c0f4",
            "19a00f0000000000002200208c48d15160397c9731df9bc3b236656efb6665fbfe92b4a6878e88a499f741c4",
            "c0c62d0000000000160014cc1b07838e387deacd0e5232e1e8b49f4c29e484e0a06a00000000002200204adb",
            "4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d6b7dd80e040047304402206fc2d1f10ea599",
            "51eefac0b4b7c396a3c3d87b71ff0b019796ef4535beaf36f902201765b0181e514d04f4c8ad75659d7037be",
            "26cdb3f8bb6f78fe61decef484c3ea01473044022009b048187705a8cbc9ad73adbe5af148c3d012e1f06796",
            "1486c822c7af08158c022006d66f3704cfab3eb2dc49dae24e4aa22a6910fc9b424007583204e3621af2e501",
            "475221023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb21030e9f7b623d2c",
            "cc7c9bd44d66d5ce21ce504c0acf6385a132cec6d3c39fa711c152ae3e195220",
        ),
        htlc_txs: &[
            HtlcTxVector {
                output_index: 0,
                htlc: 0,
                success: true,
                remote_sig: concat!(
                    "3045022100d9e29616b8f3959f1d3d7f7ce893ffedcdc407717d0de8e37d808c91d3a7c50d022078c3033f6d",
                    "00095c8720a4bc943c1b45727818c082e4e3ddbc6d3116435b624b",
                ),
                local_sig: concat!(
                    "30440220636de5682ef0c5b61f124ec74e8aa2461a69777521d6998295dcea36bc3338110220165285594b23",
                    "c50b28b82df200234566628a27bcd17f7f14404bd865354eb3ce",
                ),
                tx: concat!(
                    "02000000000101ab84ff284f162cfbfef241f853b47d4368d171f9e2a1445160cd591c4c7d882b0000000000",
                    "0000000001e8030000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e0500483045022100d9e29616b8f3959f1d3d7f7ce893ffedcdc407717d0de8e37d808c91d3a7c50d",
                    "022078c3033f6d00095c8720a4bc943c1b45727818c082e4e3ddbc6d3116435b624b014730440220636de568",
                    "2ef0c5b61f124ec74e8aa2461a69777521d6998295dcea36bc3338110220165285594b23c50b28b82df20023",
                    "4566628a27bcd17f7f14404bd865354eb3ce0120000000000000000000000000000000000000000000000000",
                    "00000000000000008a76a91414011f7254d96b819c76986c277d115efce6f7b58763ac67210394854aa6eab5",
                    "b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c8201208763a914b8bcb07f6344b42ab042",
                    "50c86a6e8b75d3fdbbc688527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b14",
                    "0639e752ae677502f401b175ac686800000000",
                ),
            },
            HtlcTxVector {
                output_index: 1,
                htlc: 2,
                success: false,
                remote_sig: concat!(
                    "30440220649fe8b20e67e46cbb0d09b4acea87dbec001b39b08dee7bdd0b1f03922a8640022037c462dff79d",
                    "f501cecfdb12ea7f4de91f99230bb544726f6e04527b1f896004",
                ),
                local_sig: concat!(
                    "3045022100803159dee7935dba4a1d36a61055ce8fd62caa528573cc221ae288515405a252022029c59e7cff",
                    "ce374fe860100a4a63787e105c3cf5156d40b12dd53ff55ac8cf3f",
                ),
                tx: concat!(
                    "02000000000101ab84ff284f162cfbfef241f853b47d4368d171f9e2a1445160cd591c4c7d882b0100000000",
                    "0000000001d0070000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e05004730440220649fe8b20e67e46cbb0d09b4acea87dbec001b39b08dee7bdd0b1f03922a864002",
                    "2037c462dff79df501cecfdb12ea7f4de91f99230bb544726f6e04527b1f89600401483045022100803159de",
                    "e7935dba4a1d36a61055ce8fd62caa528573cc221ae288515405a252022029c59e7cffce374fe860100a4a63",
                    "787e105c3cf5156d40b12dd53ff55ac8cf3f01008576a91414011f7254d96b819c76986c277d115efce6f7b5",
                    "8763ac67210394854aa6eab5b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c8201208764",
                    "75527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b140639e752ae67a914b43e",
                    "1b38138a41b37f7cd9a1d274bc63e3a9b5d188ac6868f6010000",
                ),
            },
            HtlcTxVector {
                output_index: 2,
                htlc: 1,
                success: true,
                remote_sig: concat!(
                    "30440220770fc321e97a19f38985f2e7732dd9fe08d16a2efa4bcbc0429400a447faf49102204d40b417f311",
                    "3e1b0944ae0986f517564ab4acd3d190503faf97a6e420d43352",
                ),
                local_sig: concat!(
                    "3045022100a437cc2ce77400ecde441b3398fea3c3ad8bdad8132be818227fe3c5b8345989022069d45e7fa0",
                    "ae551ec37240845e2c561ceb2567eacf3076a6a43a502d05865faa",
                ),
                tx: concat!(
                    "02000000000101ab84ff284f162cfbfef241f853b47d4368d171f9e2a1445160cd591c4c7d882b0200000000",
                    "0000000001d0070000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e05004730440220770fc321e97a19f38985f2e7732dd9fe08d16a2efa4bcbc0429400a447faf49102",
                    "204d40b417f3113e1b0944ae0986f517564ab4acd3d190503faf97a6e420d4335201483045022100a437cc2c",
                    "e77400ecde441b3398fea3c3ad8bdad8132be818227fe3c5b8345989022069d45e7fa0ae551ec37240845e2c",
                    "561ceb2567eacf3076a6a43a502d05865faa0120010101010101010101010101010101010101010101010101",
                    "01010101010101018a76a91414011f7254d96b819c76986c277d115efce6f7b58763ac67210394854aa6eab5",
                    "b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c8201208763a9144b6b2e5444c2639cc0fb",
                    "7bcea5afba3f3cdce23988527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b14",
                    "0639e752ae677502f501b175ac686800000000",
                ),
            },
            HtlcTxVector {
                output_index: 3,
                htlc: 3,
                success: false,
                remote_sig: concat!(
                    "304402207bcbf4f60a9829b05d2dbab84ed593e0291836be715dc7db6b72a64caf646af802201e489a5a84f7",
                    "c5cc130398b841d138d031a5137ac8f4c49c770a4959dc3c1363",
                ),
                local_sig: concat!(
                    "304402203121d9b9c055f354304b016a36662ee99e1110d9501cb271b087ddb6f382c2c80220549882f3f3b7",
                    "8d9c492de47543cb9a697cecc493174726146536c5954dac7487",
                ),
                tx: concat!(
                    "02000000000101ab84ff284f162cfbfef241f853b47d4368d171f9e2a1445160cd591c4c7d882b0300000000",
                    "0000000001b80b0000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e050047304402207bcbf4f60a9829b05d2dbab84ed593e0291836be715dc7db6b72a64caf646af802",
                    "201e489a5a84f7c5cc130398b841d138d031a5137ac8f4c49c770a4959dc3c13630147304402203121d9b9c0",
                    "55f354304b016a36662ee99e1110d9501cb271b087ddb6f382c2c80220549882f3f3b78d9c492de47543cb9a",
                    "697cecc493174726146536c5954dac748701008576a91414011f7254d96b819c76986c277d115efce6f7b587",
                    "63ac67210394854aa6eab5b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c820120876475",
                    "527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b140639e752ae67a9148a486f",
                    "f2e31d6158bf39e2608864d63fefd09d5b88ac6868f7010000",
                ),
            },
            HtlcTxVector {
                output_index: 4,
                htlc: 4,
                success: true,
                remote_sig: concat!(
                    "3044022076dca5cb81ba7e466e349b7128cdba216d4d01659e29b96025b9524aaf0d1899022060de85697b88",
                    "b21c749702b7d2cfa7dfeaa1f472c8f1d7d9c23f2bf968464b87",
                ),
                local_sig: concat!(
                    "3045022100d9080f103cc92bac15ec42464a95f070c7fb6925014e673ee2ea1374d36a7f7502200c65294d22",
                    "eb20d48564954d5afe04a385551919d8b2ddb4ae2459daaeee1d95",
                ),
                tx: concat!(
                    "02000000000101ab84ff284f162cfbfef241f853b47d4368d171f9e2a1445160cd591c4c7d882b0400000000",
                    "0000000001a00f0000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e0500473044022076dca5cb81ba7e466e349b7128cdba216d4d01659e29b96025b9524aaf0d189902",
                    "2060de85697b88b21c749702b7d2cfa7dfeaa1f472c8f1d7d9c23f2bf968464b8701483045022100d9080f10",
                    "3cc92bac15ec42464a95f070c7fb6925014e673ee2ea1374d36a7f7502200c65294d22eb20d48564954d5afe",
                    "04a385551919d8b2ddb4ae2459daaeee1d950120040404040404040404040404040404040404040404040404",
                    "04040404040404048a76a91414011f7254d96b819c76986c277d115efce6f7b58763ac67210394854aa6eab5",
                    "b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c8201208763a91418bc1a114ccf9c052d3d",
                    "23e28d3b0a9d1227434288527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b14",
                    "0639e752ae677502f801b175ac686800000000",
                ),
            },
        ],
    },
    CommitmentVector {
        name: "commitment tx with seven outputs untrimmed (maximum feerate)",
        to_local_msat: 6988000000,
        to_remote_msat: 3000000000,
        feerate_per_kw: 647,
        remote_sig: concat!(
            "3045022100a135f9e8a5ed25f7277446c67956b00ce6f610ead2bdec2c2f686155b7814772022059f1f6e1a8",
            "b336a68efcc1af3fe4d422d4827332b5b067501b099c47b7b5b5ee",
        ),
        local_sig: concat!(
            "30450221009ec15c687898bb4da8b3a833e5ab8bfc51ec6e9202aaa8e66611edfd4a85ed1102203d7183e450",
            "78b9735c93450bc3415d3e5a8c576141a711ec6ddcb4a893926bb7",
        ),
        tx: concat!(
            "02000000000101bef67e4e2fb9ddeeb3461973cd4c62abb35050b1add772995b820b584a4884890000000000",
            "38b02b8007e80300000000000022002052bfef0479d7b293c27e0f1eb294bea154c63a3294ef092c19af5140",
            "9bce0e2ad007000000000000220020403d394747cae42e98ff01734ad5c08f82ba123d3d9a620abda8898965",
            "1e2ab5d007000000000000220020748eba944fedc8827f6b06bc44678f93c0f9e6078b35c6331ed31e75f8ce",
            "0c2db80b000000000000220020c20b5d1f8584fd90443e7b7b720136174fa4b9333c261d04dbbd012635c0f4",
            "19a00f0000000000002200208c48d15160397c9731df9bc3b236656efb6665fbfe92b4a6878e88a499f741c4",
            "c0c62d0000000000160014cc1b07838e387deacd0e5232e1e8b49f4c29e484e09c6a00000000002200204adb",
            "4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d6b7dd80e04004830450221009ec15c687898",
            "bb4da8b3a833e5ab8bfc51ec6e9202aaa8e66611edfd4a85ed1102203d7183e45078b9735c93450bc3415d3e",
            "5a8c576141a711ec6ddcb4a893926bb701483045022100a135f9e8a5ed25f7277446c67956b00ce6f610ead2",
            "bdec2c2f686155b7814772022059f1f6e1a8b336a68efcc1af3fe4d422d4827332b5b067501b099c47b7b5b5",
            "ee01475221023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb21030e9f7b62",
            "3d2ccc7c9bd44d66d5ce21ce504c0acf6385a132cec6d3c39fa711c152ae3e195220",
        ),
        htlc_txs: &[
            HtlcTxVector {
                output_index: 0,
                htlc: 0,
                success: true,
                remote_sig: concat!(
                    "30450221008437627f9ad84ac67052e2a414a4367b8556fd1f94d8b02590f89f50525cd33502205b9c21ff6e",
                    "7fc864f2352746ad8ba59182510819acb644e25b8a12fc37bbf24f",
                ),
                local_sig: concat!(
                    "30440220344b0deb055230d01703e6c7acd45853c4af2328b49b5d8af4f88a060733406602202ea64f2a43d5",
                    "751edfe75503cbc35a62e3141b5ed032fa03360faf4ca66f670b",
                ),
                tx: concat!(
                    "020000000001012cfb3e4788c206881d38f2996b6cb2109b5935acb527d14bdaa7b908afa9b2fe0000000000",
                    "000000000122020000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e05004830450221008437627f9ad84ac67052e2a414a4367b8556fd1f94d8b02590f89f50525cd335",
                    "02205b9c21ff6e7fc864f2352746ad8ba59182510819acb644e25b8a12fc37bbf24f014730440220344b0deb",
                    "055230d01703e6c7acd45853c4af2328b49b5d8af4f88a060733406602202ea64f2a43d5751edfe75503cbc3",
                    "5a62e3141b5ed032fa03360faf4ca66f670b0120000000000000000000000000000000000000000000000000",
                    "00000000000000008a76a91414011f7254d96b819c76986c277d115efce6f7b58763ac67210394854aa6eab5",
                    "b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c8201208763a914b8bcb07f6344b42ab042",
                    "50c86a6e8b75d3fdbbc688527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b14",
                    "0639e752ae677502f401b175ac686800000000",
                ),
            },
            HtlcTxVector {
                output_index: 1,
                htlc: 2,
                success: false,
                remote_sig: concat!(
                    "304402205a67f92bf6845cf2892b48d874ac1daf88a36495cf8a06f93d83180d930a6f75022031da1621d95c",
                    "3f335cc06a3056cf960199dae600b7cf89088f65fc53cdbef28c",
                ),
                local_sig: concat!(
                    "30450221009e5e3822b0185c6799a95288c597b671d6cc69ab80f43740f00c6c3d0752bdda02206da947a74b",
                    "d98f3175324dc56fdba86cc783703a120a6f0297537e60632f4c7f",
                ),
                tx: concat!(
                    "020000000001012cfb3e4788c206881d38f2996b6cb2109b5935acb527d14bdaa7b908afa9b2fe0100000000",
                    "000000000124060000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e050047304402205a67f92bf6845cf2892b48d874ac1daf88a36495cf8a06f93d83180d930a6f7502",
                    "2031da1621d95c3f335cc06a3056cf960199dae600b7cf89088f65fc53cdbef28c014830450221009e5e3822",
                    "b0185c6799a95288c597b671d6cc69ab80f43740f00c6c3d0752bdda02206da947a74bd98f3175324dc56fdb",
                    "a86cc783703a120a6f0297537e60632f4c7f01008576a91414011f7254d96b819c76986c277d115efce6f7b5",
                    "8763ac67210394854aa6eab5b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c8201208764",
                    "75527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b140639e752ae67a914b43e",
                    "1b38138a41b37f7cd9a1d274bc63e3a9b5d188ac6868f6010000",
                ),
            },
            HtlcTxVector {
                output_index: 2,
                htlc: 1,
                success: true,
                remote_sig: concat!(
                    "30440220437e21766054a3eef7f65690c5bcfa9920babbc5af92b819f772f6ea96df6c7402207173622024bd",
                    "97328cfb26c6665e25c2f5d67c319443ccdc60c903217005d8c8",
                ),
                local_sig: concat!(
                    "3045022100fcfc47e36b712624677626cef3dc1d67f6583bd46926a6398fe6b00b0c9a37760220525788257b",
                    "187fc775c6370d04eadf34d06f3650a63f8df851cee0ecb47a1673",
                ),
                tx: concat!(
                    "020000000001012cfb3e4788c206881d38f2996b6cb2109b5935acb527d14bdaa7b908afa9b2fe0200000000",
                    "00000000010a060000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e05004730440220437e21766054a3eef7f65690c5bcfa9920babbc5af92b819f772f6ea96df6c7402",
                    "207173622024bd97328cfb26c6665e25c2f5d67c319443ccdc60c903217005d8c801483045022100fcfc47e3",
                    "6b712624677626cef3dc1d67f6583bd46926a6398fe6b00b0c9a37760220525788257b187fc775c6370d04ea",
                    "df34d06f3650a63f8df851cee0ecb47a16730120010101010101010101010101010101010101010101010101",
                    "01010101010101018a76a91414011f7254d96b819c76986c277d115efce6f7b58763ac67210394854aa6eab5",
                    "b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c8201208763a9144b6b2e5444c2639cc0fb",
                    "7bcea5afba3f3cdce23988527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b14",
                    "0639e752ae677502f501b175ac686800000000",
                ),
            },
            HtlcTxVector {
                output_index: 3,
                htlc: 3,
                success: false,
                remote_sig: concat!(
                    "304402207436e10737e4df499fc051686d3e11a5bb2310e4d1f1e691d287cef66514791202207cb58e71a6b7",
                    "a42dd001b7e3ae672ea4f71ea3e1cd412b742e9124abb0739c64",
                ),
                local_sig: concat!(
                    "3045022100e78211b8409afb7255ffe37337da87f38646f1faebbdd61bc1920d69e3ead67a02201a626305ad",
                    "fcd16bfb7e9340928d9b6305464eab4aa4c4a3af6646e9b9f69dee",
                ),
                tx: concat!(
                    "020000000001012cfb3e4788c206881d38f2996b6cb2109b5935acb527d14bdaa7b908afa9b2fe0300000000",
                    "00000000010c0a0000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e050047304402207436e10737e4df499fc051686d3e11a5bb2310e4d1f1e691d287cef66514791202",
                    "207cb58e71a6b7a42dd001b7e3ae672ea4f71ea3e1cd412b742e9124abb0739c6401483045022100e78211b8",
                    "409afb7255ffe37337da87f38646f1faebbdd61bc1920d69e3ead67a02201a626305adfcd16bfb7e9340928d",
                    "9b6305464eab4aa4c4a3af6646e9b9f69dee01008576a91414011f7254d96b819c76986c277d115efce6f7b5",
                    "8763ac67210394854aa6eab5b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c8201208764",
                    "75527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b140639e752ae67a9148a48",
                    "6ff2e31d6158bf39e2608864d63fefd09d5b88ac6868f7010000",
                ),
            },
            HtlcTxVector {
                output_index: 4,
                htlc: 4,
                success: true,
                remote_sig: concat!(
                    "30450221009acd6a827a76bfee50806178dfe0495cd4e1d9c58279c194c7b01520fe68cb8d022024d439047c",
                    "368883e570997a7d40f0b430cb5a742f507965e7d3063ae3feccca",
                ),
                local_sig: concat!(
                    "3044022048762cf546bbfe474f1536365ea7c416e3c0389d60558bc9412cb148fb6ab68202207215d7083b75",
                    "c96ff9d2b08c59c34e287b66820f530b486a9aa4cdd9c347d5b9",
                ),
                tx: concat!(
                    "020000000001012cfb3e4788c206881d38f2996b6cb2109b5935acb527d14bdaa7b908afa9b2fe0400000000",
                    "0000000001da0d0000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e05004830450221009acd6a827a76bfee50806178dfe0495cd4e1d9c58279c194c7b01520fe68cb8d",
                    "022024d439047c368883e570997a7d40f0b430cb5a742f507965e7d3063ae3feccca01473044022048762cf5",
                    "46bbfe474f1536365ea7c416e3c0389d60558bc9412cb148fb6ab68202207215d7083b75c96ff9d2b08c59c3",
                    "4e287b66820f530b486a9aa4cdd9c347d5b90120040404040404040404040404040404040404040404040404",
                    "04040404040404048a76a91414011f7254d96b819c76986c277d115efce6f7b58763ac67210394854aa6eab5",
                    "b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c8201208763a91418bc1a114ccf9c052d3d",
                    "23e28d3b0a9d1227434288527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b14",
                    "0639e752ae677502f801b175ac686800000000",
                ),
            },
        ],
    },
    CommitmentVector {
        name: "commitment tx with six outputs untrimmed (minimum feerate)",
        to_local_msat: 6988000000,
        to_remote_msat: 3000000000,
        feerate_per_kw: 648,
        remote_sig: concat!(
            "304402203948f900a5506b8de36a4d8502f94f21dd84fd9c2314ab427d52feaa7a0a19f2022059b6a37a4ada",
            "a2c5419dc8aea63c6e2a2ec4c4bde46207f6dc1fcd22152fc6e5",
        ),
        local_sig: concat!(
            "3045022100b15f72908ba3382a34ca5b32519240a22300cc6015b6f9418635fb41f3d01d8802207adb331b9e",
            "d1575383dca0f2355e86c173802feecf8298fbea53b9d4610583e9",
        ),
        tx: concat!(
            "02000000000101bef67e4e2fb9ddeeb3461973cd4c62abb35050b1add772995b820b584a4884890000000000",
            "38b02b8006d007000000000000220020403d394747cae42e98ff01734ad5c08f82ba123d3d9a620abda88989",
            "651e2ab5d007000000000000220020748eba944fedc8827f6b06bc44678f93c0f9e6078b35c6331ed31e75f8",
            "ce0c2db80b000000000000220020c20b5d1f8584fd90443e7b7b720136174fa4b9333c261d04dbbd012635c0",
            "f419a00f0000000000002200208c48d15160397c9731df9bc3b236656efb6665fbfe92b4a6878e88a499f741",
            "c4c0c62d0000000000160014cc1b07838e387deacd0e5232e1e8b49f4c29e4844e9d6a00000000002200204a",
            "db4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d6b7dd80e0400483045022100b15f72908b",
            "a3382a34ca5b32519240a22300cc6015b6f9418635fb41f3d01d8802207adb331b9ed1575383dca0f2355e86",
            "c173802feecf8298fbea53b9d4610583e90147304402203948f900a5506b8de36a4d8502f94f21dd84fd9c23",
            "14ab427d52feaa7a0a19f2022059b6a37a4adaa2c5419dc8aea63c6e2a2ec4c4bde46207f6dc1fcd22152fc6",
            "e501475221023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb21030e9f7b62",
            "3d2ccc7c9bd44d66d5ce21ce504c0acf6385a132cec6d3c39fa711c152ae3e195220",
        ),
        htlc_txs: &[
            HtlcTxVector {
                output_index: 0,
                htlc: 2,
                success: false,
                remote_sig: concat!(
                    "3045022100a031202f3be94678f0e998622ee95ebb6ada8da1e9a5110228b5e04a747351e4022010ca6a21e1",
                    "8314ed53cfaae3b1f51998552a61a468e596368829a50ce40110e0",
                ),
                local_sig: concat!(
                    "304502210097e1873b57267730154595187a34949d3744f52933070c74757005e61ce2112e02204ecfba2aa4",
                    "2d4f14bdf8bad4206bb97217b702e6c433e0e1b0ce6587e6d46ec6",
                ),
                tx: concat!(
                    "020000000001010f44041fdfba175987cf4e6135ba2a154e3b7fb96483dc0ed5efc0678e5b6bf10000000000",
                    "000000000123060000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e0500483045022100a031202f3be94678f0e998622ee95ebb6ada8da1e9a5110228b5e04a747351e4",
                    "022010ca6a21e18314ed53cfaae3b1f51998552a61a468e596368829a50ce40110e00148304502210097e187",
                    "3b57267730154595187a34949d3744f52933070c74757005e61ce2112e02204ecfba2aa42d4f14bdf8bad420",
                    "6bb97217b702e6c433e0e1b0ce6587e6d46ec601008576a91414011f7254d96b819c76986c277d115efce6f7",
                    "b58763ac67210394854aa6eab5b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c82012087",
                    "6475527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b140639e752ae67a914b4",
                    "3e1b38138a41b37f7cd9a1d274bc63e3a9b5d188ac6868f6010000",
                ),
            },
            HtlcTxVector {
                output_index: 1,
                htlc: 1,
                success: true,
                remote_sig: concat!(
                    "304402202361012a634aee7835c5ecdd6413dcffa8f404b7e77364c792cff984e4ee71e90220715c5e90baa0",
                    "8daa45a7439b1ee4fa4843ed77b19c058240b69406606d384124",
                ),
                local_sig: concat!(
                    "3044022019de73b00f1d818fb388e83b2c8c31f6bce35ac624e215bc12f88f9dc33edf48022006ff814bb9f7",
                    "00ee6abc3294e146fac3efd4f13f0005236b41c0a946ee00c9ae",
                ),
                tx: concat!(
                    "020000000001010f44041fdfba175987cf4e6135ba2a154e3b7fb96483dc0ed5efc0678e5b6bf10100000000",
                    "000000000109060000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e050047304402202361012a634aee7835c5ecdd6413dcffa8f404b7e77364c792cff984e4ee71e902",
                    "20715c5e90baa08daa45a7439b1ee4fa4843ed77b19c058240b69406606d38412401473044022019de73b00f",
                    "1d818fb388e83b2c8c31f6bce35ac624e215bc12f88f9dc33edf48022006ff814bb9f700ee6abc3294e146fa",
                    "c3efd4f13f0005236b41c0a946ee00c9ae012001010101010101010101010101010101010101010101010101",
                    "010101010101018a76a91414011f7254d96b819c76986c277d115efce6f7b58763ac67210394854aa6eab5b2",
                    "a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c8201208763a9144b6b2e5444c2639cc0fb7b",
                    "cea5afba3f3cdce23988527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b1406",
                    "39e752ae677502f501b175ac686800000000",
                ),
            },
            HtlcTxVector {
                output_index: 2,
                htlc: 3,
                success: false,
                remote_sig: concat!(
                    "304402207e8e82cd71ed4febeb593732c260456836e97d81896153ecd2b3cf320ca6861702202dd4a30f68f9",
                    "8ced7cc56a36369ac1fdd978248c5ff4ed204fc00cc625532989",
                ),
                local_sig: concat!(
                    "3045022100bd0be6100c4fd8f102ec220e1b053e4c4e2ecca25615490150007b40d314dc3902201a1e0ea266",
                    "965b43164d9e6576f58fa6726d42883dd1c3996d2925c2e2260796",
                ),
                tx: concat!(
                    "020000000001010f44041fdfba175987cf4e6135ba2a154e3b7fb96483dc0ed5efc0678e5b6bf10200000000",
                    "00000000010b0a0000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e050047304402207e8e82cd71ed4febeb593732c260456836e97d81896153ecd2b3cf320ca6861702",
                    "202dd4a30f68f98ced7cc56a36369ac1fdd978248c5ff4ed204fc00cc62553298901483045022100bd0be610",
                    "0c4fd8f102ec220e1b053e4c4e2ecca25615490150007b40d314dc3902201a1e0ea266965b43164d9e6576f5",
                    "8fa6726d42883dd1c3996d2925c2e226079601008576a91414011f7254d96b819c76986c277d115efce6f7b5",
                    "8763ac67210394854aa6eab5b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c8201208764",
                    "75527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b140639e752ae67a9148a48",
                    "6ff2e31d6158bf39e2608864d63fefd09d5b88ac6868f7010000",
                ),
            },
            HtlcTxVector {
                output_index: 3,
                htlc: 4,
                success: true,
                remote_sig: concat!(
                    "3044022024cd52e4198c8ae0e414a86d86b5a65ea7450f2eb4e783096736d93395eca5ce022078f0094745b4",
                    "5be4d4b2b04dd5978c9e66ba49109e5704403e84aaf5f387d6be",
                ),
                local_sig: concat!(
                    "3045022100bbfb9d0a946d420807c86e985d636cceb16e71c3694ed186316251a00cbd807202207773223f9a",
                    "337e145f64673825be9b30d07ef1542c82188b264bedcf7cda78c6",
                ),
                tx: concat!(
                    "020000000001010f44041fdfba175987cf4e6135ba2a154e3b7fb96483dc0ed5efc0678e5b6bf10300000000",
                    "0000000001d90d0000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e0500473044022024cd52e4198c8ae0e414a86d86b5a65ea7450f2eb4e783096736d93395eca5ce02",
                    "2078f0094745b45be4d4b2b04dd5978c9e66ba49109e5704403e84aaf5f387d6be01483045022100bbfb9d0a",
                    "946d420807c86e985d636cceb16e71c3694ed186316251a00cbd807202207773223f9a337e145f64673825be",
                    "9b30d07ef1542c82188b264bedcf7cda78c60120040404040404040404040404040404040404040404040404",
                    "04040404040404048a76a91414011f7254d96b819c76986c277d115efce6f7b58763ac67210394854aa6eab5",
                    "b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c8201208763a91418bc1a114ccf9c052d3d",
                    "23e28d3b0a9d1227434288527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b14",
                    "0639e752ae677502f801b175ac686800000000",
                ),
            },
        ],
    },
    CommitmentVector {
        name: "commitment tx with six outputs untrimmed (maximum feerate)",
        to_local_msat: 6988000000,
        to_remote_msat: 3000000000,
        feerate_per_kw: 2069,
        remote_sig: concat!(
            "304502210090b96a2498ce0c0f2fadbec2aab278fed54c1a7838df793ec4d2c78d96ec096202204fdd439c50",
            "f90d483baa7b68feeef4bd33bc277695405447bcd0bfb2ca34d7bc",
        ),
        local_sig: concat!(
            "3045022100ad9a9bbbb75d506ca3b716b336ee3cf975dd7834fcf129d7dd188146eb58a8b4022061a759ee41",
            "7339f7fe2ea1e8deb83abb6a74db31a09b7648a932a639cda23e33",
        ),
        tx: concat!(
            "02000000000101bef67e4e2fb9ddeeb3461973cd4c62abb35050b1add772995b820b584a4884890000000000",
            "38b02b8006d007000000000000220020403d394747cae42e98ff01734ad5c08f82ba123d3d9a620abda88989",
            "651e2ab5d007000000000000220020748eba944fedc8827f6b06bc44678f93c0f9e6078b35c6331ed31e75f8",
            "ce0c2db80b000000000000220020c20b5d1f8584fd90443e7b7b720136174fa4b9333c261d04dbbd012635c0",
            "f419a00f0000000000002200208c48d15160397c9731df9bc3b236656efb6665fbfe92b4a6878e88a499f741",
            "c4c0c62d0000000000160014cc1b07838e387deacd0e5232e1e8b49f4c29e48477956a00000000002200204a",
            "db4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d6b7dd80e0400483045022100ad9a9bbbb7",
            "5d506ca3b716b336ee3cf975dd7834fcf129d7dd188146eb58a8b4022061a759ee417339f7fe2ea1e8deb83a",
            "bb6a74db31a09b7648a932a639cda23e330148304502210090b96a2498ce0c0f2fadbec2aab278fed54c1a78",
            "38df793ec4d2c78d96ec096202204fdd439c50f90d483baa7b68feeef4bd33bc277695405447bcd0bfb2ca34",
            "d7bc01475221023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb21030e9f7b",
            "623d2ccc7c9bd44d66d5ce21ce504c0acf6385a132cec6d3c39fa711c152ae3e195220",
        ),
        htlc_txs: &[
            HtlcTxVector {
                output_index: 0,
                htlc: 2,
                success: false,
                remote_sig: concat!(
                    "3045022100f33513ee38abf1c582876f921f8fddc06acff48e04515532a32d3938de938ffd02203aa308a2c1",
                    "863b7d6fdf53159a1465bf2e115c13152546cc5d74483ceaa7f699",
                ),
                local_sig: concat!(
                    "3045022100a637902a5d4c9ba9e7c472a225337d5aac9e2e3f6744f76e237132e7619ba0400220035c60d784",
                    "a031c0d9f6df66b7eab8726a5c25397399ee4aa960842059eb3f9d",
                ),
                tx: concat!(
                    "02000000000101adbe717a63fb658add30ada1e6e12ed257637581898abe475c11d7bbcd65bd4d0000000000",
                    "000000000175020000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e0500483045022100f33513ee38abf1c582876f921f8fddc06acff48e04515532a32d3938de938ffd",
                    "02203aa308a2c1863b7d6fdf53159a1465bf2e115c13152546cc5d74483ceaa7f69901483045022100a63790",
                    "2a5d4c9ba9e7c472a225337d5aac9e2e3f6744f76e237132e7619ba0400220035c60d784a031c0d9f6df66b7",
                    "eab8726a5c25397399ee4aa960842059eb3f9d01008576a91414011f7254d96b819c76986c277d115efce6f7",
                    "b58763ac67210394854aa6eab5b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c82012087",
                    "6475527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b140639e752ae67a914b4",
                    "3e1b38138a41b37f7cd9a1d274bc63e3a9b5d188ac6868f6010000",
                ),
            },
            HtlcTxVector {
                output_index: 1,
                htlc: 1,
                success: true,
                remote_sig: concat!(
                    "3045022100ce07682cf4b90093c22dc2d9ab2a77ad6803526b655ef857221cc96af5c9e0bf02200f501cee22",
                    "e7a268af40b555d15a8237c9f36ad67ef1841daf9f6a0267b1e6df",
                ),
                local_sig: concat!(
                    "3045022100e57e46234f8782d3ff7aa593b4f7446fb5316c842e693dc63ee324fd49f6a1c302204a2f7b44c4",
                    "8bd26e1554422afae13153eb94b29d3687b733d18930615fb2db61",
                ),
                tx: concat!(
                    "02000000000101adbe717a63fb658add30ada1e6e12ed257637581898abe475c11d7bbcd65bd4d0100000000",
                    "000000000122020000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e0500483045022100ce07682cf4b90093c22dc2d9ab2a77ad6803526b655ef857221cc96af5c9e0bf",
                    "02200f501cee22e7a268af40b555d15a8237c9f36ad67ef1841daf9f6a0267b1e6df01483045022100e57e46",
                    "234f8782d3ff7aa593b4f7446fb5316c842e693dc63ee324fd49f6a1c302204a2f7b44c48bd26e1554422afa",
                    "e13153eb94b29d3687b733d18930615fb2db6101200101010101010101010101010101010101010101010101",
                    "0101010101010101018a76a91414011f7254d96b819c76986c277d115efce6f7b58763ac67210394854aa6ea",
                    "b5b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c8201208763a9144b6b2e5444c2639cc0",
                    "fb7bcea5afba3f3cdce23988527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b",
                    "140639e752ae677502f501b175ac686800000000",
                ),
            },
            HtlcTxVector {
                output_index: 2,
                htlc: 3,
                success: false,
                remote_sig: concat!(
                    "3045022100e3e35492e55f82ec0bc2f317ffd7a486d1f7024330fe9743c3559fc39f32ef0c02203d1d4db651",
                    "fc388a91d5ad8ecdd8e83673063bc8eefe27cfd8c189090e3a23e0",
                ),
                local_sig: concat!(
                    "3044022068613fb1b98eb3aec7f44c5b115b12343c2f066c4277c82b5f873dfe68f37f50022028109b4650f3",
                    "f528ca4bfe9a467aff2e3e43893b61b5159157119d5d95cf1c18",
                ),
                tx: concat!(
                    "02000000000101adbe717a63fb658add30ada1e6e12ed257637581898abe475c11d7bbcd65bd4d0200000000",
                    "00000000015d060000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e0500483045022100e3e35492e55f82ec0bc2f317ffd7a486d1f7024330fe9743c3559fc39f32ef0c",
                    "02203d1d4db651fc388a91d5ad8ecdd8e83673063bc8eefe27cfd8c189090e3a23e001473044022068613fb1",
                    "b98eb3aec7f44c5b115b12343c2f066c4277c82b5f873dfe68f37f50022028109b4650f3f528ca4bfe9a467a",
                    "ff2e3e43893b61b5159157119d5d95cf1c1801008576a91414011f7254d96b819c76986c277d115efce6f7b5",
                    "8763ac67210394854aa6eab5b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c8201208764",
                    "75527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b140639e752ae67a9148a48",
                    "6ff2e31d6158bf39e2608864d63fefd09d5b88ac6868f7010000",
                ),
            },
            HtlcTxVector {
                output_index: 3,
                htlc: 4,
                success: true,
                remote_sig: concat!(
                    "304402207475aeb0212ef9bf5130b60937817ad88c9a87976988ef1f323f026148cc4a850220739fea17ad32",
                    "57dcad72e509c73eebe86bee30b178467b9fdab213d631b109df",
                ),
                local_sig: concat!(
                    "3045022100d315522e09e7d53d2a659a79cb67fef56d6c4bddf3f46df6772d0d20a7beb7c8022070bcc17e28",
                    "8607b6a72be0bd83368bb6d53488db266c1cdb4d72214e4f02ac33",
                ),
                tx: concat!(
                    "02000000000101adbe717a63fb658add30ada1e6e12ed257637581898abe475c11d7bbcd65bd4d0300000000",
                    "0000000001f2090000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e050047304402207475aeb0212ef9bf5130b60937817ad88c9a87976988ef1f323f026148cc4a8502",
                    "20739fea17ad3257dcad72e509c73eebe86bee30b178467b9fdab213d631b109df01483045022100d315522e",
                    "09e7d53d2a659a79cb67fef56d6c4bddf3f46df6772d0d20a7beb7c8022070bcc17e288607b6a72be0bd8336",
                    "8bb6d53488db266c1cdb4d72214e4f02ac330120040404040404040404040404040404040404040404040404",
                    "04040404040404048a76a91414011f7254d96b819c76986c277d115efce6f7b58763ac67210394854aa6eab5",
                    "b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c8201208763a91418bc1a114ccf9c052d3d",
                    "23e28d3b0a9d1227434288527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b14",
                    "0639e752ae677502f801b175ac686800000000",
                ),
            },
        ],
    },
    CommitmentVector {
        name: "commitment tx with five outputs untrimmed (minimum feerate)",
        to_local_msat: 6988000000,
        to_remote_msat: 3000000000,
        feerate_per_kw: 2070,
        remote_sig: concat!(
            "304402204ca1ba260dee913d318271d86e10ca0f5883026fb5653155cff600fb40895223022037b145204b70",
            "54a40e08bb1fefbd826f827b40838d3e501423bcc57924bcb50c",
        ),
        local_sig: concat!(
            "3044022001014419b5ba00e083ac4e0a85f19afc848aacac2d483b4b525d15e2ae5adbfe022015ebddad6ee1",
            "e72b47cb09f3e78459da5be01ccccd95dceca0e056a00cc773c1",
        ),
        tx: concat!(
            "02000000000101bef67e4e2fb9ddeeb3461973cd4c62abb35050b1add772995b820b584a4884890000000000",
            "38b02b8005d007000000000000220020403d394747cae42e98ff01734ad5c08f82ba123d3d9a620abda88989",
            "651e2ab5b80b000000000000220020c20b5d1f8584fd90443e7b7b720136174fa4b9333c261d04dbbd012635",
            "c0f419a00f0000000000002200208c48d15160397c9731df9bc3b236656efb6665fbfe92b4a6878e88a499f7",
            "41c4c0c62d0000000000160014cc1b07838e387deacd0e5232e1e8b49f4c29e484da966a0000000000220020",
            "4adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d6b7dd80e0400473044022001014419b5",
            "ba00e083ac4e0a85f19afc848aacac2d483b4b525d15e2ae5adbfe022015ebddad6ee1e72b47cb09f3e78459",
            "da5be01ccccd95dceca0e056a00cc773c10147304402204ca1ba260dee913d318271d86e10ca0f5883026fb5",
            "653155cff600fb40895223022037b145204b7054a40e08bb1fefbd826f827b40838d3e501423bcc57924bcb5",
            "0c01475221023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb21030e9f7b62",
            "3d2ccc7c9bd44d66d5ce21ce504c0acf6385a132cec6d3c39fa711c152ae3e195220",
        ),
        htlc_txs: &[
            HtlcTxVector {
                output_index: 0,
                htlc: 2,
                success: false,
                remote_sig: concat!(
                    "304402205f6b6d12d8d2529fb24f4445630566cf4abbd0f9330ab6c2bdb94222d6a2a0c502202f556258ae6f",
                    "05b193749e4c541dfcc13b525a5422f6291f073f15617ba8579b",
                ),
                local_sig: concat!(
                    "30440220150b11069454da70caf2492ded9e0065c9a57f25ac2a4c52657b1d15b6c6ed85022068a38833b603",
                    "c8892717206383611bad210f1cbb4b1f87ea29c6c65b9e1cb3e5",
                ),
                tx: concat!(
                    "02000000000101403ad7602b43293497a3a2235a12ecefda4f3a1f1d06e49b1786d945685de1ff0000000000",
                    "000000000174020000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e050047304402205f6b6d12d8d2529fb24f4445630566cf4abbd0f9330ab6c2bdb94222d6a2a0c502",
                    "202f556258ae6f05b193749e4c541dfcc13b525a5422f6291f073f15617ba8579b014730440220150b110694",
                    "54da70caf2492ded9e0065c9a57f25ac2a4c52657b1d15b6c6ed85022068a38833b603c8892717206383611b",
                    "ad210f1cbb4b1f87ea29c6c65b9e1cb3e501008576a91414011f7254d96b819c76986c277d115efce6f7b587",
                    "63ac67210394854aa6eab5b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c820120876475",
                    "527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b140639e752ae67a914b43e1b",
                    "38138a41b37f7cd9a1d274bc63e3a9b5d188ac6868f6010000",
                ),
            },
            HtlcTxVector {
                output_index: 1,
                htlc: 3,
                success: false,
                remote_sig: concat!(
                    "3045022100f960dfb1c9aee7ce1437efa65b523e399383e8149790e05d8fed27ff6e42fe0002202fe8613e06",
                    "2ffe0b0c518cc4101fba1c6de70f64a5bcc7ae663f2efae43b8546",
                ),
                local_sig: concat!(
                    "30450221009a6ed18e6873bc3644332a6ee21c152a5b102821865350df7a8c74451a51f9f2022050d801fb48",
                    "95d7d7fbf452824c0168347f5c0cbe821cf6a97a63af5b8b2563c6",
                ),
                tx: concat!(
                    "02000000000101403ad7602b43293497a3a2235a12ecefda4f3a1f1d06e49b1786d945685de1ff0100000000",
                    "00000000015c060000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e0500483045022100f960dfb1c9aee7ce1437efa65b523e399383e8149790e05d8fed27ff6e42fe00",
                    "02202fe8613e062ffe0b0c518cc4101fba1c6de70f64a5bcc7ae663f2efae43b8546014830450221009a6ed1",
                    "8e6873bc3644332a6ee21c152a5b102821865350df7a8c74451a51f9f2022050d801fb4895d7d7fbf452824c",
                    "0168347f5c0cbe821cf6a97a63af5b8b2563c601008576a91414011f7254d96b819c76986c277d115efce6f7",
                    "b58763ac67210394854aa6eab5b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c82012087",
                    "6475527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b140639e752ae67a9148a",
                    "486ff2e31d6158bf39e2608864d63fefd09d5b88ac6868f7010000",
                ),
            },
            HtlcTxVector {
                output_index: 2,
                htlc: 4,
                success: true,
                remote_sig: concat!(
                    "3045022100ae5fc7717ae684bc1fcf9020854e5dbe9842c9e7472879ac06ff95ac2bb10e4e022057728ada4c",
                    "00083a3e65493fb5d50a232165948a1a0f530ef63185c2c8c56504",
                ),
                local_sig: concat!(
                    "30440220408ad3009827a8fccf774cb285587686bfb2ed041f89a89453c311ce9c8ee0f902203c7392d9f830",
                    "6d3a46522a66bd2723a7eb2628cb2d9b34d4c104f1766bf37502",
                ),
                tx: concat!(
                    "02000000000101403ad7602b43293497a3a2235a12ecefda4f3a1f1d06e49b1786d945685de1ff0200000000",
                    "0000000001f1090000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e0500483045022100ae5fc7717ae684bc1fcf9020854e5dbe9842c9e7472879ac06ff95ac2bb10e4e",
                    "022057728ada4c00083a3e65493fb5d50a232165948a1a0f530ef63185c2c8c56504014730440220408ad300",
                    "9827a8fccf774cb285587686bfb2ed041f89a89453c311ce9c8ee0f902203c7392d9f8306d3a46522a66bd27",
                    "23a7eb2628cb2d9b34d4c104f1766bf375020120040404040404040404040404040404040404040404040404",
                    "04040404040404048a76a91414011f7254d96b819c76986c277d115efce6f7b58763ac67210394854aa6eab5",
                    "b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c8201208763a91418bc1a114ccf9c052d3d",
                    "23e28d3b0a9d1227434288527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b14",
                    "0639e752ae677502f801b175ac686800000000",
                ),
            },
        ],
    },
    CommitmentVector {
        name: "commitment tx with five outputs untrimmed (maximum feerate)",
        to_local_msat: 6988000000,
        to_remote_msat: 3000000000,
        feerate_per_kw: 2194,
        remote_sig: concat!(
            "304402204bb3d6e279d71d9da414c82de42f1f954267c762b2e2eb8b76bc3be4ea07d4b0022014febc009c5e",
            "dc8c3fc5d94015de163200f780046f1c293bfed8568f08b70fb3",
        ),
        local_sig: concat!(
            "3044022072c2e2b1c899b2242656a537dde2892fa3801be0d6df0a87836c550137acde8302201654aa1974d3",
            "7a829083c3ba15088689f30b56d6a4f6cb14c7bad0ee3116d398",
        ),
        tx: concat!(
            "02000000000101bef67e4e2fb9ddeeb3461973cd4c62abb35050b1add772995b820b584a4884890000000000",
            "38b02b8005d007000000000000220020403d394747cae42e98ff01734ad5c08f82ba123d3d9a620abda88989",
            "651e2ab5b80b000000000000220020c20b5d1f8584fd90443e7b7b720136174fa4b9333c261d04dbbd012635",
            "c0f419a00f0000000000002200208c48d15160397c9731df9bc3b236656efb6665fbfe92b4a6878e88a499f7",
            "41c4c0c62d0000000000160014cc1b07838e387deacd0e5232e1e8b49f4c29e48440966a0000000000220020",
            "4adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d6b7dd80e0400473044022072c2e2b1c8",
            "99b2242656a537dde2892fa3801be0d6df0a87836c550137acde8302201654aa1974d37a829083c3ba150886",
            "89f30b56d6a4f6cb14c7bad0ee3116d3980147304402204bb3d6e279d71d9da414c82de42f1f954267c762b2",
            "e2eb8b76bc3be4ea07d4b0022014febc009c5edc8c3fc5d94015de163200f780046f1c293bfed8568f08b70f",
            "b301475221023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb21030e9f7b62",
            "3d2ccc7c9bd44d66d5ce21ce504c0acf6385a132cec6d3c39fa711c152ae3e195220",
        ),
        htlc_txs: &[
            HtlcTxVector {
                output_index: 0,
                htlc: 2,
                success: false,
                remote_sig: concat!(
                    "3045022100939726680351a7856c1bc386d4a1f422c7d29bd7b56afc139570f508474e6c40022023175a799c",
                    "cf44c017fbaadb924c40b2a12115a5b7d0dfd3228df803a2de8450",
                ),
                local_sig: concat!(
                    "304502210099c98c2edeeee6ec0fb5f3bea8b79bb016a2717afa9b5072370f34382de281d302206f5e2980a9",
                    "95e045cf90a547f0752a7ee99d48547bc135258fe7bc07e0154301",
                ),
                tx: concat!(
                    "02000000000101153cd825fdb3aa624bfe513e8031d5d08c5e582fb3d1d1fe8faf27d3eed410cd0000000000",
                    "000000000122020000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e0500483045022100939726680351a7856c1bc386d4a1f422c7d29bd7b56afc139570f508474e6c40",
                    "022023175a799ccf44c017fbaadb924c40b2a12115a5b7d0dfd3228df803a2de84500148304502210099c98c",
                    "2edeeee6ec0fb5f3bea8b79bb016a2717afa9b5072370f34382de281d302206f5e2980a995e045cf90a547f0",
                    "752a7ee99d48547bc135258fe7bc07e015430101008576a91414011f7254d96b819c76986c277d115efce6f7",
                    "b58763ac67210394854aa6eab5b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c82012087",
                    "6475527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b140639e752ae67a914b4",
                    "3e1b38138a41b37f7cd9a1d274bc63e3a9b5d188ac6868f6010000",
                ),
            },
            HtlcTxVector {
                output_index: 1,
                htlc: 3,
                success: false,
                remote_sig: concat!(
                    "3044022021bb883bf324553d085ba2e821cad80c28ef8b303dbead8f98e548783c02d1600220638f9ef2a9bb",
                    "a25869afc923f4b5dc38be3bb459f9efa5d869392d5f7779a4a0",
                ),
                local_sig: concat!(
                    "3045022100fd85bd7697b89c08ec12acc8ba89b23090637d83abd26ca37e01ae93e67c367302202b551fe693",
                    "86116c47f984aab9c8dfd25d864dcde5d3389cfbef2447a85c4b77",
                ),
                tx: concat!(
                    "02000000000101153cd825fdb3aa624bfe513e8031d5d08c5e582fb3d1d1fe8faf27d3eed410cd0100000000",
                    "00000000010a060000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e0500473044022021bb883bf324553d085ba2e821cad80c28ef8b303dbead8f98e548783c02d16002",
                    "20638f9ef2a9bba25869afc923f4b5dc38be3bb459f9efa5d869392d5f7779a4a001483045022100fd85bd76",
                    "97b89c08ec12acc8ba89b23090637d83abd26ca37e01ae93e67c367302202b551fe69386116c47f984aab9c8",
                    "dfd25d864dcde5d3389cfbef2447a85c4b7701008576a91414011f7254d96b819c76986c277d115efce6f7b5",
                    "8763ac67210394854aa6eab5b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c8201208764",
                    "75527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b140639e752ae67a9148a48",
                    "6ff2e31d6158bf39e2608864d63fefd09d5b88ac6868f7010000",
                ),
            },
            HtlcTxVector {
                output_index: 2,
                htlc: 4,
                success: true,
                remote_sig: concat!(
                    "3045022100c9e6f0454aa598b905a35e641a70cc9f67b5f38cc4b00843a041238c4a9f1c4a0220260a2822a6",
                    "2da97e44583e837245995ca2e36781769c52f19e498efbdcca262b",
                ),
                local_sig: concat!(
                    "30450221008a9f2ea24cd455c2b64c1472a5fa83865b0a5f49a62b661801e884cf2849af8302204d44180e50",
                    "bf6adfcf1c1e581d75af91aba4e28681ce4a5ee5f3cbf65eca10f3",
                ),
                tx: concat!(
                    "02000000000101153cd825fdb3aa624bfe513e8031d5d08c5e582fb3d1d1fe8faf27d3eed410cd0200000000",
                    "00000000019a090000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e0500483045022100c9e6f0454aa598b905a35e641a70cc9f67b5f38cc4b00843a041238c4a9f1c4a",
                    "0220260a2822a62da97e44583e837245995ca2e36781769c52f19e498efbdcca262b014830450221008a9f2e",
                    "a24cd455c2b64c1472a5fa83865b0a5f49a62b661801e884cf2849af8302204d44180e50bf6adfcf1c1e581d",
                    "75af91aba4e28681ce4a5ee5f3cbf65eca10f301200404040404040404040404040404040404040404040404",
                    "0404040404040404048a76a91414011f7254d96b819c76986c277d115efce6f7b58763ac67210394854aa6ea",
                    "b5b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c8201208763a91418bc1a114ccf9c052d",
                    "3d23e28d3b0a9d1227434288527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b",
                    "140639e752ae677502f801b175ac686800000000",
                ),
            },
        ],
    },
    CommitmentVector {
        name: "commitment tx with four outputs untrimmed (minimum feerate)",
        to_local_msat: 6988000000,
        to_remote_msat: 3000000000,
        feerate_per_kw: 2195,
        remote_sig: concat!(
            "304402201a8c1b1f9671cd9e46c7323a104d7047cc48d3ee80d40d4512e0c72b8dc65666022066d7f9a2ce18",
            "c9eb22d2739ffcce05721c767f9b607622a31b6ea5793ddce403",
        ),
        local_sig: concat!(
            "3044022044d592025b610c0d678f65032e87035cdfe89d1598c522cc32524ae8172417c30220749fef9d5b2a",
            "e8cdd91ece442ba8809bc891efedae2291e578475f97715d1767",
        ),
        tx: concat!(
            "02000000000101bef67e4e2fb9ddeeb3461973cd4c62abb35050b1add772995b820b584a4884890000000000",
            "38b02b8004b80b000000000000220020c20b5d1f8584fd90443e7b7b720136174fa4b9333c261d04dbbd0126",
            "35c0f419a00f0000000000002200208c48d15160397c9731df9bc3b236656efb6665fbfe92b4a6878e88a499",
            "f741c4c0c62d0000000000160014cc1b07838e387deacd0e5232e1e8b49f4c29e484b8976a00000000002200",
            "204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d6b7dd80e0400473044022044d59202",
            "5b610c0d678f65032e87035cdfe89d1598c522cc32524ae8172417c30220749fef9d5b2ae8cdd91ece442ba8",
            "809bc891efedae2291e578475f97715d17670147304402201a8c1b1f9671cd9e46c7323a104d7047cc48d3ee",
            "80d40d4512e0c72b8dc65666022066d7f9a2ce18c9eb22d2739ffcce05721c767f9b607622a31b6ea5793ddc",
            "e40301475221023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb21030e9f7b",
            "623d2ccc7c9bd44d66d5ce21ce504c0acf6385a132cec6d3c39fa711c152ae3e195220",
        ),
        htlc_txs: &[
            HtlcTxVector {
                output_index: 0,
                htlc: 3,
                success: false,
                remote_sig: concat!(
                    "3045022100e57b845066a06ee7c2cbfc29eabffe52daa9bf6f6de760066d04df9f9b250e0002202ffb197f0e",
                    "6e0a77a75a9aff27014bd3de83b7f748d7efef986abe655e1dd50e",
                ),
                local_sig: concat!(
                    "3045022100ecc8c6529d0b2316d046f0f0757c1e1c25a636db168ec4f3aa1b9278df685dc0022067ae6b65e9",
                    "36f1337091f7b18a15935b608c5f2cdddb2f892ed0babfdd376d76",
                ),
                tx: concat!(
                    "020000000001018130a10f09b13677ba2885a8bca32860f3a952e5912b829a473639b5a2c07b900000000000",
                    "000000000109060000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e0500483045022100e57b845066a06ee7c2cbfc29eabffe52daa9bf6f6de760066d04df9f9b250e00",
                    "02202ffb197f0e6e0a77a75a9aff27014bd3de83b7f748d7efef986abe655e1dd50e01483045022100ecc8c6",
                    "529d0b2316d046f0f0757c1e1c25a636db168ec4f3aa1b9278df685dc0022067ae6b65e936f1337091f7b18a",
                    "15935b608c5f2cdddb2f892ed0babfdd376d7601008576a91414011f7254d96b819c76986c277d115efce6f7",
                    "b58763ac67210394854aa6eab5b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c82012087",
                    "6475527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b140639e752ae67a9148a",
                    "486ff2e31d6158bf39e2608864d63fefd09d5b88ac6868f7010000",
                ),
            },
            HtlcTxVector {
                output_index: 1,
                htlc: 4,
                success: true,
                remote_sig: concat!(
                    "3045022100d193b7ecccad8057571620a0b1ffa6c48e9483311723b59cf536043b20bc51550220546d4bd37b",
                    "3b101ecda14f6c907af46ec391abce1cd9c7ce22b1a62b534f2f2a",
                ),
                local_sig: concat!(
                    "3044022014d66f11f9cacf923807eba49542076c5fe5cccf252fb08fe98c78ef3ca6ab5402201b290dbe043c",
                    "c512d9d78de074a5a129b8759bc6a6c546b190d120b690bd6e82",
                ),
                tx: concat!(
                    "020000000001018130a10f09b13677ba2885a8bca32860f3a952e5912b829a473639b5a2c07b900100000000",
                    "000000000199090000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e0500483045022100d193b7ecccad8057571620a0b1ffa6c48e9483311723b59cf536043b20bc5155",
                    "0220546d4bd37b3b101ecda14f6c907af46ec391abce1cd9c7ce22b1a62b534f2f2a01473044022014d66f11",
                    "f9cacf923807eba49542076c5fe5cccf252fb08fe98c78ef3ca6ab5402201b290dbe043cc512d9d78de074a5",
                    "a129b8759bc6a6c546b190d120b690bd6e820120040404040404040404040404040404040404040404040404",
                    "04040404040404048a76a91414011f7254d96b819c76986c277d115efce6f7b58763ac67210394854aa6eab5",
                    "b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c8201208763a91418bc1a114ccf9c052d3d",
                    "23e28d3b0a9d1227434288527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b14",
                    "0639e752ae677502f801b175ac686800000000",
                ),
            },
        ],
    },
    CommitmentVector {
        name: "commitment tx with four outputs untrimmed (maximum feerate)",
        to_local_msat: 6988000000,
        to_remote_msat: 3000000000,
        feerate_per_kw: 3702,
        remote_sig: concat!(
            "304502210092a587aeb777f869e7ff0d7898ea619ee26a3dacd1f3672b945eea600be431100220077ee9eae3",
            "528d15251f2a52b607b189820e57a6ccfac8d1af502b132ee40169",
        ),
        local_sig: concat!(
            "3045022100e5efb73c32d32da2d79702299b6317de6fb24a60476e3855926d78484dd1b3c802203557cb66a4",
            "2c944ef06e00bcc4da35a5bcb2f185aab0f8e403e519e1d66aaf75",
        ),
        tx: concat!(
            "02000000000101bef67e4e2fb9ddeeb3461973cd4c62abb35050b1add772995b820b584a4884890000000000",
            "38b02b8004b80b000000000000220020c20b5d1f8584fd90443e7b7b720136174fa4b9333c261d04dbbd0126",
            "35c0f419a00f0000000000002200208c48d15160397c9731df9bc3b236656efb6665fbfe92b4a6878e88a499",
            "f741c4c0c62d0000000000160014cc1b07838e387deacd0e5232e1e8b49f4c29e4846f916a00000000002200",
            "204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d6b7dd80e0400483045022100e5efb7",
            "3c32d32da2d79702299b6317de6fb24a60476e3855926d78484dd1b3c802203557cb66a42c944ef06e00bcc4",
            "da35a5bcb2f185aab0f8e403e519e1d66aaf750148304502210092a587aeb777f869e7ff0d7898ea619ee26a",
            "3dacd1f3672b945eea600be431100220077ee9eae3528d15251f2a52b607b189820e57a6ccfac8d1af502b13",
            "2ee4016901475221023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb21030e",
            "9f7b623d2ccc7c9bd44d66d5ce21ce504c0acf6385a132cec6d3c39fa711c152ae3e195220",
        ),
        htlc_txs: &[
            HtlcTxVector {
                output_index: 0,
                htlc: 3,
                success: false,
                remote_sig: concat!(
                    "304402206fa54c11f98c3bae1e93df43fc7affeb05b476bf8060c03e29c377c69bc08e8b0220672701cce50d",
                    "5c379ff45a5d2cfe48ac44973adb066ac32608e21221d869bb89",
                ),
                local_sig: concat!(
                    "304402206e36c683ebf2cb16bcef3d5439cf8b53cd97280a365ed8acd7abb85a8ba5f21c02206e8621edfc2a",
                    "5766cbc96eb67fd501127ff163eb6b85518a39f7d4974aef126f",
                ),
                tx: concat!(
                    "020000000001018db483bff65c70ee71d8282aeec5a880e2e2b39e45772bda5460403095c62e3f0000000000",
                    "000000000122020000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e050047304402206fa54c11f98c3bae1e93df43fc7affeb05b476bf8060c03e29c377c69bc08e8b02",
                    "20672701cce50d5c379ff45a5d2cfe48ac44973adb066ac32608e21221d869bb890147304402206e36c683eb",
                    "f2cb16bcef3d5439cf8b53cd97280a365ed8acd7abb85a8ba5f21c02206e8621edfc2a5766cbc96eb67fd501",
                    "127ff163eb6b85518a39f7d4974aef126f01008576a91414011f7254d96b819c76986c277d115efce6f7b587",
                    "63ac67210394854aa6eab5b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c820120876475",
                    "527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b140639e752ae67a9148a486f",
                    "f2e31d6158bf39e2608864d63fefd09d5b88ac6868f7010000",
                ),
            },
            HtlcTxVector {
                output_index: 1,
                htlc: 4,
                success: true,
                remote_sig: concat!(
                    "3044022057649739b0eb74d541ead0dfdb3d4b2c15aa192720031044c3434c67812e5ca902201e5ede42d960",
                    "ae551707f4a6b34b09393cf4dee2418507daa022e3550dbb5817",
                ),
                local_sig: concat!(
                    "304402207faad26678c8850e01b4a0696d60841f7305e1832b786110ee9075cb92ed14a30220516ef8ee5dfa",
                    "80824ea28cbcec0dd95f8b847146257c16960db98507db15ffdc",
                ),
                tx: concat!(
                    "020000000001018db483bff65c70ee71d8282aeec5a880e2e2b39e45772bda5460403095c62e3f0100000000",
                    "000000000176050000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e0500473044022057649739b0eb74d541ead0dfdb3d4b2c15aa192720031044c3434c67812e5ca902",
                    "201e5ede42d960ae551707f4a6b34b09393cf4dee2418507daa022e3550dbb58170147304402207faad26678",
                    "c8850e01b4a0696d60841f7305e1832b786110ee9075cb92ed14a30220516ef8ee5dfa80824ea28cbcec0dd9",
                    "5f8b847146257c16960db98507db15ffdc012004040404040404040404040404040404040404040404040404",
                    "040404040404048a76a91414011f7254d96b819c76986c277d115efce6f7b58763ac67210394854aa6eab5b2",
                    "a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c8201208763a91418bc1a114ccf9c052d3d23",
                    "e28d3b0a9d1227434288527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b1406",
                    "39e752ae677502f801b175ac686800000000",
                ),
            },
        ],
    },
    CommitmentVector {
        name: "commitment tx with three outputs untrimmed (minimum feerate)",
        to_local_msat: 6988000000,
        to_remote_msat: 3000000000,
        feerate_per_kw: 3703,
        remote_sig: concat!(
            "3045022100b495d239772a237ff2cf354b1b11be152fd852704cb184e7356d13f2fb1e5e430220723db5cdb9",
            "cbd6ead7bfd3deb419cf41053a932418cbb22a67b581f40bc1f13e",
        ),
        local_sig: concat!(
            "304402201b736d1773a124c745586217a75bed5f66c05716fbe8c7db4fdb3c3069741cdd02205083f39c321c",
            "1bcadfc8d97e3c791a66273d936abac0c6a2fde2ed46019508e1",
        ),
        tx: concat!(
            "02000000000101bef67e4e2fb9ddeeb3461973cd4c62abb35050b1add772995b820b584a4884890000000000",
            "38b02b8003a00f0000000000002200208c48d15160397c9731df9bc3b236656efb6665fbfe92b4a6878e88a4",
            "99f741c4c0c62d0000000000160014cc1b07838e387deacd0e5232e1e8b49f4c29e484eb936a000000000022",
            "00204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d6b7dd80e040047304402201b736d",
            "1773a124c745586217a75bed5f66c05716fbe8c7db4fdb3c3069741cdd02205083f39c321c1bcadfc8d97e3c",
            "791a66273d936abac0c6a2fde2ed46019508e101483045022100b495d239772a237ff2cf354b1b11be152fd8",
            "52704cb184e7356d13f2fb1e5e430220723db5cdb9cbd6ead7bfd3deb419cf41053a932418cbb22a67b581f4",
            "0bc1f13e01475221023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb21030e",
            "9f7b623d2ccc7c9bd44d66d5ce21ce504c0acf6385a132cec6d3c39fa711c152ae3e195220",
        ),
        htlc_txs: &[
            HtlcTxVector {
                output_index: 0,
                htlc: 4,
                success: true,
                remote_sig: concat!(
                    "3045022100c34c61735f93f2e324cc873c3b248111ccf8f6db15d5969583757010d4ad2b4602207867bb919b",
                    "2ddd6387873e425345c9b7fd18d1d66aba41f3607bc2896ef3c30a",
                ),
                local_sig: concat!(
                    "3045022100988c143e2110067117d2321bdd4bd16ca1734c98b29290d129384af0962b634e02206c1b024788",
                    "78c5f547018b833986578f90c3e9be669fe5788ad0072a55acbb05",
                ),
                tx: concat!(
                    "0200000000010120060e4a29579d429f0f27c17ee5f1ee282f20d706d6f90b63d35946d8f3029a0000000000",
                    "000000000175050000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e0500483045022100c34c61735f93f2e324cc873c3b248111ccf8f6db15d5969583757010d4ad2b46",
                    "02207867bb919b2ddd6387873e425345c9b7fd18d1d66aba41f3607bc2896ef3c30a01483045022100988c14",
                    "3e2110067117d2321bdd4bd16ca1734c98b29290d129384af0962b634e02206c1b02478878c5f547018b8339",
                    "86578f90c3e9be669fe5788ad0072a55acbb0501200404040404040404040404040404040404040404040404",
                    "0404040404040404048a76a91414011f7254d96b819c76986c277d115efce6f7b58763ac67210394854aa6ea",
                    "b5b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c8201208763a91418bc1a114ccf9c052d",
                    "3d23e28d3b0a9d1227434288527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b",
                    "140639e752ae677502f801b175ac686800000000",
                ),
            },
        ],
    },
    CommitmentVector {
        name: "commitment tx with three outputs untrimmed (maximum feerate)",
        to_local_msat: 6988000000,
        to_remote_msat: 3000000000,
        feerate_per_kw: 4914,
        remote_sig: concat!(
            "3045022100b4b16d5f8cc9fc4c1aff48831e832a0d8990e133978a66e302c133550954a44d022073573ce127",
            "e2200d316f6b612803a5c0c97b8d20e1e44dbe2ac0dd2fb8c95244",
        ),
        local_sig: concat!(
            "3045022100d72638bc6308b88bb6d45861aae83e5b9ff6e10986546e13bce769c70036e2620220320be7c6d6",
            "6d22f30b9fcd52af66531505b1310ca3b848c19285b38d8a1a8c19",
        ),
        tx: concat!(
            "02000000000101bef67e4e2fb9ddeeb3461973cd4c62abb35050b1add772995b820b584a4884890000000000",
            "38b02b8003a00f0000000000002200208c48d15160397c9731df9bc3b236656efb6665fbfe92b4a6878e88a4",
            "99f741c4c0c62d0000000000160014cc1b07838e387deacd0e5232e1e8b49f4c29e484ae8f6a000000000022",
            "00204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d6b7dd80e0400483045022100d726",
            "38bc6308b88bb6d45861aae83e5b9ff6e10986546e13bce769c70036e2620220320be7c6d66d22f30b9fcd52",
            "af66531505b1310ca3b848c19285b38d8a1a8c1901483045022100b4b16d5f8cc9fc4c1aff48831e832a0d89",
            "90e133978a66e302c133550954a44d022073573ce127e2200d316f6b612803a5c0c97b8d20e1e44dbe2ac0dd",
            "2fb8c9524401475221023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb2103",
            "0e9f7b623d2ccc7c9bd44d66d5ce21ce504c0acf6385a132cec6d3c39fa711c152ae3e195220",
        ),
        htlc_txs: &[
            HtlcTxVector {
                output_index: 0,
                htlc: 4,
                success: true,
                remote_sig: concat!(
                    "3045022100f43591c156038ba217756006bb3c55f7d113a325cdd7d9303c82115372858d68022016355b5aad",
                    "f222bc8d12e426c75f4a03423917b2443a103eb2a498a3a2234374",
                ),
                local_sig: concat!(
                    "30440220585dee80fafa264beac535c3c0bb5838ac348b156fdc982f86adc08dfc9bfd250220130abb82f9f2",
                    "95cc9ef423dcfef772fde2acd85d9df48cc538981d26a10a9c10",
                ),
                tx: concat!(
                    "02000000000101a9172908eace869cc35128c31fc2ab502f72e4dff31aab23e0244c4b04b11ab00000000000",
                    "000000000122020000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e0500483045022100f43591c156038ba217756006bb3c55f7d113a325cdd7d9303c82115372858d68",
                    "022016355b5aadf222bc8d12e426c75f4a03423917b2443a103eb2a498a3a2234374014730440220585dee80",
                    "fafa264beac535c3c0bb5838ac348b156fdc982f86adc08dfc9bfd250220130abb82f9f295cc9ef423dcfef7",
                    "72fde2acd85d9df48cc538981d26a10a9c100120040404040404040404040404040404040404040404040404",
                    "04040404040404048a76a91414011f7254d96b819c76986c277d115efce6f7b58763ac67210394854aa6eab5",
                    "b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c8201208763a91418bc1a114ccf9c052d3d",
                    "23e28d3b0a9d1227434288527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b14",
                    "0639e752ae677502f801b175ac686800000000",
                ),
            },
        ],
    },
    CommitmentVector {
        name: "commitment tx with two outputs untrimmed (minimum feerate)",
        to_local_msat: 6988000000,
        to_remote_msat: 3000000000,
        feerate_per_kw: 4915,
        remote_sig: concat!(
            "304402203a286936e74870ca1459c700c71202af0381910a6bfab687ef494ef1bc3e02c902202506c362d0e3",
            "bee15e802aa729bf378e051644648253513f1c085b264cc2a720",
        ),
        local_sig: concat!(
            "30450221008a953551f4d67cb4df3037207fc082ddaf6be84d417b0bd14c80aab66f1b01a402207508796dc7",
            "5034b2dee876fe01dc05a08b019f3e5d689ac8842ade2f1befccf5",
        ),
        tx: concat!(
            "02000000000101bef67e4e2fb9ddeeb3461973cd4c62abb35050b1add772995b820b584a4884890000000000",
            "38b02b8002c0c62d0000000000160014cc1b07838e387deacd0e5232e1e8b49f4c29e484fa926a0000000000",
            "2200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d6b7dd80e04004830450221008a",
            "953551f4d67cb4df3037207fc082ddaf6be84d417b0bd14c80aab66f1b01a402207508796dc75034b2dee876",
            "fe01dc05a08b019f3e5d689ac8842ade2f1befccf50147304402203a286936e74870ca1459c700c71202af03",
            "81910a6bfab687ef494ef1bc3e02c902202506c362d0e3bee15e802aa729bf378e051644648253513f1c085b",
            "264cc2a72001475221023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb2103",
            "0e9f7b623d2ccc7c9bd44d66d5ce21ce504c0acf6385a132cec6d3c39fa711c152ae3e195220",
        ),
        htlc_txs: &[
        ],
    },
    CommitmentVector {
        name: "commitment tx with two outputs untrimmed (maximum feerate)",
        to_local_msat: 6988000000,
        to_remote_msat: 3000000000,
        feerate_per_kw: 9651180,
        remote_sig: concat!(
            "304402200a8544eba1d216f5c5e530597665fa9bec56943c0f66d98fc3d028df52d84f7002201e45fa5c6bc3",
            "a506cc2553e7d1c0043a9811313fc39c954692c0d47cfce2bbd3",
        ),
        local_sig: concat!(
            "3045022100e11b638c05c650c2f63a421d36ef8756c5ce82f2184278643520311cdf50aa200220259565fb9c",
            "8e4a87ccaf17f27a3b9ca4f20625754a0920d9c6c239d8156a11de",
        ),
        tx: concat!(
            "02000000000101bef67e4e2fb9ddeeb3461973cd4c62abb35050b1add772995b820b584a4884890000000000",
            "38b02b800222020000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
            "6b7dd80ec0c62d0000000000160014cc1b07838e387deacd0e5232e1e8b49f4c29e4840400483045022100e1",
            "1b638c05c650c2f63a421d36ef8756c5ce82f2184278643520311cdf50aa200220259565fb9c8e4a87ccaf17",
            "f27a3b9ca4f20625754a0920d9c6c239d8156a11de0147304402200a8544eba1d216f5c5e530597665fa9bec",
            "56943c0f66d98fc3d028df52d84f7002201e45fa5c6bc3a506cc2553e7d1c0043a9811313fc39c954692c0d4",
            "7cfce2bbd301475221023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb2103",
            "0e9f7b623d2ccc7c9bd44d66d5ce21ce504c0acf6385a132cec6d3c39fa711c152ae3e195220",
        ),
        htlc_txs: &[
        ],
    },
    CommitmentVector {
        name: "commitment tx with one output untrimmed (minimum feerate)",
        to_local_msat: 6988000000,
        to_remote_msat: 3000000000,
        feerate_per_kw: 9651181,
        remote_sig: concat!(
            "304402202ade0142008309eb376736575ad58d03e5b115499709c6db0b46e36ff394b492022037b63d78d664",
            "04d6504d4c4ac13be346f3d1802928a6d3ad95a6a944227161a2",
        ),
        local_sig: concat!(
            "304402207e8d51e0c570a5868a78414f4e0cbfaed1106b171b9581542c30718ee4eb95ba02203af84194c97a",
            "df98898c9afe2f2ed4a7f8dba05a2dfab28ac9d9c604aa49a379",
        ),
        tx: concat!(
            "02000000000101bef67e4e2fb9ddeeb3461973cd4c62abb35050b1add772995b820b584a4884890000000000",
            "38b02b8001c0c62d0000000000160014cc1b07838e387deacd0e5232e1e8b49f4c29e484040047304402207e",
            "8d51e0c570a5868a78414f4e0cbfaed1106b171b9581542c30718ee4eb95ba02203af84194c97adf98898c9a",
            "fe2f2ed4a7f8dba05a2dfab28ac9d9c604aa49a3790147304402202ade0142008309eb376736575ad58d03e5",
            "b115499709c6db0b46e36ff394b492022037b63d78d66404d6504d4c4ac13be346f3d1802928a6d3ad95a6a9",
            "44227161a201475221023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb2103",
            "0e9f7b623d2ccc7c9bd44d66d5ce21ce504c0acf6385a132cec6d3c39fa711c152ae3e195220",
        ),
        htlc_txs: &[
        ],
    },
    CommitmentVector {
        name: "commitment tx with fee greater than funder amount",
        to_local_msat: 6988000000,
        to_remote_msat: 3000000000,
        feerate_per_kw: 9651936,
        remote_sig: concat!(
            "304402202ade0142008309eb376736575ad58d03e5b115499709c6db0b46e36ff394b492022037b63d78d664",
            "04d6504d4c4ac13be346f3d1802928a6d3ad95a6a944227161a2",
        ),
        local_sig: concat!(
            "304402207e8d51e0c570a5868a78414f4e0cbfaed1106b171b9581542c30718ee4eb95ba02203af84194c97a",
            "df98898c9afe2f2ed4a7f8dba05a2dfab28ac9d9c604aa49a379",
        ),
        tx: concat!(
            "02000000000101bef67e4e2fb9ddeeb3461973cd4c62abb35050b1add772995b820b584a4884890000000000",
            "38b02b8001c0c62d0000000000160014cc1b07838e387deacd0e5232e1e8b49f4c29e484040047304402207e",
            "8d51e0c570a5868a78414f4e0cbfaed1106b171b9581542c30718ee4eb95ba02203af84194c97adf98898c9a",
            "fe2f2ed4a7f8dba05a2dfab28ac9d9c604aa49a3790147304402202ade0142008309eb376736575ad58d03e5",
            "b115499709c6db0b46e36ff394b492022037b63d78d66404d6504d4c4ac13be346f3d1802928a6d3ad95a6a9",
            "44227161a201475221023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb2103",
            "0e9f7b623d2ccc7c9bd44d66d5ce21ce504c0acf6385a132cec6d3c39fa711c152ae3e195220",
        ),
        htlc_txs: &[
        ],
    },
    CommitmentVector {
        name: "commitment tx with 3 htlc outputs, 2 offered having the same amount and preimage",
        to_local_msat: 6987999999,
        to_remote_msat: 3000000000,
        feerate_per_kw: 253,
        remote_sig: concat!(
            "304402207d0870964530f97b62497b11153c551dca0a1e226815ef0a336651158da0f82402200f5378beee0e",
            "77759147b8a0a284decd11bfd2bc55c8fafa41c134fe996d43c8",
        ),
        local_sig: concat!(
            "304402200d10bf5bc5397fc59d7188ae438d80c77575595a2d488e41bd6363a810cc8d72022012b57e714fbb",
            "fdf7a28c47d5b370cb8ac37c8545f596216e5b21e9b236ef457c",
        ),
        tx: concat!(
            "02000000000101bef67e4e2fb9ddeeb3461973cd4c62abb35050b1add772995b820b584a4884890000000000",
            "38b02b8005d007000000000000220020748eba944fedc8827f6b06bc44678f93c0f9e6078b35c6331ed31e75",
            "f8ce0c2d8813000000000000220020305c12e1a0bc21e283c131cea1c66d68857d28b7b2fce0a6fbc40c1648",
            "52121b8813000000000000220020305c12e1a0bc21e283c131cea1c66d68857d28b7b2fce0a6fbc40c164852",
            "121bc0c62d0000000000160014cc1b07838e387deacd0e5232e1e8b49f4c29e484a69f6a0000000000220020",
            "4adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d6b7dd80e040047304402200d10bf5bc5",
            "397fc59d7188ae438d80c77575595a2d488e41bd6363a810cc8d72022012b57e714fbbfdf7a28c47d5b370cb",
            "8ac37c8545f596216e5b21e9b236ef457c0147304402207d0870964530f97b62497b11153c551dca0a1e2268",
            "15ef0a336651158da0f82402200f5378beee0e77759147b8a0a284decd11bfd2bc55c8fafa41c134fe996d43",
            "c801475221023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb21030e9f7b62",
            "3d2ccc7c9bd44d66d5ce21ce504c0acf6385a132cec6d3c39fa711c152ae3e195220",
        ),
        htlc_txs: &[
            HtlcTxVector {
                output_index: 0,
                htlc: 1,
                success: true,
                remote_sig: concat!(
                    "3045022100b470fe12e5b7fea9eccb8cbff1972cea4f96758041898982a02bcc7f9d56d50b0220338a75b2af",
                    "aab4ec00cdd2d9273c68c7581ff5a28bcbb40c4d138b81f1d45ce5",
                ),
                local_sig: concat!(
                    "3044022017b90c65207522a907fb6a137f9dd528b3389465a8ae72308d9e1d564f512cf402204fc917b4f0e8",
                    "8604a3e994f85bfae7c7c1f9d9e9f78e8cd112e0889720d9405b",
                ),
                tx: concat!(
                    "020000000001014bdccf28653066a2c554cafeffdfe1e678e64a69b056684deb0c4fba909423ec0000000000",
                    "00000000011f070000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e0500483045022100b470fe12e5b7fea9eccb8cbff1972cea4f96758041898982a02bcc7f9d56d50b",
                    "0220338a75b2afaab4ec00cdd2d9273c68c7581ff5a28bcbb40c4d138b81f1d45ce501473044022017b90c65",
                    "207522a907fb6a137f9dd528b3389465a8ae72308d9e1d564f512cf402204fc917b4f0e88604a3e994f85bfa",
                    "e7c7c1f9d9e9f78e8cd112e0889720d9405b0120010101010101010101010101010101010101010101010101",
                    "01010101010101018a76a91414011f7254d96b819c76986c277d115efce6f7b58763ac67210394854aa6eab5",
                    "b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c8201208763a9144b6b2e5444c2639cc0fb",
                    "7bcea5afba3f3cdce23988527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b14",
                    "0639e752ae677502f501b175ac686800000000",
                ),
            },
            HtlcTxVector {
                output_index: 1,
                htlc: 6,
                success: false,
                remote_sig: concat!(
                    "3045022100b575379f6d8743cb0087648f81cfd82d17a97fbf8f67e058c65ce8b9d25df9500220554a210d65",
                    "b02d9f36c6adf0f639430ca8293196ba5089bf67cc3a9813b7b00a",
                ),
                local_sig: concat!(
                    "3045022100ee2e16b90930a479b13f8823a7f14b600198c838161160b9436ed086d3fc57e002202a66fa2324",
                    "f342a17129949c640bfe934cbc73a869ba7c06aa25c5a3d0bfb53d",
                ),
                tx: concat!(
                    "020000000001014bdccf28653066a2c554cafeffdfe1e678e64a69b056684deb0c4fba909423ec0100000000",
                    "0000000001e1120000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e0500483045022100b575379f6d8743cb0087648f81cfd82d17a97fbf8f67e058c65ce8b9d25df950",
                    "0220554a210d65b02d9f36c6adf0f639430ca8293196ba5089bf67cc3a9813b7b00a01483045022100ee2e16",
                    "b90930a479b13f8823a7f14b600198c838161160b9436ed086d3fc57e002202a66fa2324f342a17129949c64",
                    "0bfe934cbc73a869ba7c06aa25c5a3d0bfb53d01008576a91414011f7254d96b819c76986c277d115efce6f7",
                    "b58763ac67210394854aa6eab5b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c82012087",
                    "6475527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b140639e752ae67a91420",
                    "02cc93ebefbb1b73f0af055dcc27a0b504ad7688ac6868f9010000",
                ),
            },
            HtlcTxVector {
                output_index: 2,
                htlc: 5,
                success: false,
                remote_sig: concat!(
                    "30440220471c9f3ad92e49b13b7b8059f43ecf8f7887b0dccbb9fdb54bfe23d62a8ae332022024bd22fae074",
                    "0e86a44228c35330da9526fd7306dffb2b9dc362d5e78abef7cc",
                ),
                local_sig: concat!(
                    "304402207157f452f2506d73c315192311893800cfb3cc235cc1185b1cfcc136b55230db022014be242dbc6c",
                    "5da141fec4034e7f387f74d6ff1899453d72ba957467540e1ecb",
                ),
                tx: concat!(
                    "020000000001014bdccf28653066a2c554cafeffdfe1e678e64a69b056684deb0c4fba909423ec0200000000",
                    "0000000001e1120000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e05004730440220471c9f3ad92e49b13b7b8059f43ecf8f7887b0dccbb9fdb54bfe23d62a8ae33202",
                    "2024bd22fae0740e86a44228c35330da9526fd7306dffb2b9dc362d5e78abef7cc0147304402207157f452f2",
                    "506d73c315192311893800cfb3cc235cc1185b1cfcc136b55230db022014be242dbc6c5da141fec4034e7f38",
                    "7f74d6ff1899453d72ba957467540e1ecb01008576a91414011f7254d96b819c76986c277d115efce6f7b587",
                    "63ac67210394854aa6eab5b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c820120876475",
                    "527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b140639e752ae67a9142002cc",
                    "93ebefbb1b73f0af055dcc27a0b504ad7688ac6868fa010000",
                ),
            },
        ],
    },
];
