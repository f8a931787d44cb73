internal import CZeroMQ

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// A libzmq context: the container for sockets, their I/O threads, and the `inproc://` namespace.
///
/// Create one per process (or per test) and share it freely between threads. Sockets keep their context
/// alive, so the context is terminated only after its last socket is closed.
public final class ZMQContext: @unchecked Sendable {
    // @unchecked Sendable: libzmq contexts are thread safe (zmq_ctx_new(3): "a ØMQ context is thread safe
    // and may be shared among as many application threads as necessary"), and the handle never changes.

    /// The raw `void *` returned by `zmq_ctx_new`.
    let handle: UnsafeMutableRawPointer

    /// Creates a context.
    /// - Parameter ioThreads: The number of libzmq I/O threads (`ZMQ_IO_THREADS`); 1 suits most programs.
    /// - Throws: ``ZMQError`` if libzmq cannot create the context or rejects the thread count.
    public init(ioThreads: Int = 1) throws {
        guard let handle = zmq_ctx_new() else { throw ZMQError.last("zmq_ctx_new") }
        if ioThreads != 1 {
            guard let threads = Int32(exactly: ioThreads), threads >= 0,
                zmq_ctx_set(handle, ZMQ_IO_THREADS, threads) == 0
            else {
                let error = ZMQError(code: EINVAL, operation: "zmq_ctx_set(ZMQ_IO_THREADS, \(ioThreads))")
                zmq_ctx_term(handle)
                throw error
            }
        }
        self.handle = handle
    }

    /// Starts shutting the context down (`zmq_ctx_shutdown`): blocking calls on its sockets, in any thread,
    /// return `ETERM`, and new operations fail with `ETERM`. Sockets must still be closed by their owners.
    /// - Throws: ``ZMQError`` if libzmq rejects the call (only for an invalid context).
    public func shutdown() throws {
        guard zmq_ctx_shutdown(handle) == 0 else { throw ZMQError.last("zmq_ctx_shutdown") }
    }

    deinit {
        // zmq_ctx_term blocks until every socket of the context is closed; sockets hold a strong reference
        // to their context, so by now all of them are. Retry if a signal interrupts it.
        while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
    }
}
