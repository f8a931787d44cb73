internal import CZeroMQ

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// A ZeroMQ socket: created, used and closed on one thread (libzmq sockets are not thread safe).
///
/// The socket is `~Copyable`, so it has exactly one owner and is closed deterministically when that owner
/// lets it go (or calls ``close()``). The usual shape is a transport thread that creates its sockets at the
/// top of its run loop and lets them close when the loop returns. The socket keeps its ``ZMQContext`` alive.
///
/// The socket is created with `ZMQ_LINGER` = 0 (by default), so closing it never blocks on unsent messages.
public struct ZMQSocket: ~Copyable {
    /// The default limit on frames per received message (see ``receive(dontWait:maxFrames:)``).
    public static let defaultMaxFrames = 1_024

    /// The raw `void *` returned by `zmq_socket`; valid until deinit.
    let handle: UnsafeMutableRawPointer
    /// Keeps the context alive (and `zmq_ctx_term` from blocking forever) while the socket is open.
    let context: ZMQContext
    /// The socket's pattern.
    public let type: SocketType

    /// Creates a socket in `context`.
    /// - Parameters:
    ///   - context: The context that owns the socket's I/O.
    ///   - type: The socket pattern.
    ///   - lingerMs: `ZMQ_LINGER` in milliseconds; the default 0 drops unsent messages on close.
    /// - Throws: ``ZMQError`` if the context is terminated, the socket limit is reached, or linger is invalid.
    public init(_ context: ZMQContext, type: SocketType, lingerMs: Int = 0) throws {
        guard let handle = zmq_socket(context.handle, type.rawValue) else {
            throw ZMQError.last("zmq_socket(\(type))")
        }
        // Configure the raw handle before initialising `self`: a ~Copyable init must not throw afterwards.
        do {
            try Self.setOption(handle, .lingerMs(lingerMs))
        } catch {
            zmq_close(handle)
            throw error
        }
        self.handle = handle
        self.context = context
        self.type = type
    }

    deinit {
        zmq_close(handle)
    }

    /// Closes the socket now instead of at the end of the owner's scope.
    public consuming func close() {
        // Consuming `self` ends its lifetime here, which runs deinit (zmq_close).
    }

    // MARK: - Endpoints

    /// Binds to a local endpoint such as `tcp://127.0.0.1:*` (ephemeral port) or `inproc://name`.
    /// - Parameter endpoint: The endpoint; read the resolved one with ``lastEndpoint()``.
    /// - Throws: ``ZMQError`` (`EADDRINUSE`, `EINVAL`, `ETERM`, ...).
    public func bind(_ endpoint: String) throws {
        let rc = endpoint.withCString { zmq_bind(handle, $0) }
        guard rc == 0 else { throw ZMQError.last("zmq_bind(\(endpoint))") }
    }

    /// Connects to a remote endpoint; libzmq connects (and reconnects) in the background.
    /// - Parameter endpoint: The endpoint, for example `tcp://10.0.0.5:5555`.
    /// - Throws: ``ZMQError`` for a malformed endpoint or a terminated context.
    public func connect(_ endpoint: String) throws {
        let rc = endpoint.withCString { zmq_connect(handle, $0) }
        guard rc == 0 else { throw ZMQError.last("zmq_connect(\(endpoint))") }
    }

    /// Stops listening on an endpoint passed to ``bind(_:)`` (use the resolved endpoint for wildcards).
    /// - Parameter endpoint: The bound endpoint.
    /// - Throws: ``ZMQError`` (`ENOENT` if it was not bound).
    public func unbind(_ endpoint: String) throws {
        let rc = endpoint.withCString { zmq_unbind(handle, $0) }
        guard rc == 0 else { throw ZMQError.last("zmq_unbind(\(endpoint))") }
    }

    /// Drops the connection to an endpoint passed to ``connect(_:)``.
    /// - Parameter endpoint: The connected endpoint.
    /// - Throws: ``ZMQError`` (`ENOENT` if it was not connected).
    public func disconnect(_ endpoint: String) throws {
        let rc = endpoint.withCString { zmq_disconnect(handle, $0) }
        guard rc == 0 else { throw ZMQError.last("zmq_disconnect(\(endpoint))") }
    }

