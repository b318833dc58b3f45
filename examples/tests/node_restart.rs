//! The `node` program keeps its state in `--data-dir`: the node id, the channel manager and
//! the channel monitors survive a kill, and a channel opened before the kill is reestablished
//! after the restart.

mod node_support;

use std::sync::Arc;
use std::time::Duration;

use bitcoin::absolute::LockTime;
use bitcoin::hashes::Hash;
use bitcoin::transaction::Version;
use bitcoin::{Amount, OutPoint, Sequence, Transaction, TxIn, TxOut, Txid, Witness};
use lightning::manager::Event;
use lightning::peer::PeerManagerConfig;
use node_support::{client, pump, pump_until, Lines, NodeProcess, TempDir, WAIT};
use tokio::time::timeout;

/// A funding transaction paying `value` to `script` from a made-up segwit input: the node has
/// no chain backend, so nothing checks the input.
fn funding_tx(script: bitcoin::ScriptBuf, value: u64) -> Transaction {
    Transaction {
        version: Version::TWO,
        lock_time: LockTime::ZERO,
        input: vec![TxIn {
            previous_output: OutPoint::new(Txid::from_byte_array([7; 32]), 0),
            script_sig: bitcoin::ScriptBuf::new(),
            sequence: Sequence::MAX,
            witness: Witness::from_slice(&[vec![1u8; 72], vec![2u8; 33]]),
        }],
        output: vec![TxOut {
            value: Amount::from_sat(value),
            script_pubkey: script,
        }],
    }
}

/// The files under `dir`, as paths relative to it.
fn files_under(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        for entry in std::fs::read_dir(&at).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(dir).unwrap();
                out.push(relative.to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn restart_keeps_the_node_id_and_writes_the_manager() {
    let dir = TempDir::new("manager");
    let first = NodeProcess::spawn(&["--data-dir", dir.arg()]);
    first.expect_stderr("(new), 0 channel(s), 0 monitor(s)");
    let id = first.addr.node_id;
    drop(first);
    let files = files_under(dir.path());
    assert_eq!(files, ["manager", "seed"], "the data dir after one run");
    let manager = std::fs::read(dir.path().join("manager")).unwrap();
    assert_eq!(
        manager.first(),
        Some(&lightning::manager::MANAGER_FORMAT_VERSION),
        "the manager file is versioned"
    );
    let again = NodeProcess::spawn(&["--data-dir", dir.arg()]);
    assert_eq!(again.addr.node_id, id, "same data dir, same node id");
    again.expect_stderr("(restored), 0 channel(s), 0 monitor(s)");
}

#[test]
fn without_a_data_dir_nothing_is_written() {
    let process = NodeProcess::spawn(&[]);
    process.expect_stderr("store: memory");
}

#[tokio::test]
async fn a_channel_survives_a_kill_and_is_reestablished() {
    let dir = TempDir::new("channel");
    let node = NodeProcess::spawn(&["--data-dir", dir.arg()]);
    let node_id = node.addr.node_id;
    let log = Arc::new(Lines::default());
    let ours = client(5, PeerManagerConfig::default(), log.clone());
    timeout(WAIT, ours.connect_and_wait(&node.addr))
        .await
        .expect("init in time")
        .expect("init");

    // Open a channel to the node; it accepts and signs the funding.
    let mut events = Vec::new();
    ours.with(|_, manager| manager.open_channel(node_id, 100_000, 0, 42, None))
        .expect("open_channel");
    let (temporary_channel_id, script, value) =
        pump_until(&ours, &mut events, "FundingGenerationReady", |events| {
            events.iter().find_map(|event| match event {
                Event::FundingGenerationReady {
                    temporary_channel_id,
                    output_script,
                    channel_value_satoshis,
                    ..
                } => Some((
                    *temporary_channel_id,
                    output_script.clone(),
                    *channel_value_satoshis,
                )),
                _ => None,
            })
        })
        .await;
    ours.with(|_, manager| {
        manager.funding_transaction_generated(
            temporary_channel_id,
            node_id,
            funding_tx(script, value),
        )
    })
    .expect("funding accepted");
    let channel_id = pump_until(&ours, &mut events, "ChannelPending", |events| {
        events.iter().find_map(|event| match event {
            Event::ChannelPending { channel_id, .. } => Some(*channel_id),
            _ => None,
        })
    })
    .await;
    node.expect_stderr("event: ChannelPending");
    let files = files_under(dir.path());
    let monitor = format!("monitors/{channel_id}");
    assert!(
        files.contains(&monitor) && files.contains(&"manager".to_string()),
        "the monitor and the manager are stored: {files:?}"
    );

    // Kill the node; our side sees the connection end.
    drop(node);
    timeout(
        WAIT,
        ours.wait_until(|pm, _| (!pm.is_connected(&node_id)).then_some(())),
    )
    .await
    .expect("the connection ends with the process");

    // Restart from the data dir: same id, the channel and its monitor come back.
    let node = NodeProcess::spawn(&["--data-dir", dir.arg()]);
    assert_eq!(node.addr.node_id, node_id);
    node.expect_stderr("(restored), 1 channel(s), 1 monitor(s)");
    let reestablish_before = log.count("received message type 136");
    timeout(WAIT, ours.connect_and_wait(&node.addr))
        .await
        .expect("init in time")
        .expect("init");
    timeout(WAIT, async {
        while log.count("received message type 136") == reestablish_before {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the restarted node sends channel_reestablish for the channel");

    // Give a refusal time to arrive, then check the channel is still there on both sides.
    tokio::time::sleep(Duration::from_millis(500)).await;
    pump(&ours, &mut events);
    assert!(
        !events
            .iter()
            .any(|event| matches!(event, Event::ChannelClosed { .. })),
        "no close: {events:?}"
    );
    let channels = ours.with(|_, manager| manager.list_channels());
    let channel = channels
        .iter()
        .find(|channel| channel.channel_id == channel_id)
        .expect("our side keeps the channel");
    assert!(channel.is_peer_connected);
    assert!(ours.with(|pm, _| pm.is_connected(&node_id)));
    assert_eq!(
        log.count("received message type 17"),
        0,
        "no error from the node"
    );
    let lines = node.drain_stderr();
    assert!(
        !lines.iter().any(|line| line.contains("ERROR")),
        "the node logged an error: {lines:?}"
    );
}
