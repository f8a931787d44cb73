import Dispatch
import Foundation
import Synchronization
import Testing
import ZeroMQ

#if canImport(Glibc)
import Glibc
#endif

@Suite("ZeroMQ sockets")
struct SocketTests {
    @Test("ROUTER/DEALER multipart round trip with empty frames, a 1 MiB frame and the DEALER's routing id",
          arguments: ["tcp://127.0.0.1:*", "inproc"])
    func routerDealerRoundTrip(transport: String) throws {
        let context = try ZMQContext()
        let router = try ZMQSocket(context, type: .router)
        try router.bind(transport == "inproc" ? uniqueInproc("round-trip") : transport)
        let endpoint = try router.lastEndpoint()
        #expect(!endpoint.isEmpty)

        let dealer = try ZMQSocket(context, type: .dealer)
        try dealer.set(.routingID(bytes("worker-1")))
        try dealer.connect(endpoint)

        let big = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let request: [[UInt8]] = [[], bytes("hello"), big, []]
        try dealer.send(request)

        let received = try #require(try receive(router, timeoutMs: 5_000))
        #expect(received.frames.count == 5)
        #expect(received.frames.first == bytes("worker-1"))
        #expect(Array(received.frames.dropFirst()) == request)
        #expect(received.userID == nil)

        let reply: [[UInt8]] = [bytes("reply"), [], big]
        try router.send([bytes("worker-1")] + reply)
        let back = try #require(try receive(dealer, timeoutMs: 5_000))
        #expect(back.frames == reply)
    }

    @Test("ROUTER_MANDATORY: sending to an unknown routing id throws EHOSTUNREACH; a known one works")
    func routerMandatory() throws {
        let context = try ZMQContext()
        let router = try ZMQSocket(context, type: .router)
        try router.set(.routerMandatory(true))
        try router.bind("tcp://127.0.0.1:*")

        do {
            try router.send([bytes("nobody"), bytes("payload")], dontWait: true)
            Issue.record("send to an unknown peer should fail")
        } catch let error as ZMQError {
            #expect(error.isHostUnreachable, "got \(error)")
        }

        let dealer = try ZMQSocket(context, type: .dealer)
        try dealer.set(.routingID(bytes("known")))
        try dealer.connect(try router.lastEndpoint())
        try dealer.send([bytes("ready")])
        let ready = try #require(try receive(router, timeoutMs: 5_000))
        #expect(ready.frames == [bytes("known"), bytes("ready")])
        try router.send([bytes("known"), bytes("task")], dontWait: true)
        let task = try #require(try receive(dealer, timeoutMs: 5_000))
        #expect(task.frames == [bytes("task")])
    }

    @Test("MAXMSGSIZE: an oversized message is never delivered and the ROUTER keeps serving another peer")
    func maxMessageSize() throws {
        let context = try ZMQContext()
        let router = try ZMQSocket(context, type: .router)
        try router.set(.maxMessageSizeBytes(1_024), .routerMandatory(true))
        try router.bind("tcp://127.0.0.1:*")
        let endpoint = try router.lastEndpoint()

        let greedy = try ZMQSocket(context, type: .dealer)
        try greedy.set(.routingID(bytes("greedy")), .reconnectIntervalMs(50))
        try greedy.connect(endpoint)
        try greedy.send([[UInt8](repeating: 0xAB, count: 4_096)])

        let polite = try ZMQSocket(context, type: .dealer)
        try polite.set(.routingID(bytes("polite")))
        try polite.connect(endpoint)
        try polite.send([bytes("small"), [UInt8](repeating: 1, count: 1_000)])

        let messages = try drain(router, windowMs: 1_500)
        #expect(messages.map { $0.frames.first ?? [] } == [bytes("polite")])
        #expect(messages.first?.frames.dropFirst().first == bytes("small"))

        try router.send([bytes("polite"), bytes("still here")])
        let reply = try #require(try receive(polite, timeoutMs: 5_000))
        #expect(reply.frames == [bytes("still here")])
    }

