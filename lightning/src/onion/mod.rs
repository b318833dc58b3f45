//! BOLT 4 onion routing: build, peel and forward sphinx onions; create, wrap and attribute
//! failure messages.
