internal import CZeroMQ

/// A socket option with a typed value; pass it to ``ZMQSocket/set(_:)``.
///
/// Durations are in milliseconds (the `Ms` suffix); `-1` means "infinite" where libzmq allows it.
/// Set options before `bind`/`connect`: most of them only affect connections made afterwards.
public enum SocketOption: Sendable, Hashable {
    /// How long unsent messages linger after close (`ZMQ_LINGER`); 0 drops them at once, -1 waits forever.
    case lingerMs(Int)
    /// The send high-water mark in messages per peer (`ZMQ_SNDHWM`, default 1000; 0 = no limit).
    case sendHighWaterMark(Int)
    /// The receive high-water mark in messages per peer (`ZMQ_RCVHWM`, default 1000; 0 = no limit).
    case receiveHighWaterMark(Int)
    /// The routing id this socket presents to a ROUTER peer (`ZMQ_ROUTING_ID`, 1...255 bytes, not starting with 0).
    case routingID([UInt8])
    /// Make a ROUTER fail with `EHOSTUNREACH` instead of dropping messages to unknown peers (`ZMQ_ROUTER_MANDATORY`).
    case routerMandatory(Bool)
    /// Let a new connection with a duplicate routing id take over the old one (`ZMQ_ROUTER_HANDOVER`).
    case routerHandover(Bool)
    /// Disconnect any peer that sends a message larger than this many bytes (`ZMQ_MAXMSGSIZE`; -1 = no limit).
    case maxMessageSizeBytes(Int64)
    /// The time allowed for the ZMTP handshake, including ZAP (`ZMQ_HANDSHAKE_IVL`, default 30 000; 0 = none).
    case handshakeIntervalMs(Int)
    /// Send a ZMTP PING every so often (`ZMQ_HEARTBEAT_IVL`; 0 = off).
    case heartbeatIntervalMs(Int)
    /// Close the connection if no traffic arrives this long after a PING (`ZMQ_HEARTBEAT_TIMEOUT`).
    case heartbeatTimeoutMs(Int)
    /// Ask the peer to time this connection out after this long without traffic (`ZMQ_HEARTBEAT_TTL`).
    case heartbeatTTLMs(Int)
    /// The first reconnect delay (`ZMQ_RECONNECT_IVL`, default 100; -1 = never reconnect).
    case reconnectIntervalMs(Int)
    /// The upper bound of the exponential reconnect back-off (`ZMQ_RECONNECT_IVL_MAX`; 0 = no back-off).
    case reconnectIntervalMaxMs(Int)
    /// Act as a CURVE server (`ZMQ_CURVE_SERVER`); also set ``curveSecretKey(_:)``.
    case curveServer(Bool)
    /// This socket's long-term CURVE public key as 40 Z85 characters (`ZMQ_CURVE_PUBLICKEY`).
    case curvePublicKey(String)
    /// This socket's long-term CURVE secret key as 40 Z85 characters (`ZMQ_CURVE_SECRETKEY`).
    case curveSecretKey(String)
    /// The server's CURVE public key as 40 Z85 characters, on a client (`ZMQ_CURVE_SERVERKEY`).
    case curveServerKey(String)
    /// The ZAP domain passed to the authenticator for connections to this socket (`ZMQ_ZAP_DOMAIN`).
    case zapDomain(String)
    /// Queue messages only to completed connections (`ZMQ_IMMEDIATE`).
    case immediate(Bool)
    /// Fail a blocking receive with `EAGAIN` after this long (`ZMQ_RCVTIMEO`; -1 = wait forever).
    case receiveTimeoutMs(Int)
    /// Fail a blocking send with `EAGAIN` after this long (`ZMQ_SNDTIMEO`; -1 = wait forever).
    case sendTimeoutMs(Int)
    /// Subscribe a SUB socket to messages starting with these bytes (`ZMQ_SUBSCRIBE`; empty = everything).
    case subscribe([UInt8])
    /// Remove a subscription made with ``subscribe(_:)`` (`ZMQ_UNSUBSCRIBE`).
    case unsubscribe([UInt8])
    /// Allow IPv6 on tcp:// endpoints (`ZMQ_IPV6`).
    case ipv6(Bool)