    /// The endpoint most recently bound or connected, resolved (`ZMQ_LAST_ENDPOINT`), e.g. `tcp://127.0.0.1:40123`.
    /// - Returns: The endpoint, or an empty string if there is none.
    /// - Throws: ``ZMQError`` if libzmq rejects the query.
    public func lastEndpoint() throws -> String {
        var buffer = [CChar](repeating: 0, count: 1_024)
        var size = buffer.count
        let rc = buffer.withUnsafeMutableBytes { zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, $0.baseAddress, &size) }
        guard rc == 0 else { throw ZMQError.last("zmq_getsockopt(ZMQ_LAST_ENDPOINT)") }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    // MARK: - Options

    /// Sets one or more socket options, in order.
    /// - Parameter options: The options, for example `.lingerMs(0), .routerMandatory(true)`.
    /// - Throws: ``ZMQError`` naming the first option libzmq (or the wrapper's range checks) rejected.
    public func set(_ options: SocketOption...) throws {
        for option in options {
            try Self.setOption(handle, option)
        }
    }

    /// Sets an array of socket options, in order.
    /// - Parameter options: The options.
    /// - Throws: ``ZMQError`` naming the first option rejected.
    public func set(_ options: [SocketOption]) throws {
        for option in options {
            try Self.setOption(handle, option)
        }
    }

    /// The events the socket can do right now without blocking (`ZMQ_EVENTS`).
    /// - Returns: `.readable` if a message is queued, `.writable` if a send would not block.
    /// - Throws: ``ZMQError`` (`ETERM` after shutdown).
    public func pendingEvents() throws -> PollEvents {
        var value: Int32 = 0
        var size = MemoryLayout<Int32>.size
        guard zmq_getsockopt(handle, ZMQ_EVENTS, &value, &size) == 0 else {
            throw ZMQError.last("zmq_getsockopt(ZMQ_EVENTS)")
        }
        return PollEvents(rawValue: Int16(truncatingIfNeeded: value))
    }

    /// Applies one option to a raw socket handle.
    static func setOption(_ handle: UnsafeMutableRawPointer, _ option: SocketOption) throws {
        let (name, label, payload) = option.encoded
        let operation = "zmq_setsockopt(\(label))"
        let rc: Int32
        switch payload {
        case .int32(let value):
            guard var int32 = Int32(exactly: value) else {
                throw ZMQError(code: ZMQErrorCode.invalidArgument, operation: "\(operation): \(value) out of range")
            }
            rc = zmq_setsockopt(handle, name, &int32, MemoryLayout<Int32>.size)
        case .int64(let value):
            var int64 = value
            rc = zmq_setsockopt(handle, name, &int64, MemoryLayout<Int64>.size)
        case .bytes(let bytes):
            rc = bytes.withUnsafeBytes { zmq_setsockopt(handle, name, $0.baseAddress, $0.count) }
        case .z85Key(let key):
            // libzmq reads exactly 41 bytes (40 Z85 characters + NUL), so check the text before handing it over.
            guard Z85.isValid(key, characterCount: Z85.keyCharacterCount) else {
                throw ZMQError(
                    code: ZMQErrorCode.invalidArgument,
                    operation: "\(operation): not a \(Z85.keyCharacterCount)-character Z85 key"
                )
            }
            rc = key.withCString { zmq_setsockopt(handle, name, $0, Z85.keyCharacterCount + 1) }
        }
        guard rc == 0 else { throw ZMQError.last(operation) }
    }

    // MARK: - Messages

