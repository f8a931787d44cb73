internal import CZeroMQ

/// The version of the libzmq library loaded at run time, and its optional capabilities.
public struct ZMQVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The major version (4 for libzmq 4.3.4).
    public let major: Int
    /// The minor version.
    public let minor: Int
    /// The patch version.
    public let patch: Int

    /// Creates a version value.
    /// - Parameters:
    ///   - major: The major version.
    ///   - minor: The minor version.
    ///   - patch: The patch version.
    public init(major: Int, minor: Int, patch: Int) {
        self.major = major
        self.minor = minor
        self.patch = patch
    }

    /// The loaded library's version (`zmq_version`).
    public static var current: ZMQVersion {
        var major: Int32 = 0
        var minor: Int32 = 0
        var patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return ZMQVersion(major: Int(major), minor: Int(minor), patch: Int(patch))
    }

    /// An optional libzmq feature that `zmq_has` reports.
    public enum Capability: String, Sendable, CaseIterable {
        /// `ipc://` transport.
        case ipc
        /// `pgm://` multicast transport.
        case pgm
        /// `tipc://` transport.
        case tipc
        /// `norm://` transport.
        case norm
        /// CURVE security (needs libsodium).
        case curve
        /// GSSAPI (Kerberos) security.
        case gssapi
        /// The draft API (`zmq_poller`, CLIENT/SERVER sockets); off in Debian's build.
        case draft
    }

    /// Whether the loaded libzmq supports a capability (`zmq_has`).
    /// - Parameter capability: The capability.
    /// - Returns: True if available.
    public static func has(capability: Capability) -> Bool {
        capability.rawValue.withCString { zmq_has($0) } == 1
    }

    /// Orders versions by major, then minor, then patch.
    public static func < (lhs: ZMQVersion, rhs: ZMQVersion) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
    }

    /// `major.minor.patch`.
    public var description: String { "\(major).\(minor).\(patch)" }
}
