//! `channel_reestablish` after a disconnect: not implemented yet (a later issue).
//!
//! What it will need is kept by the channel: the last `commitment_signed` and
//! `revoke_and_ack` we sent (both regenerable from the stored specs, commitment numbers and
//! the signer), the next commitment numbers of both sides, the peer's revocation secrets
//! (for `your_last_per_commitment_secret` checks) and the change logs with their stages (to
//! retransmit updates the peer may not have received).
