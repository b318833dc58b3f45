//! Allocation bound: decoding adversarial input (length prefixes and TLV lengths that claim far
//! more than the input holds) allocates at most a small multiple of the input size.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use lightning::wire::Message;

/// Counts the bytes allocated by the current thread (tests run on several threads).
struct CountingAllocator;

thread_local! {
    static ALLOCATED: Cell<usize> = const { Cell::new(0) };
}

fn count(bytes: usize) {
    // `try_with` because the slot is gone while the thread is being torn down.
    let _ = ALLOCATED.try_with(|allocated| allocated.set(allocated.get() + bytes));
}

// SAFETY: every call is forwarded unchanged to the system allocator; we only count sizes.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        // SAFETY: same layout contract as our caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        // SAFETY: same layout contract as our caller's.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size);
        // SAFETY: `ptr` came from `System` with this layout.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Bytes allocated on this thread while decoding `input` with `Message::read`.
fn bytes_allocated_decoding(input: &[u8]) -> usize {
    let before = ALLOCATED.with(Cell::get);
    let result = Message::read(input);
    let after = ALLOCATED.with(Cell::get);
    drop(result);
    after - before
}

fn assert_bounded(name: &str, input: Vec<u8>) {
    let allocated = bytes_allocated_decoding(&input);
    let bound = 4 * input.len() + 256;
    assert!(
        allocated <= bound,
        "{name}: {allocated} bytes allocated for {} input bytes",
        input.len()
    );
}

fn message(msg_type: u16, payload: &[u8]) -> Vec<u8> {
    let mut out = msg_type.to_be_bytes().to_vec();
    out.extend_from_slice(payload);
    out
}

const CHANNEL_ID: [u8; 32] = [7; 32];
const SIGNATURE: [u8; 64] = [1; 64];

#[test]
fn u16_length_prefixes_claiming_more_than_the_input() {
    // error/warning/ping/pong/peer_storage: `len` = 65535 with 10 bytes present.
    for msg_type in [17u16, 1] {
        let mut payload = CHANNEL_ID.to_vec();
        payload.extend_from_slice(&[0xff, 0xff]);
        payload.extend_from_slice(&[b'x'; 10]);
        assert_bounded("error/warning", message(msg_type, &payload));
    }
    assert_bounded("ping", message(18, &[0, 1, 0xff, 0xff, 0, 0, 0]));
    assert_bounded("pong", message(19, &[0xff, 0xff, 0]));
    assert_bounded("peer_storage", message(7, &[0xff, 0xff, 1, 2, 3]));
    // init: feature vectors claiming 65535 bytes.
    assert_bounded("init globalfeatures", message(16, &[0xff, 0xff, 1]));
    assert_bounded("init features", message(16, &[0, 0, 0xff, 0xff, 1]));
}

#[test]
fn element_counts_claiming_more_than_the_input() {
    // commitment_signed with num_htlcs = 65535 and a single signature present.
    let mut payload = CHANNEL_ID.to_vec();
    payload.extend_from_slice(&SIGNATURE);
    payload.extend_from_slice(&[0xff, 0xff]);
    payload.extend_from_slice(&SIGNATURE);
    assert_bounded("commitment_signed", message(132, &payload));
}

#[test]
fn tlv_lengths_claiming_more_than_the_input() {
    // init with an odd TLV whose length is 2^60.
    let mut payload = vec![0, 0, 0, 0];
    payload.extend_from_slice(&[0x05, 0xff, 0x10, 0, 0, 0, 0, 0, 0, 0, 0xaa]);
    assert_bounded("init tlv 2^60", message(16, &payload));
    // init `networks` claiming 2^32 - 1 bytes.
    let mut payload = vec![0, 0, 0, 0];
    payload.extend_from_slice(&[0x01, 0xfe, 0xff, 0xff, 0xff, 0xff]);
    payload.extend_from_slice(&[0x11; 64]);
    assert_bounded("init networks", message(16, &payload));
    // channel_reestablish with many small unknown odd records: each is kept, still bounded.
    let mut payload = CHANNEL_ID.to_vec();
    payload.extend_from_slice(&[0; 16]);
    payload.extend_from_slice(&[0; 32]);
    payload.extend_from_slice(
        &hex::decode("023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb").unwrap(),
    );
    for record_type in (7u8..=251).step_by(2) {
        payload.extend_from_slice(&[record_type, 0]);
    }
    let input = message(136, &payload);
    assert!(Message::read(&input).is_ok());
    let allocated = bytes_allocated_decoding(&input);
    // Each empty record costs one `UnknownTlv` (40 bytes) against 2 input bytes.
    assert!(
        allocated <= 32 * input.len(),
        "{allocated} for {}",
        input.len()
    );
}

#[test]
fn unknown_and_valid_messages_stay_proportional() {
    let unknown = message(0x8001, &[0xab; 1000]);
    // The counter sees the payload copy, so the bounds above measure something.
    assert!(bytes_allocated_decoding(&unknown) >= 1000);
    assert_bounded("unknown odd", unknown);
    let mut payload = CHANNEL_ID.to_vec();
    payload.extend_from_slice(&SIGNATURE);
    payload.extend_from_slice(&[0, 10]);
    for _ in 0..10 {
        payload.extend_from_slice(&SIGNATURE);
    }
    let input = message(132, &payload);
    assert!(Message::read(&input).is_ok());
    assert_bounded("valid commitment_signed", input);
}