    @Test("maxFrames: a message with too many frames is dropped with EMSGSIZE and the next one arrives")
    func maxFramesGuard() throws {
        let context = try ZMQContext()
        let pull = try ZMQSocket(context, type: .pull)
        let endpoint = uniqueInproc("max-frames")
        try pull.bind(endpoint)
        let push = try ZMQSocket(context, type: .push)
        try push.connect(endpoint)

        try push.send((0..<10).map { [UInt8($0)] })
        try push.send([bytes("after")])
        #expect(try pull.poll(.readable, timeoutMs: 5_000))
        do {
            _ = try pull.receive(dontWait: true, maxFrames: 5)
            Issue.record("a 10-frame message should exceed maxFrames 5")
        } catch let error as ZMQError {
            #expect(error.isMessageTooLarge, "got \(error)")
        }
        let next = try #require(try receive(pull, timeoutMs: 5_000))
        #expect(next.frames == [bytes("after")])
    }

    @Test("Garbage bytes on a plain ROUTER's TCP port crash nothing, and a good DEALER is served afterwards")
    func garbageResilience() throws {
        let context = try ZMQContext()
        let router = try ZMQSocket(context, type: .router)
        try router.set(.maxMessageSizeBytes(65_536), .handshakeIntervalMs(1_000))
        try router.bind("tcp://127.0.0.1:*")
        let endpoint = try router.lastEndpoint()
        let routerPort = try #require(port(of: endpoint))

        sendGarbage(toPort: routerPort)

        // With the NULL mechanism libzmq still speaks ZMTP/1.0 to peers whose first byte is not 0xFF, so
        // noise that happens to parse as 1.0 framing IS delivered: the application protocol must validate
        // every frame. What the transport guarantees is bounded frames and an intact socket.
        let junk = try drain(router, windowMs: 300)
        #expect(junk.allSatisfy { $0.frames.allSatisfy { $0.count <= 65_536 } })
        #expect(junk.allSatisfy { $0.frames.first != bytes("good") })

        let dealer = try ZMQSocket(context, type: .dealer)
        try dealer.set(.routingID(bytes("good")))
        try dealer.connect(endpoint)
        try dealer.send([bytes("ping")])
        let ping = try #require(try receive(router, timeoutMs: 5_000))
        #expect(ping.frames == [bytes("good"), bytes("ping")])
        try router.send([bytes("good"), bytes("pong")])
        let pong = try #require(try receive(dealer, timeoutMs: 5_000))
        #expect(pong.frames == [bytes("pong")])
    }

    @Test("Garbage bytes on a CURVE ROUTER's TCP port never reach the application")
    func garbageAgainstCurveServer() throws {
        let context = try ZMQContext()
        let serverKeys = try CurveKeyPair.generate()
        let clientKeys = try CurveKeyPair.generate()
        let authenticator = ZAPAuthenticator(context: context, allowedPublicKeys: [clientKeys.publicKey])
        try authenticator.start()
        defer { authenticator.stop() }
        let router = try ZMQSocket(context, type: .router)
        try router.set(
            .curveServer(true), .curveSecretKey(serverKeys.secretKey), .maxMessageSizeBytes(65_536),
            .handshakeIntervalMs(1_000)
        )
        try router.bind("tcp://127.0.0.1:*")
        let endpoint = try router.lastEndpoint()
        let routerPort = try #require(port(of: endpoint))

        sendGarbage(toPort: routerPort)
        #expect(try drain(router, windowMs: 300).isEmpty)

        let dealer = try ZMQSocket(context, type: .dealer)
        try dealer.set(
            .routingID(bytes("good")), .curveServerKey(serverKeys.publicKey),
            .curvePublicKey(clientKeys.publicKey), .curveSecretKey(clientKeys.secretKey)
        )
        try dealer.connect(endpoint)
        try dealer.send([bytes("ping")])
        let ping = try #require(try receive(router, timeoutMs: 5_000))
        #expect(ping.frames == [bytes("good"), bytes("ping")])
        #expect(ping.userID == clientKeys.publicKey)
    }

