internal import CZeroMQ

/// The events a poll item waits for or reports.
public struct PollEvents: OptionSet, Sendable, Hashable {
    /// The libzmq `ZMQ_POLL*` bits.
    public let rawValue: Int16

    /// Creates a set from libzmq `ZMQ_POLL*` bits.
    /// - Parameter rawValue: The bits.
    public init(rawValue: Int16) {
        self.rawValue = rawValue
    }

    /// A message (socket) or data/EOF (file descriptor) can be read without blocking (`ZMQ_POLLIN`).
    public static let readable = PollEvents(rawValue: Int16(ZMQ_POLLIN))
    /// A message or data can be written without blocking (`ZMQ_POLLOUT`).
    public static let writable = PollEvents(rawValue: Int16(ZMQ_POLLOUT))
    /// An error or hang-up on a file descriptor (`ZMQ_POLLERR`); always reported, never needs requesting.
    public static let error = PollEvents(rawValue: Int16(ZMQ_POLLERR))
}

/// Something `zmq_poll` can wait on: a ZeroMQ socket or a plain file descriptor (for example a ``WakePipe``).
///
/// An item refers to the socket without owning it: poll it only while the socket is open.
public struct PollItem {
    /// The socket handle, or nil for a file descriptor.
    let socketHandle: UnsafeMutableRawPointer?
    /// The file descriptor (ignored for sockets).
    let fileDescriptor: Int32
    /// The events this item waits for.
    public let events: PollEvents

    /// An item for a ZeroMQ socket.
    /// - Parameters:
    ///   - socket: The socket; it must stay open while the item is polled.
    ///   - events: The events to wait for.
    /// - Returns: The poll item.
    public static func socket(_ socket: borrowing ZMQSocket, events: PollEvents = .readable) -> PollItem {
        PollItem(socketHandle: socket.handle, fileDescriptor: -1, events: events)
    }

    /// An item for a plain file descriptor (pipe, eventfd, TCP socket).
    /// - Parameters:
    ///   - fileDescriptor: The descriptor; it must stay open while the item is polled.
    ///   - events: The events to wait for.
    /// - Returns: The poll item.
    public static func fileDescriptor(_ fileDescriptor: Int32, events: PollEvents = .readable) -> PollItem {
        PollItem(socketHandle: nil, fileDescriptor: fileDescriptor, events: events)
    }
}

/// `zmq_poll` over sockets and file descriptors, with `EINTR` retried against the original deadline.
///
/// Polling blocks the calling thread: call it from a transport thread, never from a Swift concurrency task.
public enum ZMQPoller {
    /// Waits until at least one item is ready or the timeout passes.
    /// - Parameters:
    ///   - items: The items, at least one.
    ///   - timeoutMs: The longest wait in milliseconds; 0 checks and returns, a negative value waits forever.
    /// - Returns: One flag per item, true when a requested event (or an error/hang-up) is ready.
    /// - Throws: ``ZMQError``: `ETERM` if a socket's context was shut down, `EINVAL` for no items.
    public static func poll(_ items: [PollItem], timeoutMs: Int) throws -> [Bool] {
        let ready = try pollEvents(items, timeoutMs: timeoutMs)
        return zip(items, ready).map { item, events in !events.intersection(item.events.union(.error)).isEmpty }
    }

    /// Waits like ``poll(_:timeoutMs:)`` and reports exactly which events each item has.
    /// - Parameters:
    ///   - items: The items, at least one.
    ///   - timeoutMs: The longest wait in milliseconds; 0 checks and returns, a negative value waits forever.
    /// - Returns: The returned events per item (empty when not ready).
    /// - Throws: ``ZMQError``: `ETERM` if a socket's context was shut down, `EINVAL` for no items.
    public static func pollEvents(_ items: [PollItem], timeoutMs: Int) throws -> [PollEvents] {
        guard !items.isEmpty, let count = Int32(exactly: items.count) else {
            throw ZMQError(code: ZMQErrorCode.invalidArgument, operation: "zmq_poll: \(items.count) items")
        }
        var raw = items.map {
            zmq_pollitem_t(socket: $0.socketHandle, fd: $0.fileDescriptor, events: $0.events.rawValue, revents: 0)
        }
        let clock = ContinuousClock()
        let deadline = timeoutMs >= 0 ? clock.now.advanced(by: .milliseconds(timeoutMs)) : nil
        var waitMs = timeoutMs >= 0 ? timeoutMs : -1
        while true {
            let rc = raw.withUnsafeMutableBufferPointer { zmq_poll($0.baseAddress, count, waitMs) }
            if rc >= 0 { break }
            let error = ZMQError.last("zmq_poll")
            guard error.isInterrupted else { throw error }
            // A signal interrupted the wait: go again with whatever time is left.
            for index in raw.indices { raw[index].revents = 0 }
            if let deadline {
                waitMs = Self.millisecondsUntil(deadline, clock: clock)
            }
        }
        return raw.map { PollEvents(rawValue: $0.revents) }
    }

    /// Whole milliseconds (rounded up, at least 0) from now until `deadline`.
    static func millisecondsUntil(_ deadline: ContinuousClock.Instant, clock: ContinuousClock) -> Int {
        let left = clock.now.duration(to: deadline)
        guard left > .zero else { return 0 }
        let (seconds, attoseconds) = left.components
        let partialMs = (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int(seconds) * 1_000 + Int(partialMs)
    }
}
