//! Channel lifecycle through the manager: manual acceptance, disconnects before funding,
//! fee updates, explicit routes, unknown channels, and the `PeerMessageHandler` view.

mod manager_support;

use lightning::manager::{
    ClosureReason, CommandError, Event, ManagerConfig, MessageError, PaymentId,
    RecipientOnionFields, SendError,
};
use lightning::peer::PeerMessageHandler;
use lightning::routing::{Path, Route, RouteHop};
use lightning::wire::{ChannelId, ErrorMessage, Message, UpdateFee};
use manager_support::*;

#[test]
fn manual_acceptance_waits_for_the_user() {
    let config = ManagerConfig {
        manually_accept_inbound_channels: true,
        ..Default::default()
    };
    let mut nodes = [node(1), node_with(2, config)];
    connect(&mut nodes);
    let (a, b) = (nodes[0].id, nodes[1].id);
    let temporary = nodes[0]
        .manager
        .open_channel(b, FUNDING_SATS, 1_000, 7, None)
        .unwrap();
    deliver(&mut nodes);
    assert!(events(&mut nodes[0]).is_empty(), "no accept_channel yet");
    assert_eq!(
        events(&mut nodes[1]),
        vec![Event::OpenChannelRequest {
            temporary_channel_id: temporary,
            counterparty_node_id: a,
            funding_satoshis: FUNDING_SATS,
            push_msat: 1_000,
        }]
    );
    assert_eq!(
        nodes[1]
            .manager
            .accept_inbound_channel(ChannelId([0xee; 32]), a, 9),
        Err(CommandError::UnknownChannel)
    );
    nodes[1]
        .manager
        .accept_inbound_channel(temporary, a, 9)
        .unwrap();
    deliver(&mut nodes);
    assert!(matches!(
        events(&mut nodes[0]).as_slice(),
        [Event::FundingGenerationReady { .. }]
    ));
    let details = nodes[1].manager.list_channels();
    assert_eq!(details[0].user_channel_id, 9);
    assert!(!details[0].is_outbound);
}

#[test]
fn disconnect_before_funding_forgets_the_channel() {
    let mut nodes = [node(1), node(2)];
    connect(&mut nodes);
    let (a, b) = (nodes[0].id, nodes[1].id);
    let temporary = nodes[0]
        .manager
        .open_channel(b, FUNDING_SATS, 0, 5, None)
        .unwrap();
    deliver(&mut nodes);
    events(&mut nodes[0]);
    nodes[0].manager.peer_disconnected(b);
    nodes[1].manager.peer_disconnected(a);
    assert_eq!(
        events(&mut nodes[0]),
        vec![Event::ChannelClosed {
            channel_id: temporary,
            user_channel_id: 5,
            counterparty_node_id: b,
            reason: ClosureReason::DisconnectedBeforeFunding,
        }]
    );
    assert!(nodes[0].manager.list_channels().is_empty());
    assert!(nodes[1].manager.list_channels().is_empty());
    assert_eq!(
        nodes[0].manager.open_channel(b, FUNDING_SATS, 0, 6, None),
        Err(CommandError::PeerNotConnected)
    );
}

#[test]
fn fee_update_is_applied_and_payments_continue() {
    let (mut nodes, _chain, _) = setup();
    nodes[0].manager.update_fee(2_500);
    let sent = std::iter::from_fn(|| nodes[0].manager.poll_message()).collect::<Vec<_>>();
    assert!(
        sent.iter().any(|(_, m)| matches!(
            m,
            Message::UpdateFee(UpdateFee {
                feerate_per_kw: 2_500,
                ..
            })
        )),
        "{sent:?}"
    );
    let b = nodes[0].id;
    for (_, message) in sent {
        nodes[1].manager.handle_message(b, message).unwrap();
    }
    deliver(&mut nodes);
    // The fundee never sends update_fee.
    nodes[1].manager.update_fee(5_000);
    assert!(nodes[1].manager.poll_message().is_none());
    pay(&mut nodes, 0, 30_000_000, PaymentId([1; 32]));
    let a = &nodes[0].manager.list_channels()[0];
    assert_eq!(a.balance_msat, FUNDING_SATS * 1000 - 30_000_000);
    assert!(a.is_usable, "no close after the fee update");
}

