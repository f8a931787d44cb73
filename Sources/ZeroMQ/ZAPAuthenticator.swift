internal import Dispatch
internal import Foundation
internal import Synchronization

/// The outcome of one ZAP request, passed to ``ZAPAuthenticator``'s `onDecision` observer (for logs).
public struct ZAPDecision: Sendable, Hashable {
    /// True if the connection was admitted (status 200).
    public let isAllowed: Bool
    /// The ZAP status code sent back: `"200"`, `"400"` (denied) or `"500"` (malformed request).
    public let statusCode: String
    /// A short human-readable reason.
    public let reason: String
    /// The security mechanism the peer used (`"CURVE"`, `"NULL"`, `"PLAIN"`, ...).
    public let mechanism: String
    /// The ZAP domain of the server socket.
    public let domain: String
    /// The peer's network address, as libzmq reports it (for example `127.0.0.1`).
    public let address: String
    /// The client's CURVE public key in Z85, when the mechanism is CURVE.
    public let publicKey: String?
    /// The user id granted on success.
    public let userID: String?
}

/// A ZAP 1.0 handler (RFC 27) that admits CURVE clients whose public key is on an allow-list.
///
/// It runs on its own thread with a ROUTER bound at `inproc://zeromq.zap.01` in the given context. Call
/// ``start()`` before any CURVE server socket of that context binds: libzmq admits every client key when no
/// ZAP handler exists. Admitted connections get the user id configured for their key (by default the Z85
/// public key itself), which arrives with every message as ``ZMQMessage/userID``. All other requests
/// (unknown keys, other mechanisms, other domains when ``domain`` is set) get status 400.
///
/// With `allowsNullMechanism`, NULL-mechanism connections (no keys) are admitted too, with an empty user id.
/// A server socket that sets a ZAP domain (``SocketOption/zapDomain(_:)``) without CURVE needs this: libzmq
/// then asks the handler about every NULL handshake and, because ZAP is enabled, refuses the legacy
/// ZMTP/1.0 handshake outright (libzmq 4.3.4 `src/zmtp_engine.cpp`, `handshake_v1_0_unversioned`), a code
/// path that raw garbage can otherwise drive into an assertion.
///
/// The allow-list can be replaced at any time from any thread; it applies to new handshakes.
public final class ZAPAuthenticator: Sendable {
    /// The fixed endpoint libzmq sends ZAP requests to.
    public static let endpoint = "inproc://zeromq.zap.01"

    /// The context whose connections this handler authenticates.
    private let context: ZMQContext
    /// State shared with the handler thread.
    private let shared: Shared
    /// The running handler thread's controls, when started.
    private let running = Mutex<RunControl?>(nil)

    /// Creates a stopped authenticator.
    /// - Parameters:
    ///   - context: The context of the CURVE server sockets to protect.
    ///   - allowedPublicKeys: Z85 CURVE public keys (40 characters) to admit.
    ///   - userIDs: Optional user id per Z85 public key; keys not listed get their Z85 key as user id.
    ///   - domain: If set, only requests for this ZAP domain can be admitted (see ``SocketOption/zapDomain(_:)``).
    ///   - allowsNullMechanism: Admit NULL-mechanism (unauthenticated) connections as well, with an empty user id.
    ///   - onDecision: Called on the handler thread after each request; must be quick and must not call ``stop()``.
    public init(
        context: ZMQContext,
        allowedPublicKeys: Set<String> = [],
        userIDs: [String: String] = [:],
        domain: String? = nil,
        allowsNullMechanism: Bool = false,
        onDecision: (@Sendable (ZAPDecision) -> Void)? = nil
    ) {
        self.context = context
        self.shared = Shared(
            policy: Policy(allowedPublicKeys: allowedPublicKeys, userIDs: userIDs),
            domain: domain,
            allowsNullMechanism: allowsNullMechanism,
            onDecision: onDecision
        )
    }

    deinit {
        stop()
    }

    /// The ZAP domain requests must name, or nil to accept any domain.
    public var domain: String? { shared.domain }

    /// The Z85 public keys currently admitted.
    public var allowedPublicKeys: Set<String> { shared.policy.withLock { $0.allowedPublicKeys } }

    /// Replaces the allow-list (thread safe; applies to handshakes that start afterwards).
    /// - Parameters:
    ///   - keys: The Z85 public keys to admit.
    ///   - userIDs: Optional user id per key; keys not listed get their Z85 key as user id.
    public func setAllowedPublicKeys(_ keys: Set<String>, userIDs: [String: String] = [:]) {
        shared.policy.withLock { $0 = Policy(allowedPublicKeys: keys, userIDs: userIDs) }
    }

