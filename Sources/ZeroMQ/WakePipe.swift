#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// A non-blocking self-pipe that wakes a thread blocked in ``ZMQPoller`` from any thread or task.
///
/// The transport thread polls ``pollItem`` next to its sockets; other threads queue work and call ``signal()``.
/// When the item is readable the transport thread calls ``drain()`` and then processes its queue.
public final class WakePipe: Sendable {
    /// The read end, polled by the transport thread.
    public let fileDescriptor: Int32
    /// The write end, written by ``signal()``.
    private let writeDescriptor: Int32

    /// Creates the pipe with both ends non-blocking and close-on-exec.
    /// - Throws: ``ZMQError`` with the `pipe`/`fcntl` errno (for example `EMFILE`).
    public init() throws {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw ZMQError(code: errno, operation: "pipe") }
        for descriptor in ends {
            let statusFlags = fcntl(descriptor, F_GETFL)
            if statusFlags < 0 || fcntl(descriptor, F_SETFL, statusFlags | O_NONBLOCK) != 0
                || fcntl(descriptor, F_SETFD, FD_CLOEXEC) != 0
            {
                let error = ZMQError(code: errno, operation: "fcntl(pipe, O_NONBLOCK)")
                close(ends[0])
                close(ends[1])
                throw error
            }
        }
        fileDescriptor = ends[0]
        writeDescriptor = ends[1]
    }

    /// The read end as a poll item (readable once ``signal()`` was called and not yet drained).
    public var pollItem: PollItem { .fileDescriptor(fileDescriptor, events: .readable) }

    /// Wakes the poller; safe from any thread, and cheap when a wake-up is already pending.
    public func signal() {
        var byte: UInt8 = 1
        while write(writeDescriptor, &byte, 1) < 0 && errno == EINTR {}
        // EAGAIN means the pipe is full: a wake-up is already pending, which is all we need.
    }

    /// Empties the pipe, so the next poll blocks until the next ``signal()``.
    public func drain() {
        var sink = [UInt8](repeating: 0, count: 256)
        while true {
            let count = sink.withUnsafeMutableBytes { read(fileDescriptor, $0.baseAddress, $0.count) }
            if count > 0 { continue }
            if count < 0 && errno == EINTR { continue }
            return
        }
    }

    deinit {
        close(fileDescriptor)
        close(writeDescriptor)
    }
}
