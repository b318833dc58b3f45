//! BOLT 3 Appendix F: commitment and HTLC transaction test vectors for
//! `option_anchors_zero_fee_htlc_tx`, reproduced byte for byte: every commitment transaction
//! with both signatures, and every zero-fee HTLC transaction (countersignatory signature with
//! `SIGHASH_SINGLE|SIGHASH_ANYONECANPAY`, broadcaster signature with `SIGHASH_ALL`).

use bitcoin::consensus::encode::serialize_hex;
use bitcoin::secp256k1::Secp256k1;
use bitcoin::sighash::EcdsaSighashType;
use lightning_signer_api::tx::{
    funding_witness, htlc_countersignatory_sighash_type, htlc_transaction_witness,
    sign_p2wsh_input, verify_p2wsh_signature, ChannelType, HtlcDirection,
};

struct AnchorVector {
    name: &'static str,
    local_balance_msat: u64,
    remote_balance_msat: u64,
    dust_limit_satoshis: u64,
    feerate_per_kw: u32,
    use_test_htlcs: bool,
    remote_sig: &'static str,
    tx: &'static str,
    htlc_txs: &'static [AnchorHtlcVector],
}

/// One HTLC transaction, in the commitment's HTLC output order.
struct AnchorHtlcVector {
    remote_sig: &'static str,
    tx: &'static str,
}
mod tx_bolt3_fixture;
use tx_bolt3_fixture::*;

