//! The in-process network simulator: nodes, a simulated chain and controllable message delivery.
