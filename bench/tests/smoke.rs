//! Every workload runs end to end on a tiny configuration and reports figures for the sides it
//! claims to measure (this checks the harnesses, not the speed).

use bench::config::Config;
use bench::workloads::ALL;

fn tiny() -> Config {
    Config {
        reps: 1,
        warmup: 0,
        sequential_payments: 2,
        stack_payments: 2,
        routing_nodes: 60,
        routing_channels: 200,
        routing_queries: 5,
        in_flight: 3,
        amount_msat: 10_000,
        transport_messages: 2,
        secp_ops: 2,
        cost_payments: 2,
        only: Vec::new(),
        clock: bench::stats::Clock::Wall,
    }
}

#[test]
fn every_workload_reports() {
    let config = tiny();
    for workload in ALL {
        let report = (workload.run)(&config);
        assert_eq!(report.workload, workload.name);
        let json = report.json();
        assert!(json.starts_with('{') && json.ends_with('}') && !json.contains('\n'));
        if report.pending.is_some() {
            assert!(report.figures.is_empty());
            continue;
        }
        assert!(
            !report.figures.is_empty(),
            "{} has no figures",
            workload.name
        );
        for figure in &report.figures {
            assert_eq!(
                figure.ours.len().max(1),
                figure.ours.len(),
                "{}",
                figure.unit
            );
            assert!(
                !figure.theirs.is_empty() || figure.theirs_missing.is_some(),
                "{}: {} has neither figures nor a reason",
                workload.name,
                figure.unit
            );
            assert!(figure.ours.iter().all(|x| x.is_finite() && *x >= 0.0));
        }
    }
}

#[test]
fn both_libraries_settle_payments_with_the_same_monitor_traffic_shape() {
    // A payment moves monitor state on both sides: at least one update each way per commitment.
    let mut ours = bench::ours::OursPair::new(true, 483);
    let mut ldk = bench::ldk_pair::LdkPair::new(true, 483);
    let (ours_before, ldk_before) = (ours.counts(), ldk.counts());
    ours.pay(0, 1, 10_000);
    ours.pay(1, 5, 10_000);
    ldk.pay(0, 1, 10_000);
    ldk.pay(1, 5, 10_000);
    let ours_after = ours.counts();
    let ldk_after = ldk.counts();
    assert!(ours_after.monitor_updates > ours_before.monitor_updates + 4);
    assert!(ours_after.monitor_update_bytes > ours_before.monitor_update_bytes);
    assert!(ours_after.signer.signatures_made > ours_before.signer.signatures_made);
    assert!(ldk_after.monitor_updates > ldk_before.monitor_updates + 4);
    assert!(ldk_after.monitor_update_bytes > ldk_before.monitor_update_bytes);
    assert!(ldk_after.signatures_made > ldk_before.signatures_made);
}

#[test]
fn full_stack_pairs_settle_and_write_fsyncd_files() {
    let mut ours = bench::ours::OursPair::new_full_stack(483);
    let mut ldk = bench::ldk_pair::LdkPair::new_full_stack(483);
    let (ours_before, ldk_before) = (ours.written(), ldk.written());
    // Opening the channel already stored each side's monitors.
    assert!(ours_before.1 >= 2 && ldk_before.1 >= 2);
    ours.pay(0, 1, 10_000);
    ours.pay(1, 1, 10_000);
    ldk.pay(0, 1, 10_000);
    ldk.pay(1, 1, 10_000);
    let (ours_after, ldk_after) = (ours.written(), ldk.written());
    // Every commitment dance stores updates on both nodes.
    assert!(
        ours_after.1 >= ours_before.1 + 8,
        "{ours_before:?} {ours_after:?}"
    );
    assert!(
        ldk_after.1 >= ldk_before.1 + 8,
        "{ldk_before:?} {ldk_after:?}"
    );
    assert!(ours_after.0 > ours_before.0 && ldk_after.0 > ldk_before.0);
}

#[test]
fn the_synthetic_graph_is_deterministic_and_scale_free() {
    use bench::graph_gen::Graph;
    let a = Graph::generate(7, 1_000, 4_000);
    let b = Graph::generate(7, 1_000, 4_000);
    assert_eq!(a.keys, b.keys);
    assert_eq!(a.channels, b.channels);
    assert_eq!(a.queries(1, 20), b.queries(1, 20));
    assert_eq!(a.channels.len(), 4_000);
    let (max_degree, _) = a.degree_spread();
    // The mean degree is 8; preferential attachment makes hubs far above it.
    assert!(max_degree > 50, "max degree {max_degree}");
    for channel in &a.channels {
        assert!(channel.node_one < channel.node_two);
        assert!((20_000..=50_000_000).contains(&channel.capacity_sat));
        for policy in &channel.policies {
            assert!(policy.base_msat <= 5_000 && (1..=5_000).contains(&policy.ppm));
            assert!((18..=144).contains(&policy.cltv_expiry_delta));
        }
    }
    let c = Graph::generate(8, 1_000, 4_000);
    assert_ne!(a.channels, c.channels);
}

#[test]
fn both_routers_find_routes_on_the_synthetic_graph() {
    let report = bench::workloads::routing::run(&tiny());
    let found = report
        .figures
        .iter()
        .find(|f| f.unit == "routes found")
        .expect("a routes-found figure");
    assert!(found.ours[0] > 0.0, "ours found no route");
    assert!(found.theirs[0] > 0.0, "ldk found no route");
}
