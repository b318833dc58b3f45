//! The signer traits: entropy, the node signer, the channel signer and the provider of channel
//! signers.