    /// Sends one multipart message (libzmq copies the bytes; empty frames are allowed).
    ///
    /// A message is delivered atomically: all frames or none. With `dontWait`, a full queue (high-water mark)
    /// makes the first frame fail with `EAGAIN` and nothing is sent.
    /// - Parameters:
    ///   - frames: The frames, at least one; for a ROUTER, frame 0 is the destination routing id.
    ///   - dontWait: Fail with `EAGAIN` instead of blocking.
    /// - Throws: ``ZMQError``: `EAGAIN` (would block or `sendTimeoutMs` expired), `EHOSTUNREACH` (ROUTER with
    ///   `routerMandatory` and no such peer), `ETERM`, or `EINVAL` for an empty frame list.
    public func send(_ frames: [[UInt8]], dontWait: Bool = false) throws {
        guard !frames.isEmpty else {
            throw ZMQError(code: ZMQErrorCode.invalidArgument, operation: "zmq_send: a message needs at least one frame")
        }
        let lastIndex = frames.count - 1
        for index in frames.indices {
            var flags: Int32 = index < lastIndex ? ZMQ_SNDMORE : 0
            if dontWait { flags |= ZMQ_DONTWAIT }
            while true {
                let rc = frames[index].withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, flags) }
                if rc >= 0 { break }
                let error = ZMQError.last("zmq_send(frame \(index) of \(frames.count))")
                if error.isInterrupted { continue }
                throw error
            }
        }
    }

    /// Receives one multipart message.
    ///
    /// The ``ZMQMessage/userID`` is the connection's ZAP user id (metadata property `User-Id`), read from the
    /// first frame that carries metadata: a ROUTER's routing-id frame is made locally and has none.
    /// - Parameters:
    ///   - dontWait: Return `nil` at once if no message is queued.
    ///   - maxFrames: The most frames accepted; a longer message is received in full, dropped, and reported by
    ///     throwing `EMSGSIZE` (the socket stays usable). Byte size is bounded by ``SocketOption/maxMessageSizeBytes(_:)``.
    /// - Returns: The message, or `nil` if `dontWait` was set and nothing was queued, or `receiveTimeoutMs` expired.
    /// - Throws: ``ZMQError``: `ETERM` after context shutdown, `EMSGSIZE` for too many frames, others from libzmq.
    public func receive(dontWait: Bool = false, maxFrames: Int = ZMQSocket.defaultMaxFrames) throws -> ZMQMessage? {
        switch try receiveBounded(dontWait: dontWait, maxFrames: maxFrames) {
        case nil:
            return nil
        case let .message(message)?:
            return message
        case let .tooManyFrames(frameCount, _)?:
            throw ZMQError(
                code: ZMQErrorCode.messageTooLarge,
                operation: "zmq_msg_recv: dropped a \(frameCount)-frame message (maxFrames \(max(1, maxFrames)))"
            )
        }
    }

    /// Receives one multipart message, reporting a message over the frame limit as a value instead of an error.
    ///
    /// A message with more than `maxFrames` frames is received in full (every part is drained, so the next
    /// receive starts at a message boundary), its frames are freed as they arrive, and only its frame count and
    /// the first bytes of its first frame (for a ROUTER, the sender's routing id) are kept, so the caller can
    /// count the drop against the sender. Nothing about such a message can make this call fail.
    /// - Parameters:
    ///   - dontWait: Return `nil` at once if no message is queued.
    ///   - maxFrames: The most frames accepted (at least 1).
    /// - Returns: The message or the drop, or `nil` if `dontWait` was set and nothing was queued.
    /// - Throws: ``ZMQError`` from libzmq only (`ETERM` after context shutdown, ...).
    public func receiveBounded(dontWait: Bool = false, maxFrames: Int = ZMQSocket.defaultMaxFrames) throws -> ZMQReceived? {
        let frameLimit = max(1, maxFrames)
        // zmq_msg_t must not move while libzmq holds it: keep it at one heap address for the whole message.
        let part = UnsafeMutablePointer<zmq_msg_t>.allocate(capacity: 1)
        defer { part.deallocate() }
        var frames: [[UInt8]] = []
        var firstFrame: [UInt8] = []
        var frameCount = 0
        var userID: String?
        while true {
            zmq_msg_init(part)
            let flags: Int32 = (dontWait && frameCount == 0) ? ZMQ_DONTWAIT : 0
            if zmq_msg_recv(part, handle, flags) < 0 {
                let error = ZMQError.last("zmq_msg_recv")
                zmq_msg_close(part)
                if error.isInterrupted { continue }
                if error.isAgain && frameCount == 0 { return nil }
                throw error
            }
            frameCount += 1
            if userID == nil, let value = zmq_msg_gets(part, "User-Id") {
                userID = String(cString: value)
            }
            if frameCount <= frameLimit {
                let size = zmq_msg_size(part)
                if size == 0 {
                    frames.append([])
                } else {
                    frames.append(Array(UnsafeRawBufferPointer(start: zmq_msg_data(part), count: size)))
                }
            } else if !frames.isEmpty {
                // Over the limit: keep draining the parts, but free what was copied.
                firstFrame = Array(frames[0].prefix(Self.droppedFirstFrameBytes))
                frames = []
            }
            let hasMore = zmq_msg_more(part) != 0  // read before zmq_msg_close
            zmq_msg_close(part)
            if !hasMore { break }
        }
        guard frameCount <= frameLimit else { return .tooManyFrames(frameCount: frameCount, firstFrame: firstFrame) }
        return .message(ZMQMessage(frames: frames, userID: userID))
    }

    /// How much of a dropped message's first frame ``receiveBounded(dontWait:maxFrames:)`` keeps: a ZMQ routing
    /// id is at most 255 bytes (ZMTP 3.1, RFC 37 "identity").
    public static let droppedFirstFrameBytes = 255

    /// Waits until the socket has one of `events`, or the timeout passes.
    /// - Parameters:
    ///   - events: The events to wait for; usually `.readable`.
    ///   - timeoutMs: The longest wait in milliseconds; 0 checks and returns, -1 waits forever.
    /// - Returns: True if an event is ready.
    /// - Throws: ``ZMQError`` (`ETERM` after shutdown).
    public func poll(_ events: PollEvents = .readable, timeoutMs: Int) throws -> Bool {
        let ready = try ZMQPoller.poll([PollItem.socket(self, events: events)], timeoutMs: timeoutMs)
        return ready.first ?? false
    }
}