#[test]
fn explicit_route_and_its_errors() {
    let (mut nodes, _chain, _) = setup();
    let b = nodes[1].id;
    let scid = nodes[0].manager.list_channels()[0]
        .short_channel_id
        .unwrap();
    let (hash, secret) = nodes[1].manager.create_inbound_payment(None, 3600, START);
    let route = Route::single(Path {
        hops: vec![RouteHop {
            node_id: b,
            short_channel_id: scid,
            fee_msat: 12_345,
            cltv_expiry_delta: 40,
        }],
    });
    assert_eq!(
        nodes[0].manager.send_payment(
            &Route { paths: vec![] },
            hash,
            RecipientOnionFields::secret_only(secret),
            PaymentId([1; 32])
        ),
        Err(SendError::UnsupportedRoute)
    );
    let stranger = node(9).id;
    let mut to_stranger = route.clone();
    to_stranger.paths[0].hops[0].node_id = stranger;
    assert_eq!(
        nodes[0].manager.send_payment(
            &to_stranger,
            hash,
            RecipientOnionFields::secret_only(secret),
            PaymentId([1; 32])
        ),
        Err(SendError::NoChannel)
    );
    nodes[0]
        .manager
        .send_payment(
            &route,
            hash,
            RecipientOnionFields::secret_only(secret),
            PaymentId([1; 32]),
        )
        .unwrap();
    deliver(&mut nodes);
    let claimable = events(&mut nodes[1]);
    let [Event::PaymentClaimable {
        amount_msat: 12_345,
        payment_preimage: Some(preimage),
        ..
    }] = claimable.as_slice()
    else {
        panic!("{claimable:?}");
    };
    nodes[1].manager.claim_funds(*preimage).unwrap();
    deliver(&mut nodes);
    assert!(matches!(
        events(&mut nodes[0]).as_slice(),
        [Event::PaymentSent { .. }]
    ));
    assert!(
        nodes[1].manager.claim_funds(*preimage).is_err(),
        "claimed once"
    );
}

#[test]
fn unknown_channel_and_unconnected_peer_are_reported() {
    let (mut nodes, _chain, channel_id) = setup();
    let a = nodes[0].id;
    let unknown = ChannelId([0x11; 32]);
    let fee = Message::UpdateFee(UpdateFee {
        channel_id: unknown,
        feerate_per_kw: 1_000,
    });
    assert_eq!(
        nodes[1].manager.handle_message(a, fee),
        Err(MessageError::UnknownChannel(unknown))
    );
    let stranger = node(9).id;
    let error = Message::Error(ErrorMessage {
        channel_id,
        data: b"bye".to_vec(),
    });
    assert_eq!(
        nodes[1].manager.handle_message(stranger, error.clone()),
        Err(MessageError::PeerNotConnected)
    );
    // An error naming our channel, from the right peer, closes it.
    nodes[1].manager.handle_message(a, error).unwrap();
    let closed = events(&mut nodes[1]);
    assert!(
        matches!(closed.as_slice(), [Event::ChannelClosed { reason: ClosureReason::CounterpartyForceClosed { peer_message }, .. }] if peer_message == "bye"),
        "{closed:?}"
    );
}

#[test]
fn peer_message_handler_view() {
    let mut nodes = [node(1), node(2)];
    let b = nodes[1].id;
    let features = PeerMessageHandler::provided_init_features(&nodes[0].manager);
    let init = lightning::wire::Init {
        features,
        ..Default::default()
    };
    let handler: &mut dyn PeerMessageHandler = &mut nodes[0].manager;
    handler.peer_connected(b, &init, false).unwrap();
    nodes[0]
        .manager
        .open_channel(b, FUNDING_SATS, 0, 1, None)
        .unwrap();
    let handler: &mut dyn PeerMessageHandler = &mut nodes[0].manager;
    let (to, message) = handler.poll_message().expect("open_channel");
    assert_eq!(to, b);
    assert!(matches!(message, Message::OpenChannel(_)));
}