    /// How the value is passed to `zmq_setsockopt`.
    enum Payload {
        case int32(Int)
        case int64(Int64)
        case bytes([UInt8])
        case z85Key(String)
    }

    /// The libzmq option name and its encoded value.
    var encoded: (name: Int32, label: String, payload: Payload) {
        switch self {
        case .lingerMs(let value): (ZMQ_LINGER, "ZMQ_LINGER", .int32(value))
        case .sendHighWaterMark(let value): (ZMQ_SNDHWM, "ZMQ_SNDHWM", .int32(value))
        case .receiveHighWaterMark(let value): (ZMQ_RCVHWM, "ZMQ_RCVHWM", .int32(value))
        case .routingID(let value): (ZMQ_ROUTING_ID, "ZMQ_ROUTING_ID", .bytes(value))
        case .routerMandatory(let value): (ZMQ_ROUTER_MANDATORY, "ZMQ_ROUTER_MANDATORY", .int32(value ? 1 : 0))
        case .routerHandover(let value): (ZMQ_ROUTER_HANDOVER, "ZMQ_ROUTER_HANDOVER", .int32(value ? 1 : 0))
        case .maxMessageSizeBytes(let value): (ZMQ_MAXMSGSIZE, "ZMQ_MAXMSGSIZE", .int64(value))
        case .handshakeIntervalMs(let value): (ZMQ_HANDSHAKE_IVL, "ZMQ_HANDSHAKE_IVL", .int32(value))
        case .heartbeatIntervalMs(let value): (ZMQ_HEARTBEAT_IVL, "ZMQ_HEARTBEAT_IVL", .int32(value))
        case .heartbeatTimeoutMs(let value): (ZMQ_HEARTBEAT_TIMEOUT, "ZMQ_HEARTBEAT_TIMEOUT", .int32(value))
        case .heartbeatTTLMs(let value): (ZMQ_HEARTBEAT_TTL, "ZMQ_HEARTBEAT_TTL", .int32(value))
        case .reconnectIntervalMs(let value): (ZMQ_RECONNECT_IVL, "ZMQ_RECONNECT_IVL", .int32(value))
        case .reconnectIntervalMaxMs(let value): (ZMQ_RECONNECT_IVL_MAX, "ZMQ_RECONNECT_IVL_MAX", .int32(value))
        case .curveServer(let value): (ZMQ_CURVE_SERVER, "ZMQ_CURVE_SERVER", .int32(value ? 1 : 0))
        case .curvePublicKey(let value): (ZMQ_CURVE_PUBLICKEY, "ZMQ_CURVE_PUBLICKEY", .z85Key(value))
        case .curveSecretKey(let value): (ZMQ_CURVE_SECRETKEY, "ZMQ_CURVE_SECRETKEY", .z85Key(value))
        case .curveServerKey(let value): (ZMQ_CURVE_SERVERKEY, "ZMQ_CURVE_SERVERKEY", .z85Key(value))
        case .zapDomain(let value): (ZMQ_ZAP_DOMAIN, "ZMQ_ZAP_DOMAIN", .bytes(Array(value.utf8)))
        case .immediate(let value): (ZMQ_IMMEDIATE, "ZMQ_IMMEDIATE", .int32(value ? 1 : 0))
        case .receiveTimeoutMs(let value): (ZMQ_RCVTIMEO, "ZMQ_RCVTIMEO", .int32(value))
        case .sendTimeoutMs(let value): (ZMQ_SNDTIMEO, "ZMQ_SNDTIMEO", .int32(value))
        case .subscribe(let value): (ZMQ_SUBSCRIBE, "ZMQ_SUBSCRIBE", .bytes(value))
        case .unsubscribe(let value): (ZMQ_UNSUBSCRIBE, "ZMQ_UNSUBSCRIBE", .bytes(value))
        case .ipv6(let value): (ZMQ_IPV6, "ZMQ_IPV6", .int32(value ? 1 : 0))
        }
    }
}