// MARK: - Monitoring

/// Socket events a monitor reports (`zmq_socket_monitor`; values from libzmq 4.3.4 `include/zmq.h`).
public struct MonitorEvents: OptionSet, Sendable, Hashable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// `ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL`.
    public static let handshakeFailedNoDetail = MonitorEvents(rawValue: 0x0800)
    /// `ZMQ_EVENT_HANDSHAKE_SUCCEEDED`.
    public static let handshakeSucceeded = MonitorEvents(rawValue: 0x1000)
    /// `ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL`.
    public static let handshakeFailedProtocol = MonitorEvents(rawValue: 0x2000)
    /// `ZMQ_EVENT_HANDSHAKE_FAILED_AUTH`: the peer's ZAP handler refused us; the value is the ZAP status (e.g. 400).
    public static let handshakeFailedAuth = MonitorEvents(rawValue: 0x4000)
}

/// One event read from a monitor socket: `[uint16 event, uint32 value]` then the endpoint (RFC: zmq_socket_monitor(3)).
public struct MonitorEvent: Sendable, Hashable {
    public let event: MonitorEvents
    public let value: UInt32
    public let endpoint: String

    /// Decodes a monitor message; nil when it is not one.
    public init?(_ message: ZMQMessage) {
        guard message.frames.count >= 2, message.frames[0].count == 6 else { return nil }
        let head = message.frames[0]
        event = MonitorEvents(rawValue: UInt16(head[0]) | UInt16(head[1]) << 8)
        value = UInt32(head[2]) | UInt32(head[3]) << 8 | UInt32(head[4]) << 16 | UInt32(head[5]) << 24
        endpoint = String(decoding: message.frames[1], as: UTF8.self)
    }
}

extension ZMQSocket {
    /// Publishes this socket's `events` on `endpoint` (`inproc://...`), where a PAIR socket can connect to read them.
    /// - Throws: ``ZMQError`` (`EPROTONOSUPPORT` for a non-inproc endpoint, `ETERM`).
    public func monitor(_ endpoint: String, events: MonitorEvents) throws {
        let rc = endpoint.withCString { zmq_socket_monitor(handle, $0, Int32(events.rawValue)) }
        guard rc == 0 else { throw ZMQError.last("zmq_socket_monitor(\(endpoint))") }
    }
}