    /// Adds one key to the allow-list (thread safe).
    /// - Parameters:
    ///   - publicKey: The Z85 public key.
    ///   - userID: The user id to grant, or nil for the key itself.
    public func allow(_ publicKey: String, userID: String? = nil) {
        shared.policy.withLock { policy in
            policy.allowedPublicKeys.insert(publicKey)
            policy.userIDs[publicKey] = userID
        }
    }

    /// Removes one key from the allow-list (thread safe); existing connections stay up.
    /// - Parameter publicKey: The Z85 public key.
    public func revoke(_ publicKey: String) {
        shared.policy.withLock { policy in
            policy.allowedPublicKeys.remove(publicKey)
            policy.userIDs[publicKey] = nil
        }
    }

    /// How many requests were admitted (status 200) since creation.
    public var acceptedCount: Int { shared.accepted.load(ordering: .relaxed) }

    /// How many requests were refused (status 400 or 500) since creation.
    public var deniedCount: Int { shared.denied.load(ordering: .relaxed) }

    /// Whether the handler thread is running (false after ``stop()`` or once the context was shut down).
    public var isRunning: Bool {
        running.withLock { control in
            guard let control else { return false }
            return !control.hasExited.load(ordering: .acquiring)
        }
    }

    /// Starts the handler thread and returns once its socket is bound (or binding failed).
    /// - Throws: ``ZMQError``: `EADDRINUSE` if the context already has a ZAP handler, `EINVAL` if this one is
    ///   already running, `ETERM` if the context is shut down.
    public func start() throws {
        try running.withLock { control in
            guard control == nil else {
                throw ZMQError(code: ZMQErrorCode.invalidArgument, operation: "ZAPAuthenticator.start: already running")
            }
            let newControl = try RunControl()
            let startup = Mutex<ZMQError?>(nil)
            let bound = DispatchSemaphore(value: 0)
            let context = self.context
            let shared = self.shared
            let thread = Thread {
                Self.run(context: context, shared: shared, control: newControl) { error in
                    startup.withLock { $0 = error }
                    bound.signal()
                }
                newControl.hasExited.store(true, ordering: .releasing)
                newControl.finished.signal()
            }
            thread.name = "zap-authenticator"
            thread.start()
            bound.wait()
            if let error = startup.withLock({ $0 }) {
                newControl.finished.wait()
                throw error
            }
            control = newControl
        }
    }

    /// Stops the handler thread and waits for it to close its socket; does nothing if not running.
    ///
    /// Do not call it from the `onDecision` observer, which runs on the handler thread.
    ///
    /// New handshakes in the context then wait for a handler until their `handshakeIntervalMs` passes.
    public func stop() {
        guard let control = running.withLock({ control -> RunControl? in
            defer { control = nil }
            return control
        }) else { return }
        control.isStopping.store(true, ordering: .releasing)
        control.wake.signal()
        control.finished.wait()
    }

    // MARK: - Handler thread

    /// The handler thread's body: bind, report, then answer requests until stopped or the context ends.
    private static func run(
        context: ZMQContext,
        shared: Shared,
        control: RunControl,
        reportBound: (ZMQError?) -> Void
    ) {
        let socket: ZMQSocket
        do {
            socket = try bindHandlerSocket(context)
        } catch {
            reportBound(error)
            return
        }
        reportBound(nil)
        serve(socket, shared: shared, control: control)
        // zmq_close releases an inproc name only later, on libzmq's reaper thread; unbinding releases it now,
        // so another handler can bind as soon as stop() returns. (Fails harmlessly with ETERM after shutdown.)
        try? socket.unbind(endpoint)
    }

    /// Creates the handler's ROUTER and binds it at ``endpoint``.
    private static func bindHandlerSocket(_ context: ZMQContext) throws(ZMQError) -> ZMQSocket {
        do {
            let socket = try ZMQSocket(context, type: .router)
            try socket.bind(endpoint)
            return socket
        } catch let error as ZMQError {
            throw error
        } catch {
            throw ZMQError(code: ZMQErrorCode.invalidArgument, operation: "ZAPAuthenticator: \(error)")
        }
    }

