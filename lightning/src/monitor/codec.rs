//! Fixed-layout encodings of the signer-api types a monitor update carries (channel setup,
//! commitment inputs, signatures), used inside the TLV records of [`super::update`].

use alloc::vec::Vec;

use bitcoin::hashes::Hash;
use bitcoin::{OutPoint, Txid};
use lightning_signer_api::keys::ChannelPublicKeys;
use lightning_signer_api::traits::{ChannelSetup, CommitmentSignatures};
use lightning_signer_api::tx::{
    ChannelParameters, ChannelType, CommitmentInputs, Htlc, HtlcDirection, Side, SideParameters,
};

use crate::wire::{Decode, DecodeError, Encode, Reader};

/// The encoded size of one HTLC: direction, amount, hash, expiry.
const HTLC_LEN: usize = 1 + 8 + 32 + 4;

pub(crate) fn write_side(side: Side, out: &mut Vec<u8>) {
    out.push(match side {
        Side::Holder => 0,
        Side::Counterparty => 1,
    });
}

pub(crate) fn read_side(r: &mut Reader<'_>) -> Result<Side, DecodeError> {
    match u8::decode(r)? {
        0 => Ok(Side::Holder),
        1 => Ok(Side::Counterparty),
        _ => Err(DecodeError::InvalidValue),
    }
}

fn write_htlc(htlc: &Htlc, out: &mut Vec<u8>) {
    out.push(match htlc.direction {
        HtlcDirection::Offered => 0,
        HtlcDirection::Received => 1,
    });
    htlc.amount_msat.encode(out);
    htlc.payment_hash.encode(out);
    htlc.cltv_expiry.encode(out);
}

fn read_htlc(r: &mut Reader<'_>) -> Result<Htlc, DecodeError> {
    let direction = match u8::decode(r)? {
        0 => HtlcDirection::Offered,
        1 => HtlcDirection::Received,
        _ => return Err(DecodeError::InvalidValue),
    };
    Ok(Htlc {
        direction,
        amount_msat: r.decode()?,
        payment_hash: r.decode()?,
        cltv_expiry: r.decode()?,
    })
}

/// Commitment number, feerate, both balances, then a `u16` count of HTLCs.
pub(crate) fn write_inputs(inputs: &CommitmentInputs, out: &mut Vec<u8>) {
    inputs.commitment_number.encode(out);
    inputs.feerate_per_kw.encode(out);
    inputs.to_broadcaster_msat.encode(out);
    inputs.to_countersignatory_msat.encode(out);
    let count = inputs.htlcs.len().min(usize::from(u16::MAX));
    // At most u16::MAX by the line above.
    (count as u16).encode(out);
    for htlc in &inputs.htlcs[..count] {
        write_htlc(htlc, out);
    }
}

pub(crate) fn read_inputs(r: &mut Reader<'_>) -> Result<CommitmentInputs, DecodeError> {
    let commitment_number = r.decode()?;
    let feerate_per_kw = r.decode()?;
    let to_broadcaster_msat = r.decode()?;
    let to_countersignatory_msat = r.decode()?;
    let count = usize::from(u16::decode(r)?);
    let mut htlcs = Vec::with_capacity(count.min(r.remaining() / HTLC_LEN));
    for _ in 0..count {
        htlcs.push(read_htlc(r)?);
    }
    Ok(CommitmentInputs {
        commitment_number,
        feerate_per_kw,
        to_broadcaster_msat,
        to_countersignatory_msat,
        htlcs,
    })
}

pub(crate) fn write_signatures(sigs: &CommitmentSignatures, out: &mut Vec<u8>) {
    sigs.commitment.encode(out);
    sigs.htlcs.encode(out);
}

pub(crate) fn read_signatures(r: &mut Reader<'_>) -> Result<CommitmentSignatures, DecodeError> {
    Ok(CommitmentSignatures {
        commitment: r.decode()?,
        htlcs: r.decode()?,
    })
}

fn write_side_parameters(p: &SideParameters, out: &mut Vec<u8>) {
    p.funding_pubkey.encode(out);
    p.payment_basepoint.encode(out);
    p.dust_limit_satoshis.encode(out);
    p.to_self_delay.encode(out);
}

fn read_side_parameters(r: &mut Reader<'_>) -> Result<SideParameters, DecodeError> {
    Ok(SideParameters {
        funding_pubkey: r.decode()?,
        payment_basepoint: r.decode()?,
        dust_limit_satoshis: r.decode()?,
        to_self_delay: r.decode()?,
    })
}

fn write_keys(keys: &ChannelPublicKeys, out: &mut Vec<u8>) {
    keys.funding_pubkey.encode(out);
    keys.revocation_basepoint.encode(out);
    keys.payment_point.encode(out);
    keys.delayed_payment_basepoint.encode(out);
    keys.htlc_basepoint.encode(out);
}

fn read_keys(r: &mut Reader<'_>) -> Result<ChannelPublicKeys, DecodeError> {
    Ok(ChannelPublicKeys {
        funding_pubkey: r.decode()?,
        revocation_basepoint: r.decode()?,
        payment_point: r.decode()?,
        delayed_payment_basepoint: r.decode()?,
        htlc_basepoint: r.decode()?,
    })
}

pub(crate) fn write_setup(setup: &ChannelSetup, out: &mut Vec<u8>) {
    let p = &setup.parameters;
    p.funding_outpoint.txid.encode(out);
    p.funding_outpoint.vout.encode(out);
    p.funding_satoshis.encode(out);
    write_side(p.opener, out);
    out.push(match p.channel_type {
        ChannelType::StaticRemoteKey => 0,
        ChannelType::AnchorsZeroFeeHtlcTx => 1,
    });
    write_side_parameters(&p.holder, out);
    write_side_parameters(&p.counterparty, out);
    write_keys(&setup.holder_keys, out);
    write_keys(&setup.counterparty_keys, out);
}

pub(crate) fn read_setup(r: &mut Reader<'_>) -> Result<ChannelSetup, DecodeError> {
    let txid = Txid::from_byte_array(r.read_array()?);
    let vout = r.decode()?;
    let funding_satoshis = r.decode()?;
    let opener = read_side(r)?;
    let channel_type = match u8::decode(r)? {
        0 => ChannelType::StaticRemoteKey,
        1 => ChannelType::AnchorsZeroFeeHtlcTx,
        _ => return Err(DecodeError::InvalidValue),
    };
    let parameters = ChannelParameters {
        funding_outpoint: OutPoint { txid, vout },
        funding_satoshis,
        opener,
        channel_type,
        holder: read_side_parameters(r)?,
        counterparty: read_side_parameters(r)?,
    };
    Ok(ChannelSetup {
        parameters,
        holder_keys: read_keys(r)?,
        counterparty_keys: read_keys(r)?,
    })
}

/// Encodes `value` with `write` into a fresh buffer (the value of one TLV record).
pub(crate) fn to_bytes<T: ?Sized>(value: &T, write: fn(&T, &mut Vec<u8>)) -> Vec<u8> {
    let mut out = Vec::new();
    write(value, &mut out);
    out
}
