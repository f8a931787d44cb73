import Dispatch
import Foundation
import Synchronization
import Testing
import ZeroMQ

#if canImport(Glibc)
import Glibc
#endif

@Suite("Polling sockets and file descriptors")
struct PollTests {
    @Test("poll wakes up when a raw pipe is written from another thread")
    func pollWakesOnPipe() throws {
        let context = try ZMQContext()
        let pull = try ZMQSocket(context, type: .pull)
        try pull.bind(uniqueInproc("poll-pipe"))
        var ends: [Int32] = [-1, -1]
        #expect(pipe(&ends) == 0)
        defer {
            close(ends[0])
            close(ends[1])
        }
        let readEnd = ends[0]
        let writeEnd = ends[1]

        let idle = try ZMQPoller.poll([.socket(pull), .fileDescriptor(readEnd)], timeoutMs: 20)
        #expect(idle == [false, false])

        let writer = runOnThread {
            usleep(100_000)
            var byte: UInt8 = 42
            _ = write(writeEnd, &byte, 1)
        }
        let start = ContinuousClock.now
        let ready = try ZMQPoller.poll([.socket(pull), .fileDescriptor(readEnd)], timeoutMs: 10_000)
        let elapsed = ContinuousClock.now - start
        #expect(ready == [false, true])
        #expect(elapsed < .seconds(5))
        #expect(writer.wait(timeout: .now() + 5) == .success)
        var byte: UInt8 = 0
        #expect(read(readEnd, &byte, 1) == 1 && byte == 42)
    }

    @Test("poll times out with nothing ready, and reports a socket with a queued message")
    func pollTimeoutAndSocketReadiness() throws {
        let context = try ZMQContext()
        let endpoint = uniqueInproc("poll-socket")
        let pull = try ZMQSocket(context, type: .pull)
        try pull.bind(endpoint)
        let push = try ZMQSocket(context, type: .push)
        try push.connect(endpoint)

        let start = ContinuousClock.now
        #expect(try pull.poll(.readable, timeoutMs: 50) == false)
        #expect(ContinuousClock.now - start >= .milliseconds(45))

        try push.send([bytes("x")])
        let events = try ZMQPoller.pollEvents([.socket(pull), .socket(push, events: .writable)], timeoutMs: 5_000)
        #expect(events[0].contains(.readable))
        #expect(try pull.pendingEvents().contains(.readable))
        #expect(try pull.receive(dontWait: true)?.frames == [bytes("x")])
        #expect(try pull.receive(dontWait: true) == nil)
    }

    @Test("WakePipe signals across threads and drains back to idle")
    func wakePipe() throws {
        let wake = try WakePipe()
        #expect(try ZMQPoller.poll([wake.pollItem], timeoutMs: 0) == [false])
        let signaller = runOnThread {
            usleep(50_000)
            for _ in 0..<100_000 { wake.signal() }  // far more than the pipe holds: must not block
        }
        #expect(try ZMQPoller.poll([wake.pollItem], timeoutMs: 10_000) == [true])
        #expect(signaller.wait(timeout: .now() + 10) == .success)
        wake.drain()
        #expect(try ZMQPoller.poll([wake.pollItem], timeoutMs: 0) == [false])
    }

    @Test("poll with no items is rejected instead of sleeping")
    func pollNoItems() {
        do {
            _ = try ZMQPoller.poll([], timeoutMs: -1)
            Issue.record("an empty poll must fail")
        } catch let error as ZMQError {
            #expect(error.code == EINVAL)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("poll retries after EINTR and still honours its original deadline")
    func pollSurvivesSignals() throws {
        // A no-op handler, so SIGUSR1 interrupts poll() with EINTR instead of ending the process.
        signal(SIGUSR1) { _ in }
        let wake = try WakePipe()
        let pollerThread = Mutex<pthread_t?>(nil)
        let outcome = Mutex<(ready: [Bool], elapsedMs: Int)?>(nil)
        let release = DispatchSemaphore(value: 0)
        let finished = runOnThread {
            pollerThread.withLock { $0 = pthread_self() }
            let start = ContinuousClock.now
            let ready = (try? ZMQPoller.poll([wake.pollItem], timeoutMs: 600)) ?? []
            let elapsed = (ContinuousClock.now - start).components
            outcome.withLock { $0 = (ready, Int(elapsed.seconds) * 1_000 + Int(elapsed.attoseconds / 1_000_000_000_000_000)) }
            release.wait()  // stay alive until every signal was sent, so pthread_kill never targets a dead thread
        }
        #expect(eventually(timeoutMs: 5_000) { pollerThread.withLock { $0 } != nil })
        if let thread = pollerThread.withLock({ $0 }) {
            for _ in 0..<5 {
                usleep(50_000)
                #expect(pthread_kill(thread, SIGUSR1) == 0)
            }
        }
        release.signal()
        #expect(finished.wait(timeout: .now() + 10) == .success)
        let result = try #require(outcome.withLock { $0 })
        #expect(result.ready == [false])
        #expect(result.elapsedMs >= 590, "poll returned after \(result.elapsedMs) ms")
    }
}
