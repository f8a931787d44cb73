internal import CZeroMQ

/// The ZeroMQ socket patterns this wrapper supports (the non-draft set of libzmq 4.3).
public enum SocketType: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Addressed, asynchronous request-reply server side (`ZMQ_ROUTER`); frame 0 is the peer's routing id.
    case router
    /// Asynchronous request-reply client side (`ZMQ_DEALER`); round-robins to connected peers.
    case dealer
    /// Strict reply socket (`ZMQ_REP`): receive, then send.
    case rep
    /// Strict request socket (`ZMQ_REQ`): send, then receive.
    case req
    /// Exclusive pair (`ZMQ_PAIR`), mostly for `inproc://`.
    case pair
    /// Publisher (`ZMQ_PUB`).
    case pub
    /// Subscriber (`ZMQ_SUB`); subscribe with ``SocketOption/subscribe(_:)``.
    case sub
    /// Pipeline sender (`ZMQ_PUSH`).
    case push
    /// Pipeline receiver (`ZMQ_PULL`).
    case pull

    /// The libzmq constant for this type.
    var rawValue: Int32 {
        switch self {
        case .router: ZMQ_ROUTER
        case .dealer: ZMQ_DEALER
        case .rep: ZMQ_REP
        case .req: ZMQ_REQ
        case .pair: ZMQ_PAIR
        case .pub: ZMQ_PUB
        case .sub: ZMQ_SUB
        case .push: ZMQ_PUSH
        case .pull: ZMQ_PULL
        }
    }

    /// The upper-case pattern name, as in the ZMTP greeting (`"ROUTER"`).
    public var description: String {
        switch self {
        case .router: "ROUTER"
        case .dealer: "DEALER"
        case .rep: "REP"
        case .req: "REQ"
        case .pair: "PAIR"
        case .pub: "PUB"
        case .sub: "SUB"
        case .push: "PUSH"
        case .pull: "PULL"
        }
    }
}
