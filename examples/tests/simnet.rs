//! Runs the `simnet` program: it exits 0 and its summary names what happened (payments
//! routed and retried, the breach punished, the channels closed).

use std::process::Command;

/// The number just before `word` on a summary line (e.g. the `12` of `12 sent,`).
fn number_before(line: &str, word: &str) -> u64 {
    let words: Vec<&str> = line.split_whitespace().collect();
    let at = words
        .iter()
        .position(|w| w.trim_end_matches(',') == word)
        .unwrap_or_else(|| panic!("no {word:?} in {line:?}"));
    words[at - 1]
        .trim_end_matches(',')
        .parse()
        .expect("a number")
}

#[test]
fn simnet_runs_and_prints_its_summary() {
    let output = Command::new(env!("CARGO_BIN_EXE_simnet"))
        .output()
        .expect("the simnet program runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "simnet failed:\n{stdout}\n{stderr}"
    );
    let line = |label: &str| {
        stdout
            .lines()
            .find(|line| line.trim_start().starts_with(label))
            .unwrap_or_else(|| panic!("no {label:?} line in:\n{stdout}"))
            .to_string()
    };
    assert!(line("nodes:").ends_with("15"));
    let payments = line("payments:");
    let sent = number_before(&payments, "sent");
    let succeeded = number_before(&payments, "succeeded");
    assert!(sent >= 50, "{payments}");
    assert!(succeeded > sent / 2, "{payments}");
    let retries = line("retries:");
    let retried: u64 = retries
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .expect("a count");
    assert!(retried > 0, "{retries}");
    assert!(
        line("gossip:").contains("14/14 graphs know all"),
        "{stdout}"
    );
    assert!(line("breach:").contains("caught it"), "{stdout}");
    assert!(
        line("penalty").contains("sat taken from the cheater"),
        "{stdout}"
    );
    let closes = line("closes:");
    assert!(closes.contains("1 forced"), "{closes}");
    assert!(line("time:").contains(" s ("), "{stdout}");
    assert!(line("retries:").contains("payments needed more than one route"));
}
