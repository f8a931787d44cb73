import Dispatch
import Foundation
import ZeroMQ

#if canImport(Glibc)
import Glibc
#endif

/// UTF-8 bytes of a string, for building frames.
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// A unique inproc endpoint, so parallel tests never collide.
func uniqueInproc(_ label: String) -> String { "inproc://\(label)-\(UUID().uuidString)" }

/// Milliseconds left until `deadline` (0 when passed).
func millisecondsLeft(until deadline: ContinuousClock.Instant) -> Int {
    let left = ContinuousClock.now.duration(to: deadline)
    guard left > .zero else { return 0 }
    let (seconds, attoseconds) = left.components
    return Int(seconds) * 1_000 + Int(attoseconds / 1_000_000_000_000_000) + 1
}

/// Waits (poll + DONTWAIT receive on the calling thread) for one message, or nil after `timeoutMs`.
func receive(_ socket: borrowing ZMQSocket, timeoutMs: Int) throws -> ZMQMessage? {
    let deadline = ContinuousClock.now.advanced(by: .milliseconds(timeoutMs))
    while true {
        if let message = try socket.receive(dontWait: true) { return message }
        let leftMs = millisecondsLeft(until: deadline)
        if leftMs == 0 { return nil }
        _ = try socket.poll(.readable, timeoutMs: leftMs)
    }
}

/// Collects every message that arrives within `windowMs`.
func drain(_ socket: borrowing ZMQSocket, windowMs: Int) throws -> [ZMQMessage] {
    let deadline = ContinuousClock.now.advanced(by: .milliseconds(windowMs))
    var messages: [ZMQMessage] = []
    while true {
        let leftMs = millisecondsLeft(until: deadline)
        if leftMs == 0 { return messages }
        guard let message = try receive(socket, timeoutMs: leftMs) else { return messages }
        messages.append(message)
    }
}

/// Polls `condition` every 10 ms until it holds or `timeoutMs` passes.
func eventually(timeoutMs: Int, _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now.advanced(by: .milliseconds(timeoutMs))
    while !condition() {
        if ContinuousClock.now >= deadline { return false }
        usleep(10_000)
    }
    return true
}

/// The TCP port of a `tcp://host:port` endpoint.
func port(of endpoint: String) -> UInt16? {
    guard let colon = endpoint.lastIndex(of: ":") else { return nil }
    return UInt16(endpoint[endpoint.index(after: colon)...])
}

/// A small deterministic generator (SplitMix64), so garbage inputs are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random bytes from a seeded generator.
func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var generator = SplitMix64(state: seed)
    return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
}

/// A plain POSIX TCP client for sending garbage at a ZeroMQ port.
struct RawTCPClient: ~Copyable {
    let descriptor: Int32

    /// Connects to 127.0.0.1:`port`; nil if the connection fails.
    init?(port: UInt16) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else {
            close(descriptor)
            return nil
        }
        self.descriptor = descriptor
    }

    /// Writes all bytes (MSG_NOSIGNAL: a peer that hangs up must not raise SIGPIPE); false if the peer closed.
    @discardableResult
    func write(_ data: [UInt8]) -> Bool {
        var offset = 0
        while offset < data.count {
            let sent = data[offset...].withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 && errno == EINTR { continue }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    deinit { close(descriptor) }
}

/// Runs `body` on a fresh Foundation thread; returns a semaphore signalled when it finishes.
func runOnThread(_ body: @escaping @Sendable () -> Void) -> DispatchSemaphore {
    let done = DispatchSemaphore(value: 0)
    Thread {
        body()
        done.signal()
    }.start()
    return done
}
