import Foundation
import Synchronization
import Testing
import ZeroMQ

#if canImport(Glibc)
import Glibc
#endif

@Suite("CURVE keys, Z85 and the ZAP authenticator")
struct CurveTests {
    @Test("Z85 matches the RFC 32 test vector and round-trips random data; malformed text is rejected")
    func z85() throws {
        let vector: [UInt8] = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]
        #expect(Z85.encode(vector) == "HelloWorld")
        #expect(Z85.decode("HelloWorld") == vector)
        for seed in UInt64(1)...UInt64(20) {
            let data = randomBytes(Int(seed % 5) * 8 + 32, seed: seed)
            let text = try #require(Z85.encode(data))
            #expect(text.utf8.count == data.count / 4 * 5)
            #expect(Z85.decode(text) == data)
        }
        #expect(Z85.encode([]) == "")
        #expect(Z85.decode("") == [])
        #expect(Z85.encode([1, 2, 3]) == nil)
        #expect(Z85.decode("Hello") != nil)
        #expect(Z85.decode("Hell") == nil)
        #expect(Z85.decode("Hell~") == nil)
        #expect(Z85.decode("Hell\u{0}") == nil)
        #expect(Z85.decode("Hellé") == nil)
        #expect(Z85.decode("#####") == nil)  // 85^5 - 1 does not fit in 32 bits
    }

    @Test("Generated key pairs are 40-character Z85 strings and the public key derives from the secret")
    func keyPairs() throws {
        let pair = try CurveKeyPair.generate()
        #expect(pair.publicKey.utf8.count == 40)
        #expect(pair.secretKey.utf8.count == 40)
        #expect(Z85.decode(pair.publicKey)?.count == 32)
        #expect(Z85.decode(pair.secretKey)?.count == 32)
        #expect(try CurveKeyPair.publicKey(fromSecret: pair.secretKey) == pair.publicKey)
        #expect(try CurveKeyPair(secretKey: pair.secretKey) == pair)
        #expect(try CurveKeyPair.generate() != pair)
        #expect(!pair.description.contains(pair.secretKey))
        #expect(!"\(pair)".contains(pair.secretKey))
        do {
            _ = try CurveKeyPair.publicKey(fromSecret: "too short")
            Issue.record("a short secret key must be rejected")
        } catch let error as ZMQError {
            #expect(error.code == EINVAL)
        }
    }

    @Test("CURVE + ZAP: only the allow-listed key gets in, with its public key as user id")
    func curveWithAllowList() throws {
        let context = try ZMQContext()
        let serverKeys = try CurveKeyPair.generate()
        let goodKeys = try CurveKeyPair.generate()
        let badKeys = try CurveKeyPair.generate()
        let decisions = Mutex<[ZAPDecision]>([])
        let authenticator = ZAPAuthenticator(
            context: context, allowedPublicKeys: [goodKeys.publicKey], domain: "planner",
            onDecision: { decision in decisions.withLock { $0.append(decision) } }
        )
        try authenticator.start()
        defer { authenticator.stop() }
        #expect(authenticator.isRunning)

        let server = try ZMQSocket(context, type: .router)
        try server.set(.curveServer(true), .curveSecretKey(serverKeys.secretKey), .zapDomain("planner"))
        try server.bind("tcp://127.0.0.1:*")
        let endpoint = try server.lastEndpoint()

        let good = try ZMQSocket(context, type: .dealer)
        try good.set(
            .routingID(bytes("good")), .curveServerKey(serverKeys.publicKey),
            .curvePublicKey(goodKeys.publicKey), .curveSecretKey(goodKeys.secretKey)
        )
        let bad = try ZMQSocket(context, type: .dealer)
        try bad.set(
            .routingID(bytes("bad")), .curveServerKey(serverKeys.publicKey),
            .curvePublicKey(badKeys.publicKey), .curveSecretKey(badKeys.secretKey)
        )
        let plain = try ZMQSocket(context, type: .dealer)
        try plain.set(.routingID(bytes("plain")))
        for client in [0, 1, 2] {
            switch client {
            case 0: try good.connect(endpoint)
            case 1: try bad.connect(endpoint)
            default: try plain.connect(endpoint)
            }
        }
        try bad.send([bytes("from bad")])
        try plain.send([bytes("from plain")])
        try good.send([bytes("from good")])

        let first = try #require(try receive(server, timeoutMs: 5_000))
        #expect(first.frames == [bytes("good"), bytes("from good")])
        #expect(first.userID == goodKeys.publicKey)
        #expect(eventually(timeoutMs: 5_000) { authenticator.deniedCount >= 1 })
        #expect(try drain(server, windowMs: 500).isEmpty, "neither the unknown key nor the plain client gets in")

        #expect(authenticator.acceptedCount >= 1)
        #expect(authenticator.deniedCount >= 1)
        let seen = decisions.withLock { $0 }
        #expect(seen.filter(\.isAllowed).allSatisfy { $0.publicKey == goodKeys.publicKey && $0.userID == goodKeys.publicKey })
        #expect(seen.filter { !$0.isAllowed }.allSatisfy { $0.publicKey == badKeys.publicKey && $0.statusCode == "400" })
        #expect(seen.allSatisfy { $0.mechanism == "CURVE" && $0.domain == "planner" && $0.address == "127.0.0.1" })

        try server.send([bytes("good"), bytes("welcome")])
        let welcome = try #require(try receive(good, timeoutMs: 5_000))
        #expect(welcome.frames == [bytes("welcome")])
    }

    @Test("The allow-list can be replaced at run time, and configured names become user ids")
    func allowListReplacement() throws {
        let context = try ZMQContext()
        let serverKeys = try CurveKeyPair.generate()
        let workerKeys = try CurveKeyPair.generate()
        let authenticator = ZAPAuthenticator(context: context)
        try authenticator.start()
        defer { authenticator.stop() }

        let server = try ZMQSocket(context, type: .router)
        try server.set(.curveServer(true), .curveSecretKey(serverKeys.secretKey))
        try server.bind("tcp://127.0.0.1:*")
        let endpoint = try server.lastEndpoint()

        let early = try ZMQSocket(context, type: .dealer)
        try early.set(
            .curveServerKey(serverKeys.publicKey), .curvePublicKey(workerKeys.publicKey),
            .curveSecretKey(workerKeys.secretKey), .reconnectIntervalMs(-1)
        )
        try early.connect(endpoint)
        try early.send([bytes("too early")])
        #expect(eventually(timeoutMs: 5_000) { authenticator.deniedCount >= 1 })
        #expect(try drain(server, windowMs: 200).isEmpty)

        authenticator.setAllowedPublicKeys([workerKeys.publicKey], userIDs: [workerKeys.publicKey: "worker-7"])
        #expect(authenticator.allowedPublicKeys == [workerKeys.publicKey])
        let late = try ZMQSocket(context, type: .dealer)
        try late.set(
            .curveServerKey(serverKeys.publicKey), .curvePublicKey(workerKeys.publicKey),
            .curveSecretKey(workerKeys.secretKey)
        )
        try late.connect(endpoint)
        try late.send([bytes("on time")])
        let message = try #require(try receive(server, timeoutMs: 5_000))
        #expect(message.frames.last == bytes("on time"))
        #expect(message.userID == "worker-7")
        #expect(authenticator.acceptedCount == 1)

        authenticator.revoke(workerKeys.publicKey)
        #expect(authenticator.allowedPublicKeys.isEmpty)
    }

    @Test("A second ZAP handler in the same context fails with EADDRINUSE; stop and start again works")
    func singleHandlerPerContext() throws {
        let context = try ZMQContext()
        let first = ZAPAuthenticator(context: context)
        try first.start()
        let second = ZAPAuthenticator(context: context)
        do {
            try second.start()
            Issue.record("the ZAP endpoint is already bound")
        } catch let error as ZMQError {
            #expect(error.code == EADDRINUSE, "got \(error)")
        }
        #expect(!second.isRunning)
        do {
            try first.start()
            Issue.record("starting twice must fail")
        } catch let error as ZMQError {
            #expect(error.code == EINVAL)
        }
        first.stop()
        #expect(!first.isRunning)
        try second.start()
        #expect(second.isRunning)
        second.stop()
        second.stop()
    }

    @Test("Shutting the context down ends the ZAP thread; stop() then returns at once")
    func authenticatorEndsOnContextShutdown() throws {
        let context = try ZMQContext()
        let authenticator = ZAPAuthenticator(context: context)
        try authenticator.start()
        #expect(authenticator.isRunning)
        try context.shutdown()
        #expect(eventually(timeoutMs: 5_000) { !authenticator.isRunning })
        authenticator.stop()
        do {
            try authenticator.start()
            Issue.record("a shut-down context cannot host a new handler")
        } catch let error as ZMQError {
            #expect(error.isTerminated, "got \(error)")
        }
    }
}
