//! The BOLT 8 transport: Noise_XK_secp256k1_ChaChaPoly_SHA256 handshake and message framing,
//! as a sans-IO state machine.
