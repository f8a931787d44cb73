import Foundation
import Synchronization
import Testing
import ZeroMQ

#if canImport(Glibc)
import Glibc
#endif

@Suite("Receive limits and a ZAP handler without keys")
struct ReceiveLimitsTests {
    @Test("receiveBounded drains a message over the frame limit, keeps its routing id, and the next message arrives")
    func boundedReceive() throws {
        let context = try ZMQContext()
        let router = try ZMQSocket(context, type: .router)
        let endpoint = uniqueInproc("bounded")
        try router.bind(endpoint)
        let dealer = try ZMQSocket(context, type: .dealer)
        try dealer.set(.routingID(bytes("peer-7")))
        try dealer.connect(endpoint)
        try dealer.send((0..<50).map { [UInt8($0)] })
        try dealer.send([bytes("after")])
        #expect(try router.poll(.readable, timeoutMs: 5_000))
        let dropped = try router.receiveBounded(dontWait: true, maxFrames: 4)
        #expect(dropped == .tooManyFrames(frameCount: 51, firstFrame: bytes("peer-7")))
        #expect(try router.poll(.readable, timeoutMs: 5_000))
        let next = try router.receiveBounded(dontWait: true, maxFrames: 4)
        #expect(next == .message(ZMQMessage(frames: [bytes("peer-7"), bytes("after")], userID: nil)))
        #expect(try router.receiveBounded(dontWait: true, maxFrames: 4) == nil)
    }

    @Test("With a ZAP domain and an allow-NULL handler, NULL peers are admitted and ZMTP/1.0 peers are refused")
    func nullModeClosesZMTP10() throws {
        let context = try ZMQContext()
        let decisions = Mutex<[ZAPDecision]>([])
        let zap = ZAPAuthenticator(context: context, domain: "planner", allowsNullMechanism: true,
                                   onDecision: { decision in decisions.withLock { $0.append(decision) } })
        try zap.start()
        defer { zap.stop() }
        let router = try ZMQSocket(context, type: .router)
        try router.set(.zapDomain("planner"), .handshakeIntervalMs(1_000))
        try router.bind("tcp://127.0.0.1:*")
        let endpoint = try router.lastEndpoint()
        let routerPort = try #require(port(of: endpoint))
        // A ZMTP/1.0 peer (first byte not 0xFF): identity frame, then a 10-frame message.
        do {
            guard let raw = RawTCPClient(port: routerPort) else {
                Issue.record("cannot connect to \(endpoint)")
                return
            }
            raw.write([0x01, 0x00] + Array(repeating: [0x02, 0x01, 0x78], count: 8).flatMap { $0 } + [0x02, 0x00, 0x78])
            usleep(200_000)
        }
        #expect(try drain(router, windowMs: 300).isEmpty, "a ZMTP/1.0 message must never reach the application")
        let dealer = try ZMQSocket(context, type: .dealer)
        try dealer.connect(endpoint)
        try dealer.send([bytes("hello")])
        let message = try #require(try receive(router, timeoutMs: 5_000))
        #expect(message.frames.last == bytes("hello"))
        #expect(decisions.withLock { $0.contains { $0.isAllowed && $0.mechanism == "NULL" } })
        #expect(zap.acceptedCount >= 1)
    }

    @Test("Without allowsNullMechanism, a NULL peer is refused by a ZAP handler (the CURVE-only policy)")
    func nullRefusedByDefault() throws {
        let context = try ZMQContext()
        let zap = ZAPAuthenticator(context: context, domain: "planner")
        try zap.start()
        defer { zap.stop() }
        let router = try ZMQSocket(context, type: .router)
        try router.set(.zapDomain("planner"))
        try router.bind("tcp://127.0.0.1:*")
        let dealer = try ZMQSocket(context, type: .dealer)
        try dealer.connect(try router.lastEndpoint())
        try dealer.send([bytes("hello")])
        #expect(try drain(router, windowMs: 500).isEmpty)
        #expect(eventually(timeoutMs: 2_000) { zap.deniedCount >= 1 })
    }
}