    /// Writes assorted garbage at a port over fresh raw TCP connections: pure noise, a valid ZMTP 3.0
    /// signature followed by noise, a NULL greeting followed by a frame header claiming 2^62 bytes, an empty
    /// connection, and 20 short noise bursts.
    private func sendGarbage(toPort port: UInt16) {
        let signature: [UInt8] = [0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F]
        var nullGreeting = signature + [3, 0] + bytes("NULL") + [UInt8](repeating: 0, count: 16) + [0]
        nullGreeting += [UInt8](repeating: 0, count: 31)
        let hugeFrame: [UInt8] = [0x02, 0x40, 0, 0, 0, 0, 0, 0, 0] + randomBytes(64, seed: 3)
        var garbage: [[UInt8]] = [
            randomBytes(65_536, seed: 1),
            signature + randomBytes(4_096, seed: 2),
            nullGreeting + hugeFrame,
            [],
        ]
        for seed in UInt64(10)..<UInt64(30) {
            garbage.append(randomBytes(Int(seed) * 37, seed: seed))
        }
        for payload in garbage {
            // RawTCPClient is ~Copyable, which #require cannot take.
            guard let client = RawTCPClient(port: port) else {
                Issue.record("raw TCP connect to port \(port) failed")
                return
            }
            client.write(payload)
        }
    }

    @Test("Context shutdown makes a blocking receive on another thread fail with ETERM")
    func shutdownInterruptsBlockingReceive() throws {
        let context = try ZMQContext()
        let endpoint = uniqueInproc("shutdown")
        let outcome = Mutex<String>("not finished")
        let bound = DispatchSemaphore(value: 0)
        let finished = runOnThread {
            do {
                let pull = try ZMQSocket(context, type: .pull)
                try pull.bind(endpoint)
                bound.signal()
                let message = try pull.receive()
                outcome.withLock { $0 = "received \(String(describing: message))" }
            } catch let error as ZMQError {
                outcome.withLock { $0 = error.isTerminated ? "ETERM" : "\(error)" }
                bound.signal()
            } catch {
                outcome.withLock { $0 = "\(error)" }
                bound.signal()
            }
        }
        #expect(bound.wait(timeout: .now() + 5) == .success)
        usleep(50_000)  // let the thread block in zmq_msg_recv
        try context.shutdown()
        #expect(finished.wait(timeout: .now() + 5) == .success)
        #expect(outcome.withLock { $0 } == "ETERM")
    }

    @Test("Option values out of range and malformed CURVE keys are rejected with EINVAL before libzmq sees them")
    func optionValidation() throws {
        let context = try ZMQContext()
        let socket = try ZMQSocket(context, type: .dealer)
        try socket.set(
            .lingerMs(100), .sendHighWaterMark(10), .receiveHighWaterMark(10),
            .handshakeIntervalMs(2_000), .heartbeatIntervalMs(500), .heartbeatTimeoutMs(1_500),
            .heartbeatTTLMs(3_000), .reconnectIntervalMs(100), .reconnectIntervalMaxMs(2_000),
            .immediate(true), .receiveTimeoutMs(10), .sendTimeoutMs(10), .zapDomain("planner")
        )
        for option: SocketOption in [.lingerMs(Int.max), .curveServerKey("short"), .curvePublicKey(String(repeating: "~", count: 40))] {
            do {
                try socket.set(option)
                Issue.record("\(option) should be rejected")
            } catch let error as ZMQError {
                #expect(error.code == EINVAL, "got \(error)")
            }
        }
        let router = try ZMQSocket(context, type: .router)
        try router.set(.routerHandover(true), .routerMandatory(false))
        // A blocking receive with receiveTimeoutMs returns nil when it expires.
        #expect(try socket.receive() == nil)
        #expect(try socket.pendingEvents().contains(.readable) == false)
    }

    @Test("Version and capabilities come from the loaded libzmq")
    func versionAndCapabilities() {
        let version = ZMQVersion.current
        #expect(version >= ZMQVersion(major: 4, minor: 3, patch: 0))
        #expect(version.description.split(separator: ".").count == 3)
        #expect(ZMQVersion.has(capability: .curve))
    }
}