/// Checks one vector, returning a description of every mismatch.
fn check_vector(v: &AnchorVector) -> Vec<String> {
    let secp = Secp256k1::new();
    let channel_type = ChannelType::AnchorsZeroFeeHtlcTx;
    let f = fixture(channel_type, v.dust_limit_satoshis);
    let numbers: Vec<usize> = if !v.use_test_htlcs {
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
        v.local_balance_msat,
        v.remote_balance_msat,
    );
    let script = f.params.funding_witness_script();
    let all = EcdsaSighashType::All;
    if hex::encode(remote_sig.serialize_der()) != v.remote_sig {
        errors.push(format!("{}: remote commitment signature", v.name));
    }
    let remote_funding_pubkey = f.params.counterparty.funding_pubkey;
    let local_funding_pubkey = f.params.holder.funding_pubkey;
    built.tx.input[0].witness = funding_witness(
        &script,
        (&local_funding_pubkey, &local_sig),
        (&remote_funding_pubkey, &remote_sig),
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
    let sighash_type = htlc_countersignatory_sighash_type(channel_type);
    assert_eq!(sighash_type, EcdsaSighashType::SinglePlusAnyoneCanPay);
    for (position, (output, want)) in built.htlc_outputs.iter().zip(v.htlc_txs).enumerate() {
        let number = numbers[output.input_position];
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
        let preimage = [TEST_HTLCS[number].3; 32];
        let preimage = (output.htlc.direction == HtlcDirection::Received).then_some(&preimage);
        htlc_tx.input[0].witness =
            htlc_transaction_witness(channel_type, &remote, &local, preimage, ws);
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
fn appendix_f_anchor_commitment_and_htlc_transactions() {
    let errors: Vec<String> = APPENDIX_F.iter().flat_map(check_vector).collect();
    assert!(
        errors.is_empty(),
        "{} mismatches:\n{}",
        errors.len(),
        errors.join("\n")
    );
    assert_eq!(APPENDIX_F.len(), 9);
    assert_eq!(
        APPENDIX_F.iter().map(|v| v.htlc_txs.len()).sum::<usize>(),
        15
    );
}

/// Appendix F test cases, in spec order.
const APPENDIX_F: &[AnchorVector] = &[
    AnchorVector {
        name: "simple commitment tx with no HTLCs",
        local_balance_msat: 7000000000,
        remote_balance_msat: 3000000000,
        dust_limit_satoshis: 546,
        feerate_per_kw: 15000,
        use_test_htlcs: false,
        remote_sig: concat!(
            "3045022100f89034eba16b2be0e5581f750a0a6309192b75cce0f202f0ee2b4ec0cc394850022076c65dc507",
            "fe42276152b7a3d90e961e678adbe966e916ecfe85e64d430e75f3",
        ),
        tx: concat!(
            "02000000000101bef67e4e2fb9ddeeb3461973cd4c62abb35050b1add772995b820b584a4884890000000000",
            "38b02b80044a010000000000002200202b1b5854183c12d3316565972c4668929d314d81c5dcdbb21cb45fe8",
            "a9a8114f4a01000000000000220020e9e86e4823faa62e222ebc858a226636856158f07e69898da3b0d1af0d",
            "db3994c0c62d0000000000220020f3394e1e619b0eca1f91be2fb5ab4dfc59ba5b84ebe014ad1d43a564d012",
            "994a508b6a00000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d6b7dd8",
            "0e04004830450221008266ac6db5ea71aac3c95d97b0e172ff596844851a3216eb88382a8dddfd33d2022050",
            "e240974cfd5d708708b4365574517c18e7ae535ef732a3484d43d0d82be9f701483045022100f89034eba16b",
            "2be0e5581f750a0a6309192b75cce0f202f0ee2b4ec0cc394850022076c65dc507fe42276152b7a3d90e961e",
            "678adbe966e916ecfe85e64d430e75f301475221023da092f6980e58d2c037173180e9a465476026ee50f966",
            "95963e8efe436f54eb21030e9f7b623d2ccc7c9bd44d66d5ce21ce504c0acf6385a132cec6d3c39fa711c152",
            "ae3e195220",
        ),
        htlc_txs: &[
        ],
    },
    AnchorVector {
        name: "simple commitment tx with no HTLCs and single anchor",
        local_balance_msat: 10000000000,
        remote_balance_msat: 0,
        dust_limit_satoshis: 546,
        feerate_per_kw: 15000,
        use_test_htlcs: false,
        remote_sig: concat!(
            "30440220655bf909fb6fa81d086f1336ac72c97906dce29d1b166e305c99152d810e26e1022051f577faa464",
            "12c46707aaac46b65d50053550a66334e00a44af2706f27a8658",
        ),
        tx: concat!(
            "02000000000101bef67e4e2fb9ddeeb3461973cd4c62abb35050b1add772995b820b584a4884890000000000",
            "38b02b80024a010000000000002200202b1b5854183c12d3316565972c4668929d314d81c5dcdbb21cb45fe8",
            "a9a8114f10529800000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d6b",
            "7dd80e0400473044022007cf6b405e9c9b4f527b0ecad9d8bb661fabb8b12abf7d1c0b3ad1855db3ed490220",
            "616d5c1eeadccc63bd775a131149455d62d95a42c2a1b01cc7821fc42dce7778014730440220655bf909fb6f",
            "a81d086f1336ac72c97906dce29d1b166e305c99152d810e26e1022051f577faa46412c46707aaac46b65d50",
            "053550a66334e00a44af2706f27a865801475221023da092f6980e58d2c037173180e9a465476026ee50f966",
            "95963e8efe436f54eb21030e9f7b623d2ccc7c9bd44d66d5ce21ce504c0acf6385a132cec6d3c39fa711c152",
            "ae3e195220",
        ),
        htlc_txs: &[
        ],
    },
    AnchorVector {
        name: "commitment tx with seven outputs untrimmed",
        local_balance_msat: 6988000000,
        remote_balance_msat: 3000000000,
        dust_limit_satoshis: 546,
        feerate_per_kw: 644,
        use_test_htlcs: true,
        remote_sig: concat!(
            "3045022100e0106830467a558c07544a3de7715610c1147062e7d091deeebe8b5c661cda9402202ad049c1a6",
            "d04834317a78483f723c205c9f638d17222aafc620800cc1b6ae35",
        ),
        tx: concat!(
            "02000000000101bef67e4e2fb9ddeeb3461973cd4c62abb35050b1add772995b820b584a4884890000000000",
            "38b02b80094a010000000000002200202b1b5854183c12d3316565972c4668929d314d81c5dcdbb21cb45fe8",
            "a9a8114f4a01000000000000220020e9e86e4823faa62e222ebc858a226636856158f07e69898da3b0d1af0d",
            "db3994e80300000000000022002010f88bf09e56f14fb4543fd26e47b0db50ea5de9cf3fc464347924710826",
            "21aed0070000000000002200203e68115ae0b15b8de75b6c6bc9af5ac9f01391544e0870dae443a1e8fe7837",
            "ead007000000000000220020fe0598d74fee2205cc3672e6e6647706b4f3099713b4661b62482c3addd04a5e",
            "b80b000000000000220020f96d0334feb64a4f40eb272031d07afcb038db56aa57446d60308c9f8ccadef9a0",
            "0f000000000000220020ce6e751274836ff59622a0d1e07f8831d80bd6730bd48581398bfadd2bb8da9ac0c6",
            "2d0000000000220020f3394e1e619b0eca1f91be2fb5ab4dfc59ba5b84ebe014ad1d43a564d012994a4f996a",
            "00000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d6b7dd80e04004830",
            "45022100ef82a405364bfc4007e63a7cc82925a513d79065bdbc216d60b6a4223a323f8a02200716730b8561",
            "f3c6d362eaf47f202e99fb30d0557b61b92b5f9134f8e2de368101483045022100e0106830467a558c07544a",
            "3de7715610c1147062e7d091deeebe8b5c661cda9402202ad049c1a6d04834317a78483f723c205c9f638d17",
            "222aafc620800cc1b6ae3501475221023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe",
            "436f54eb21030e9f7b623d2ccc7c9bd44d66d5ce21ce504c0acf6385a132cec6d3c39fa711c152ae3e195220",
        ),
        htlc_txs: &[
            AnchorHtlcVector {
                remote_sig: concat!(
                    "30440220746dc89a593e1b50915db63359b50c3c404f8324f78075c87708c866ccefda2502202a11062012dc",
                    "8607b17e8c46ea4eefdfcc6b89a35440de99432ba12788d7bb17",
                ),
                tx: concat!(
                    "02000000000101b8cefef62ea66f5178b9361b2371be0759cbc8c689bcfa7a8e6746d497ec221a0200000000",
                    "0100000001e8030000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e05004730440220746dc89a593e1b50915db63359b50c3c404f8324f78075c87708c866ccefda2502",
                    "202a11062012dc8607b17e8c46ea4eefdfcc6b89a35440de99432ba12788d7bb1783473044022036f77f88b4",
                    "9bd03dc16d3a015efcc7acffc2a93b213324035d77a716f79013ff02203c218eb882a40402a8bb05dbb751a4",
                    "42345a4e56307be76b214b6d4db9ed3c92012000000000000000000000000000000000000000000000000000",
                    "000000000000008d76a91414011f7254d96b819c76986c277d115efce6f7b58763ac67210394854aa6eab5b2",
                    "a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c8201208763a914b8bcb07f6344b42ab04250",
                    "c86a6e8b75d3fdbbc688527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b1406",
                    "39e752ae677502f401b175ac6851b2756800000000",
                ),
            },
            AnchorHtlcVector {
                remote_sig: concat!(
                    "3045022100a847bc3b8cf2441013725ae32dc589c419835d069afd6d7f3d9834d8be7cea6e02204ce9d35ec7",
                    "f0788da80e4d62e810c4ccd13617e58fa10832e38fb7ae87bdf338",
                ),
                tx: concat!(
                    "02000000000101b8cefef62ea66f5178b9361b2371be0759cbc8c689bcfa7a8e6746d497ec221a0300000000",
                    "0100000001d0070000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e0500483045022100a847bc3b8cf2441013725ae32dc589c419835d069afd6d7f3d9834d8be7cea6e",
                    "02204ce9d35ec7f0788da80e4d62e810c4ccd13617e58fa10832e38fb7ae87bdf33883473044022026739b1a",
                    "dbfa34c485bf0e5a19e0cf7532f64545bcc5c95b95643ccc2d351e1902201743bb1b34f00e031cc15f6eff0f",
                    "8ab764508d2681ff965ba62e76e540bca1e801008876a91414011f7254d96b819c76986c277d115efce6f7b5",
                    "8763ac67210394854aa6eab5b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c8201208764",
                    "75527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b140639e752ae67a914b43e",
                    "1b38138a41b37f7cd9a1d274bc63e3a9b5d188ac6851b27568f6010000",
                ),
            },
            AnchorHtlcVector {
                remote_sig: concat!(
                    "3044022035977f2aa6d6ae12f1dae3366440faa17558e9c88c3188bfc8df7e276c6c65410220659f1f9070c7",
                    "25d9d46e43b99a36fc6d711d36069704add2d57fc1fa2818cf12",
                ),
                tx: concat!(
                    "02000000000101b8cefef62ea66f5178b9361b2371be0759cbc8c689bcfa7a8e6746d497ec221a0400000000",
                    "0100000001d0070000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e0500473044022035977f2aa6d6ae12f1dae3366440faa17558e9c88c3188bfc8df7e276c6c654102",
                    "20659f1f9070c725d9d46e43b99a36fc6d711d36069704add2d57fc1fa2818cf12834730440220191ba44e57",
                    "b1601a59d99f85971d4801b286d428de275487c87ceeb8df1a4811022002215875d92833df0c9615c9096cf9",
                    "7152f87139ed9f82718bbb5b8b3d312524012001010101010101010101010101010101010101010101010101",
                    "010101010101018d76a91414011f7254d96b819c76986c277d115efce6f7b58763ac67210394854aa6eab5b2",
                    "a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c8201208763a9144b6b2e5444c2639cc0fb7b",
                    "cea5afba3f3cdce23988527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b1406",
                    "39e752ae677502f501b175ac6851b2756800000000",
                ),
            },
            AnchorHtlcVector {
                remote_sig: concat!(
                    "3044022002f3ff9a31270092c214d3d5b8b4f826599404bba64b87f7536ef6324d41551b022079dc4cb25f7e",
                    "cd84b49f5cce03eae7e2655b59f39d543765daef0d4f11c93fa2",
                ),
                tx: concat!(
                    "02000000000101b8cefef62ea66f5178b9361b2371be0759cbc8c689bcfa7a8e6746d497ec221a0500000000",
                    "0100000001b80b0000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e0500473044022002f3ff9a31270092c214d3d5b8b4f826599404bba64b87f7536ef6324d41551b02",
                    "2079dc4cb25f7ecd84b49f5cce03eae7e2655b59f39d543765daef0d4f11c93fa283483045022100f03047e3",
                    "8bc0aae2d80d53424b8c1d1b8139120e2bf09ad31a2803978745e6e102205b74c0eef0b472710b98c77e619e",
                    "e9d0cc47a9dd786f4f214a564f44d79f9b9a01008876a91414011f7254d96b819c76986c277d115efce6f7b5",
                    "8763ac67210394854aa6eab5b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c8201208764",
                    "75527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b140639e752ae67a9148a48",
                    "6ff2e31d6158bf39e2608864d63fefd09d5b88ac6851b27568f7010000",
                ),
            },
            AnchorHtlcVector {
                remote_sig: concat!(
                    "30440220547937564288f64fb3e3c945a1348b912471f0c1c4cc7dc8ceca15a4cbd299b6022053c4f8e30832",
                    "b13dfbe31e4091e313428625e0b5ac61eecba93f8f11c1e26225",
                ),
                tx: concat!(
                    "02000000000101b8cefef62ea66f5178b9361b2371be0759cbc8c689bcfa7a8e6746d497ec221a0600000000",
                    "0100000001a00f0000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e05004730440220547937564288f64fb3e3c945a1348b912471f0c1c4cc7dc8ceca15a4cbd299b602",
                    "2053c4f8e30832b13dfbe31e4091e313428625e0b5ac61eecba93f8f11c1e262258347304402202260466023",
                    "4aef9bd21284598ec50f070ac82a3a0152e0af5e98a02cd6e8976f022042b0b9112ee00806b856dff6de52a8",
                    "2c98b036a4fe14bb5fd2926725e2fc8191012004040404040404040404040404040404040404040404040404",
                    "040404040404048d76a91414011f7254d96b819c76986c277d115efce6f7b58763ac67210394854aa6eab5b2",
                    "a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c8201208763a91418bc1a114ccf9c052d3d23",
                    "e28d3b0a9d1227434288527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b1406",
                    "39e752ae677502f801b175ac6851b2756800000000",
                ),
            },
        ],
    },
    AnchorVector {
        name: "commitment tx with six outputs untrimmed (minimum dust limit)",
        local_balance_msat: 6988000000,
        remote_balance_msat: 3000000000,
        dust_limit_satoshis: 1001,
        feerate_per_kw: 645,
        use_test_htlcs: true,
        remote_sig: concat!(
            "3044022025d97466c8049e955a5afce28e322f4b34d2561118e52332fb400f9b908cc0a402205dc6fba3a0d6",
            "7ee142c428c535580cd1f2ff42e2f89b47e0c8a01847caffc312",
        ),
        tx: concat!(
            "02000000000101bef67e4e2fb9ddeeb3461973cd4c62abb35050b1add772995b820b584a4884890000000000",
            "38b02b80084a010000000000002200202b1b5854183c12d3316565972c4668929d314d81c5dcdbb21cb45fe8",
            "a9a8114f4a01000000000000220020e9e86e4823faa62e222ebc858a226636856158f07e69898da3b0d1af0d",
            "db3994d0070000000000002200203e68115ae0b15b8de75b6c6bc9af5ac9f01391544e0870dae443a1e8fe78",
            "37ead007000000000000220020fe0598d74fee2205cc3672e6e6647706b4f3099713b4661b62482c3addd04a",
            "5eb80b000000000000220020f96d0334feb64a4f40eb272031d07afcb038db56aa57446d60308c9f8ccadef9",
            "a00f000000000000220020ce6e751274836ff59622a0d1e07f8831d80bd6730bd48581398bfadd2bb8da9ac0",
            "c62d0000000000220020f3394e1e619b0eca1f91be2fb5ab4dfc59ba5b84ebe014ad1d43a564d012994abc99",
            "6a00000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d6b7dd80e040048",
            "3045022100d57697c707b6f6d053febf24b98e8989f186eea42e37e9e91663ec2c70bb8f70022079b0715a47",
            "2118f262f43016a674f59c015d9cafccec885968e76d9d9c5d005101473044022025d97466c8049e955a5afc",
            "e28e322f4b34d2561118e52332fb400f9b908cc0a402205dc6fba3a0d67ee142c428c535580cd1f2ff42e2f8",
            "9b47e0c8a01847caffc31201475221023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe",
            "436f54eb21030e9f7b623d2ccc7c9bd44d66d5ce21ce504c0acf6385a132cec6d3c39fa711c152ae3e195220",
        ),
        htlc_txs: &[
            AnchorHtlcVector {
                remote_sig: concat!(
                    "3045022100e04d160a326432659fe9fb127304c1d348dfeaba840081bdc57d8efd902a48d8022008a824e7cf",
                    "5492b97e4d9e03c06a09f822775a44f6b5b2533a2088904abfc282",
                ),
                tx: concat!(
                    "02000000000101104f394af4c4fad78337f95e3e9f802f4c0d86ab231853af09b28534856132000200000000",
                    "0100000001d0070000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e0500483045022100e04d160a326432659fe9fb127304c1d348dfeaba840081bdc57d8efd902a48d8",
                    "022008a824e7cf5492b97e4d9e03c06a09f822775a44f6b5b2533a2088904abfc28283483045022100b7c498",
                    "46466b13b190ff739bbe3005c105482fc55539e55b1c561f76b6982b6c02200e5c35808619cf543c8405cff9",
                    "fedd25f333a4a2f6f6d5e8af8150090c40ef0901008876a91414011f7254d96b819c76986c277d115efce6f7",
                    "b58763ac67210394854aa6eab5b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c82012087",
                    "6475527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b140639e752ae67a914b4",
                    "3e1b38138a41b37f7cd9a1d274bc63e3a9b5d188ac6851b27568f6010000",
                ),
            },
            AnchorHtlcVector {
                remote_sig: concat!(
                    "3045022100fbdc3c367ce3bf30796025cc590ee1f2ce0e72ae1ac19f5986d6d0a4fc76211f02207e45ae9267",
                    "e8e820d188569604f71d1abd11bd385d58853dd7dc034cdb3e9a6e",
                ),
                tx: concat!(
                    "02000000000101104f394af4c4fad78337f95e3e9f802f4c0d86ab231853af09b28534856132000300000000",
                    "0100000001d0070000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e0500483045022100fbdc3c367ce3bf30796025cc590ee1f2ce0e72ae1ac19f5986d6d0a4fc76211f",
                    "02207e45ae9267e8e820d188569604f71d1abd11bd385d58853dd7dc034cdb3e9a6e83483045022100d29330",
                    "f24db213b262068706099b39c15fa7e070c3fcdf8836c09723fc4d365602203ce57d01e9f28601e461a0b5c4",
                    "a50119b270bde8b70148d133a6849c70b115ac01200101010101010101010101010101010101010101010101",
                    "0101010101010101018d76a91414011f7254d96b819c76986c277d115efce6f7b58763ac67210394854aa6ea",
                    "b5b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c8201208763a9144b6b2e5444c2639cc0",
                    "fb7bcea5afba3f3cdce23988527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b",
                    "140639e752ae677502f501b175ac6851b2756800000000",
                ),
            },
            AnchorHtlcVector {
                remote_sig: concat!(
                    "3044022066c5ef625cee3ddd2bc7b6bfb354b5834cf1cc6d52dd972fb41b7b225437ae4a022066cb85647df6",
                    "5c6b87a54e416dcdcca778a776c36a9643d2b5dc793c9b29f4c1",
                ),
                tx: concat!(
                    "02000000000101104f394af4c4fad78337f95e3e9f802f4c0d86ab231853af09b28534856132000400000000",
                    "0100000001b80b0000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e0500473044022066c5ef625cee3ddd2bc7b6bfb354b5834cf1cc6d52dd972fb41b7b225437ae4a02",
                    "2066cb85647df65c6b87a54e416dcdcca778a776c36a9643d2b5dc793c9b29f4c18347304402202d4ce515cd",
                    "9000ec37575972d70b8d24f73909fb7012e8ebd8c2066ef6fe187902202830b53e64ea565fecd0f398100691",
                    "da6bb2a5cf9bb0d1926f1d71d05828a11e01008876a91414011f7254d96b819c76986c277d115efce6f7b587",
                    "63ac67210394854aa6eab5b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c820120876475",
                    "527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b140639e752ae67a9148a486f",
                    "f2e31d6158bf39e2608864d63fefd09d5b88ac6851b27568f7010000",
                ),
            },
            AnchorHtlcVector {
                remote_sig: concat!(
                    "3044022022c7e11595c53ee89a57ca76baf0aed730da035952d6ab3fe6459f5eff3b337a022075e10cc5f5fd",
                    "724a35ce4087a5d03cd616698626c69814032132b50bb97dc615",
                ),
                tx: concat!(
                    "02000000000101104f394af4c4fad78337f95e3e9f802f4c0d86ab231853af09b28534856132000500000000",
                    "0100000001a00f0000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e0500473044022022c7e11595c53ee89a57ca76baf0aed730da035952d6ab3fe6459f5eff3b337a02",
                    "2075e10cc5f5fd724a35ce4087a5d03cd616698626c69814032132b50bb97dc61583483045022100b20cd63e",
                    "0587d1711beaebda4730775c4ac8b8b2ec78fe18a0c44c3f168c25230220079abb7fc4924e2fca5950842e5b",
                    "9e416735585026914570078c4ef62f2862260120040404040404040404040404040404040404040404040404",
                    "04040404040404048d76a91414011f7254d96b819c76986c277d115efce6f7b58763ac67210394854aa6eab5",
                    "b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c8201208763a91418bc1a114ccf9c052d3d",
                    "23e28d3b0a9d1227434288527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b14",
                    "0639e752ae677502f801b175ac6851b2756800000000",
                ),
            },
        ],
    },
    AnchorVector {
        name: "commitment tx with four outputs untrimmed (minimum dust limit)",
        local_balance_msat: 6988000000,
        remote_balance_msat: 3000000000,
        dust_limit_satoshis: 2001,
        feerate_per_kw: 2185,
        use_test_htlcs: true,
        remote_sig: concat!(
            "3044022040f63a16148cf35c8d3d41827f5ae7f7c3746885bb64d4d1b895892a83812b3e02202fcf95c2bf02",
            "c466163b3fa3ced6a24926fbb4035095a96842ef516e86ba54c0",
        ),
        tx: concat!(
            "02000000000101bef67e4e2fb9ddeeb3461973cd4c62abb35050b1add772995b820b584a4884890000000000",
            "38b02b80064a010000000000002200202b1b5854183c12d3316565972c4668929d314d81c5dcdbb21cb45fe8",
            "a9a8114f4a01000000000000220020e9e86e4823faa62e222ebc858a226636856158f07e69898da3b0d1af0d",
            "db3994b80b000000000000220020f96d0334feb64a4f40eb272031d07afcb038db56aa57446d60308c9f8cca",
            "def9a00f000000000000220020ce6e751274836ff59622a0d1e07f8831d80bd6730bd48581398bfadd2bb8da",
            "9ac0c62d0000000000220020f3394e1e619b0eca1f91be2fb5ab4dfc59ba5b84ebe014ad1d43a564d012994a",
            "c5916a00000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d6b7dd80e04",
            "00483045022100cd8479cfe1edb1e5a1d487391e0451a469c7171e51e680183f19eb4321f20e9b02204eab7d",
            "5a6384b1b08e03baa6e4d9748dfd2b5ab2bae7e39604a0d0055bbffdd501473044022040f63a16148cf35c8d",
            "3d41827f5ae7f7c3746885bb64d4d1b895892a83812b3e02202fcf95c2bf02c466163b3fa3ced6a24926fbb4",
            "035095a96842ef516e86ba54c001475221023da092f6980e58d2c037173180e9a465476026ee50f96695963e",
            "8efe436f54eb21030e9f7b623d2ccc7c9bd44d66d5ce21ce504c0acf6385a132cec6d3c39fa711c152ae3e19",
            "5220",
        ),
        htlc_txs: &[
            AnchorHtlcVector {
                remote_sig: concat!(
                    "304402206870514a72ad6e723ff7f1e0370d7a33c1cd2a0b9272674143ebaf6a1d02dee102205bd953c34faf",
                    "5e7322e9a1c0103581cb090280fda4f1039ee8552668afa90ebb",
                ),
                tx: concat!(
                    "02000000000101ac13a7715f80b8e52dda43c6929cade5521bdced3a405da02b443f1ffb1e33cc0200000000",
                    "0100000001b80b0000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e050047304402206870514a72ad6e723ff7f1e0370d7a33c1cd2a0b9272674143ebaf6a1d02dee102",
                    "205bd953c34faf5e7322e9a1c0103581cb090280fda4f1039ee8552668afa90ebb834730440220669de9ca79",
                    "10eff65a7773ebd14a9fc371fe88cde5b8e2a81609d85c87ac939b02201ac29472fa4067322e92d75b624942",
                    "d60be5050139b20bb363db75be79eb946f01008876a91414011f7254d96b819c76986c277d115efce6f7b587",
                    "63ac67210394854aa6eab5b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c820120876475",
                    "527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b140639e752ae67a9148a486f",
                    "f2e31d6158bf39e2608864d63fefd09d5b88ac6851b27568f7010000",
                ),
            },
            AnchorHtlcVector {
                remote_sig: concat!(
                    "3045022100949e8dd938da56445b1cdfdebe1b7efea086edd05d89910d205a1e2e033ce47102202cbd68b526",
                    "2ab144d9ec12653f87dfb0bb6bd05d1f58ae1e523f028eaefd7271",
                ),
                tx: concat!(
                    "02000000000101ac13a7715f80b8e52dda43c6929cade5521bdced3a405da02b443f1ffb1e33cc0300000000",
                    "0100000001a00f0000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e0500483045022100949e8dd938da56445b1cdfdebe1b7efea086edd05d89910d205a1e2e033ce471",
                    "02202cbd68b5262ab144d9ec12653f87dfb0bb6bd05d1f58ae1e523f028eaefd727183483045022100e3104e",
                    "d8b239f8019e5f0a1a73d7782a94a8c36e7984f476c3a0b3cb0e62e27902207e3d52884600985f8a2098e53a",
                    "5c30dd6a5e857733acfaa07ab2162421ed268801200404040404040404040404040404040404040404040404",
                    "0404040404040404048d76a91414011f7254d96b819c76986c277d115efce6f7b58763ac67210394854aa6ea",
                    "b5b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c8201208763a91418bc1a114ccf9c052d",
                    "3d23e28d3b0a9d1227434288527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b",
                    "140639e752ae677502f801b175ac6851b2756800000000",
                ),
            },
        ],
    },
    AnchorVector {
        name: "commitment tx with three outputs untrimmed (minimum dust limit)",
        local_balance_msat: 6988000000,
        remote_balance_msat: 3000000000,
        dust_limit_satoshis: 3001,
        feerate_per_kw: 3687,
        use_test_htlcs: true,
        remote_sig: concat!(
            "3045022100ad6c71569856b2d7ff42e838b4abe74a713426b37f22fa667a195a4c88908c6902202b37272b02",
            "a42dc6d9f4f82cab3eaf84ac882d9ed762859e1e75455c2c228377",
        ),
        tx: concat!(
            "02000000000101bef67e4e2fb9ddeeb3461973cd4c62abb35050b1add772995b820b584a4884890000000000",
            "38b02b80054a010000000000002200202b1b5854183c12d3316565972c4668929d314d81c5dcdbb21cb45fe8",
            "a9a8114f4a01000000000000220020e9e86e4823faa62e222ebc858a226636856158f07e69898da3b0d1af0d",
            "db3994a00f000000000000220020ce6e751274836ff59622a0d1e07f8831d80bd6730bd48581398bfadd2bb8",
            "da9ac0c62d0000000000220020f3394e1e619b0eca1f91be2fb5ab4dfc59ba5b84ebe014ad1d43a564d01299",
            "4aa28b6a00000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d6b7dd80e",
            "0400483045022100c970799bcb33f43179eb43b3378a0a61991cf2923f69b36ef12548c3df0e6d500220413d",
            "c27d2e39ee583093adfcb7799be680141738babb31cc7b0669a777a31f5d01483045022100ad6c71569856b2",
            "d7ff42e838b4abe74a713426b37f22fa667a195a4c88908c6902202b37272b02a42dc6d9f4f82cab3eaf84ac",
            "882d9ed762859e1e75455c2c22837701475221023da092f6980e58d2c037173180e9a465476026ee50f96695",
            "963e8efe436f54eb21030e9f7b623d2ccc7c9bd44d66d5ce21ce504c0acf6385a132cec6d3c39fa711c152ae",
            "3e195220",
        ),
        htlc_txs: &[
            AnchorHtlcVector {
                remote_sig: concat!(
                    "3044022017b558a3cf5f0cb94269e2e927b29ed22bd2416abb8a7ce6de4d1256f359b93602202e9ca2b1a23e",
                    "a3e69f433c704e327739e219804b8c188b1d52f74fd5a9de954c",
                ),
                tx: concat!(
                    "02000000000101542562b326c08e3a076d9cfca2be175041366591da334d8d513ff1686fd95a600200000000",
                    "0100000001a00f0000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e0500473044022017b558a3cf5f0cb94269e2e927b29ed22bd2416abb8a7ce6de4d1256f359b93602",
                    "202e9ca2b1a23ea3e69f433c704e327739e219804b8c188b1d52f74fd5a9de954c83483045022100af7a8b7c",
                    "7ff2080c68995254cb66d64d9954edcc5baac3bb4f27ed2d29aaa6120220421c27da7a60574a9263f271e0f3",
                    "bd34594ec6011095190022b3b54596ea03de0120040404040404040404040404040404040404040404040404",
                    "04040404040404048d76a91414011f7254d96b819c76986c277d115efce6f7b58763ac67210394854aa6eab5",
                    "b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c8201208763a91418bc1a114ccf9c052d3d",
                    "23e28d3b0a9d1227434288527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b14",
                    "0639e752ae677502f801b175ac6851b2756800000000",
                ),
            },
        ],
    },
    AnchorVector {
        name: "commitment tx with two outputs untrimmed (minimum dust limit)",
        local_balance_msat: 6988000000,
        remote_balance_msat: 3000000000,
        dust_limit_satoshis: 4001,
        feerate_per_kw: 4894,
        use_test_htlcs: true,
        remote_sig: concat!(
            "3045022100e784a66b1588575801e237d35e510fd92a81ae3a4a2a1b90c031ad803d07b3f3022021bc5f1650",
            "1f167607d63b681442da193eb0a76b4b7fd25c2ed4f8b28fd35b95",
        ),
        tx: concat!(
            "02000000000101bef67e4e2fb9ddeeb3461973cd4c62abb35050b1add772995b820b584a4884890000000000",
            "38b02b80044a010000000000002200202b1b5854183c12d3316565972c4668929d314d81c5dcdbb21cb45fe8",
            "a9a8114f4a01000000000000220020e9e86e4823faa62e222ebc858a226636856158f07e69898da3b0d1af0d",
            "db3994c0c62d0000000000220020f3394e1e619b0eca1f91be2fb5ab4dfc59ba5b84ebe014ad1d43a564d012",
            "994ad0886a00000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d6b7dd8",
            "0e04004830450221009f16ac85d232e4eddb3fcd750a68ebf0b58e3356eaada45d3513ede7e817bf4c02207c",
            "2b043b4e5f971261975406cb955219fa56bffe5d834a833694b5abc1ce4cfd01483045022100e784a66b1588",
            "575801e237d35e510fd92a81ae3a4a2a1b90c031ad803d07b3f3022021bc5f16501f167607d63b681442da19",
            "3eb0a76b4b7fd25c2ed4f8b28fd35b9501475221023da092f6980e58d2c037173180e9a465476026ee50f966",
            "95963e8efe436f54eb21030e9f7b623d2ccc7c9bd44d66d5ce21ce504c0acf6385a132cec6d3c39fa711c152",
            "ae3e195220",
        ),
        htlc_txs: &[
        ],
    },
    AnchorVector {
        name: "commitment tx with one output untrimmed (minimum dust limit)",
        local_balance_msat: 6988000000,
        remote_balance_msat: 3000000000,
        dust_limit_satoshis: 4001,
        feerate_per_kw: 6216010,
        use_test_htlcs: true,
        remote_sig: concat!(
            "30450221008fd5dbff02e4b59020d4cd23a3c30d3e287065fda75a0a09b402980adf68ccda022001e0b8b620",
            "cd915ddff11f1de32addf23d81d51b90e6841b2cb8dcaf3faa5ecf",
        ),
        tx: concat!(
            "02000000000101bef67e4e2fb9ddeeb3461973cd4c62abb35050b1add772995b820b584a4884890000000000",
            "38b02b80024a01000000000000220020e9e86e4823faa62e222ebc858a226636856158f07e69898da3b0d1af",
            "0ddb3994c0c62d0000000000220020f3394e1e619b0eca1f91be2fb5ab4dfc59ba5b84ebe014ad1d43a564d0",
            "12994a04004830450221009ad80792e3038fe6968d12ff23e6888a565c3ddd065037f357445f01675d63f302",
            "2018384915e5f1f4ae157e15debf4f49b61c8d9d2b073c7d6f97c4a68caa3ed4c1014830450221008fd5dbff",
            "02e4b59020d4cd23a3c30d3e287065fda75a0a09b402980adf68ccda022001e0b8b620cd915ddff11f1de32a",
            "ddf23d81d51b90e6841b2cb8dcaf3faa5ecf01475221023da092f6980e58d2c037173180e9a465476026ee50",
            "f96695963e8efe436f54eb21030e9f7b623d2ccc7c9bd44d66d5ce21ce504c0acf6385a132cec6d3c39fa711",
            "c152ae3e195220",
        ),
        htlc_txs: &[
        ],
    },
    AnchorVector {
        name: "commitment tx with 3 htlc outputs, 2 offered having the same amount and preimage",
        local_balance_msat: 6987999999,
        remote_balance_msat: 3000000000,
        dust_limit_satoshis: 546,
        feerate_per_kw: 253,
        use_test_htlcs: true,
        remote_sig: concat!(
            "3044022027b38dfb654c34032ffb70bb43022981652fce923cbbe3cbe7394e2ade8b34230220584195b78da6",
            "e25c2e8da6b4308d9db25b65b64975db9266163ef592abb7c725",
        ),
        tx: concat!(
            "02000000000101bef67e4e2fb9ddeeb3461973cd4c62abb35050b1add772995b820b584a4884890000000000",
            "38b02b80074a010000000000002200202b1b5854183c12d3316565972c4668929d314d81c5dcdbb21cb45fe8",
            "a9a8114f4a01000000000000220020e9e86e4823faa62e222ebc858a226636856158f07e69898da3b0d1af0d",
            "db3994d007000000000000220020fe0598d74fee2205cc3672e6e6647706b4f3099713b4661b62482c3addd0",
            "4a5e881300000000000022002018e40f9072c44350f134bdc887bab4d9bdfc8aa468a25616c80e21757ba5da",
            "c7881300000000000022002018e40f9072c44350f134bdc887bab4d9bdfc8aa468a25616c80e21757ba5dac7",
            "c0c62d0000000000220020f3394e1e619b0eca1f91be2fb5ab4dfc59ba5b84ebe014ad1d43a564d012994aad",
            "9c6a00000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d6b7dd80e0400",
            "483045022100b4014970d9d7962853f3f85196144671d7d5d87426250f0a5fdaf9a55292e92502205360910c",
            "9abb397467e19dbd63d081deb4a3240903114c98cec0a23591b79b7601473044022027b38dfb654c34032ffb",
            "70bb43022981652fce923cbbe3cbe7394e2ade8b34230220584195b78da6e25c2e8da6b4308d9db25b65b649",
            "75db9266163ef592abb7c72501475221023da092f6980e58d2c037173180e9a465476026ee50f96695963e8e",
            "fe436f54eb21030e9f7b623d2ccc7c9bd44d66d5ce21ce504c0acf6385a132cec6d3c39fa711c152ae3e1952",
            "20",
        ),
        htlc_txs: &[
            AnchorHtlcVector {
                remote_sig: concat!(
                    "30440220078fe5343dab88c348a3a8a9c1a9293259dbf35507ae971702cc39dd623ea9af022011ed0c0f3524",
                    "3cd0bb4d9ca3c772379b2b5f4af93140e9fdc5600dfec1cdb0c2",
                ),
                tx: concat!(
                    "020000000001013d060d0305c9616eaabc21d41fae85bcb5477b5d7f1c92aa429cf15339bbe1c40200000000",
                    "0100000001d0070000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e05004730440220078fe5343dab88c348a3a8a9c1a9293259dbf35507ae971702cc39dd623ea9af02",
                    "2011ed0c0f35243cd0bb4d9ca3c772379b2b5f4af93140e9fdc5600dfec1cdb0c28347304402205df665e290",
                    "8c7690d2d33eb70e6e119958c28febe141a94ed0dd9a55ce7c8cfc0220364d02663a5d019af35c5cd5fda946",
                    "5d985d85bbd12db207738d61163449a424012001010101010101010101010101010101010101010101010101",
                    "010101010101018d76a91414011f7254d96b819c76986c277d115efce6f7b58763ac67210394854aa6eab5b2",
                    "a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c8201208763a9144b6b2e5444c2639cc0fb7b",
                    "cea5afba3f3cdce23988527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b1406",
                    "39e752ae677502f501b175ac6851b2756800000000",
                ),
            },
            AnchorHtlcVector {
                remote_sig: concat!(
                    "304402202df6bf0f98a42cfd0172a16bded7d1b16c14f5f42ba23f5c54648c14b647531302200fe150862681",
                    "7f23925bb56951d5e4b2654c751743ab6db48a6cce7dda17c01c",
                ),
                tx: concat!(
                    "020000000001013d060d0305c9616eaabc21d41fae85bcb5477b5d7f1c92aa429cf15339bbe1c40300000000",
                    "010000000188130000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e050047304402202df6bf0f98a42cfd0172a16bded7d1b16c14f5f42ba23f5c54648c14b647531302",
                    "200fe1508626817f23925bb56951d5e4b2654c751743ab6db48a6cce7dda17c01c8347304402203f99ec05cd",
                    "d89558a23683b471c1dcce8f6a92295f1fff3b0b5d21be4d4f97ea022019d29070690fc2c126fe27cc4ab2f5",
                    "03f289d362721b2efa7418e7fddb939a5b01008876a91414011f7254d96b819c76986c277d115efce6f7b587",
                    "63ac67210394854aa6eab5b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c820120876475",
                    "527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b140639e752ae67a9142002cc",
                    "93ebefbb1b73f0af055dcc27a0b504ad7688ac6851b27568f9010000",
                ),
            },
            AnchorHtlcVector {
                remote_sig: concat!(
                    "3045022100bd206b420c495f3aa714d3ea4766cbe95441deacb5d2f737f1913349aee7c2ae02200249d2c950",
                    "dd3b15326bf378ae5d2b871d33d6737f5d70735f3de8383140f2a1",
                ),
                tx: concat!(
                    "020000000001013d060d0305c9616eaabc21d41fae85bcb5477b5d7f1c92aa429cf15339bbe1c40400000000",
                    "010000000188130000000000002200204adb4e2f00643db396dd120d4e7dc17625f5f2c11a40d857accc862d",
                    "6b7dd80e0500483045022100bd206b420c495f3aa714d3ea4766cbe95441deacb5d2f737f1913349aee7c2ae",
                    "02200249d2c950dd3b15326bf378ae5d2b871d33d6737f5d70735f3de8383140f2a183483045022100f2cd35",
                    "e385b9b7e15b92a5d78d120b6b2c5af4e974bc01e884c5facb3bb5966c0220706e0506477ce809a40022d6de",
                    "8e041e9ef13136c45abee9c36f58a01fdb188b01008876a91414011f7254d96b819c76986c277d115efce6f7",
                    "b58763ac67210394854aa6eab5b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b7c82012087",
                    "6475527c21030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b140639e752ae67a91420",
                    "02cc93ebefbb1b73f0af055dcc27a0b504ad7688ac6851b27568fa010000",
                ),
            },
        ],
    },
];
