internal import CZeroMQ

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// An error reported by libzmq (or by this wrapper), carrying the errno code and the operation that failed.
///
/// Callers branch on ``code`` (or the `is…` helpers) rather than on the text: `EAGAIN` means "try later",
/// `ETERM` means the context is shutting down, `EHOSTUNREACH` means a ROUTER could not route a message.
public struct ZMQError: Error, Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The errno value (a POSIX errno or one of libzmq's own codes such as `ETERM`).
    public let code: Int32
    /// The libzmq function or wrapper operation that failed, for example `"zmq_bind(tcp://127.0.0.1:*)"`.
    public let operation: String

    /// Creates an error from an explicit errno code.
    /// - Parameters:
    ///   - code: The errno value.
    ///   - operation: The operation that failed.
    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
    }

    /// The error libzmq recorded for the calling thread (`zmq_errno()`), attributed to `operation`.
    /// - Parameter operation: The operation that just failed.
    /// - Returns: An error carrying the current thread's errno.
    public static func last(_ operation: String) -> ZMQError {
        ZMQError(code: zmq_errno(), operation: operation)
    }

    /// libzmq's text for ``code`` (`zmq_strerror`).
    public var message: String {
        guard let text = zmq_strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }

    /// A line for logs: operation, text and errno.
    public var description: String { "\(operation): \(message) (errno \(code))" }

    /// True for `EAGAIN`: a non-blocking call had nothing to do, or a timeout expired.
    public var isAgain: Bool { code == EAGAIN }

    /// True for `EINTR`: a signal interrupted a blocking call.
    public var isInterrupted: Bool { code == EINTR }

    /// True for `ETERM`: the socket's context was shut down or terminated.
    public var isTerminated: Bool { code == ZMQErrorCode.terminated }

    /// True for `EHOSTUNREACH`: a ROUTER with `routerMandatory` has no peer with that routing id.
    public var isHostUnreachable: Bool { code == EHOSTUNREACH }

    /// True for `EMSGSIZE`: a received message exceeded the caller's frame limit and was dropped.
    public var isMessageTooLarge: Bool { code == EMSGSIZE }
}

/// errno values used inside the wrapper.
enum ZMQErrorCode {
    /// libzmq's `ETERM` (`ZMQ_HAUSNUMERO + 53`).
    static let terminated: Int32 = ETERM
    /// `EINVAL`, for arguments the wrapper rejects before calling libzmq.
    static let invalidArgument: Int32 = EINVAL
    /// `EMSGSIZE`, for messages over the caller's frame limit.
    static let messageTooLarge: Int32 = EMSGSIZE
}