    /// Answers requests until stopped or the context ends; the socket closes when the caller returns.
    private static func serve(_ socket: borrowing ZMQSocket, shared: Shared, control: RunControl) {
        do {
            let items = [PollItem.socket(socket), control.wake.pollItem]
            while !control.isStopping.load(ordering: .acquiring) {
                let ready = try ZMQPoller.poll(items, timeoutMs: 1_000)
                if ready[1] { control.wake.drain() }
                guard ready[0] else { continue }
                while !control.isStopping.load(ordering: .acquiring) {
                    let request: ZMQMessage
                    do {
                        guard let received = try socket.receive(dontWait: true, maxFrames: 64) else { break }
                        request = received
                    } catch let error as ZMQError where error.isMessageTooLarge {
                        continue  // not a ZAP request libzmq would send; dropped
                    }
                    if let reply = shared.answer(request.frames) {
                        do {
                            try socket.send(reply, dontWait: true)
                        } catch let error as ZMQError where !error.isTerminated {
                            continue  // the requesting session is gone; libzmq times the handshake out
                        }
                    }
                }
            }
        } catch {
            // ETERM (context shut down) or a broken poll: the thread ends and the socket closes.
        }
    }

    // MARK: - State

    /// The allow-list and its user ids.
    struct Policy: Sendable {
        var allowedPublicKeys: Set<String>
        var userIDs: [String: String]
    }

    /// Controls for one run of the handler thread.
    final class RunControl: Sendable {
        let wake: WakePipe
        let isStopping = Atomic<Bool>(false)
        let hasExited = Atomic<Bool>(false)
        let finished = DispatchSemaphore(value: 0)

        init() throws {
            wake = try WakePipe()
        }
    }

    /// State read by the handler thread and by callers.
    final class Shared: Sendable {
        let policy: Mutex<Policy>
        let domain: String?
        let allowsNullMechanism: Bool
        let onDecision: (@Sendable (ZAPDecision) -> Void)?
        let accepted = Atomic<Int>(0)
        let denied = Atomic<Int>(0)

        init(policy: Policy, domain: String?, allowsNullMechanism: Bool, onDecision: (@Sendable (ZAPDecision) -> Void)?) {
            self.policy = Mutex(policy)
            self.domain = domain
            self.allowsNullMechanism = allowsNullMechanism
            self.onDecision = onDecision
        }

        /// Builds the reply to one request received on the ROUTER (routing envelope included).
        /// - Returns: The reply frames, or nil if the request had no envelope to reply to.
        func answer(_ frames: [[UInt8]]) -> [[UInt8]]? {
            // ROUTER envelope: routing id(s) up to and including the empty delimiter frame.
            guard let delimiter = frames.firstIndex(where: \.isEmpty) else { return nil }
            let envelope = Array(frames[...delimiter])
            let body = Array(frames[(delimiter + 1)...])
            let decision = decide(body)
            if decision.isAllowed {
                accepted.add(1, ordering: .relaxed)
            } else {
                denied.add(1, ordering: .relaxed)
            }
            onDecision?(decision)
            let requestID = body.count > 1 ? body[1] : []
            return envelope + [
                Array("1.0".utf8), requestID, Array(decision.statusCode.utf8), Array(decision.reason.utf8),
                Array((decision.userID ?? "").utf8), [],
            ]
        }

        /// Applies the policy to a request body: version, request id, domain, address, routing id,
        /// mechanism, credentials.
        func decide(_ body: [[UInt8]]) -> ZAPDecision {
            func text(_ index: Int) -> String {
                index < body.count ? String(decoding: body[index], as: UTF8.self) : ""
            }
            let domainName = text(2)
            let address = text(3)
            let mechanism = text(5)
            func deny(_ status: String, _ reason: String, publicKey: String? = nil) -> ZAPDecision {
                ZAPDecision(
                    isAllowed: false, statusCode: status, reason: reason, mechanism: mechanism,
                    domain: domainName, address: address, publicKey: publicKey, userID: nil
                )
            }
            guard body.count >= 6, text(0) == "1.0" else { return deny("500", "Malformed ZAP request") }
            if let domain, domainName != domain { return deny("400", "Domain not served") }
            if mechanism == "NULL" && allowsNullMechanism {
                return ZAPDecision(
                    isAllowed: true, statusCode: "200", reason: "OK", mechanism: mechanism,
                    domain: domainName, address: address, publicKey: nil, userID: ""
                )
            }
            guard mechanism == "CURVE" else { return deny("400", "Mechanism \(mechanism) not allowed") }
            guard body.count >= 7, body[6].count == 32, let publicKey = Z85.encode(body[6]) else {
                return deny("500", "Malformed CURVE credentials")
            }
            let userID: String? = policy.withLock { policy in
                guard policy.allowedPublicKeys.contains(publicKey) else { return nil }
                return policy.userIDs[publicKey] ?? publicKey
            }
            guard let userID else { return deny("400", "Public key not allowed", publicKey: publicKey) }
            return ZAPDecision(
                isAllowed: true, statusCode: "200", reason: "OK", mechanism: mechanism,
                domain: domainName, address: address, publicKey: publicKey, userID: userID
            )
        }
    }
}
