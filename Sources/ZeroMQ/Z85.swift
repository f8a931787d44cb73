internal import CZeroMQ

/// Z85 (ZeroMQ RFC 32): the printable encoding libzmq uses for CURVE keys (32 bytes <-> 40 characters).
public enum Z85 {
    /// The 85 characters, in value order.
    static let alphabet: [UInt8] = Array(
        "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#".utf8
    )

    /// The length of a Z85-encoded CURVE key.
    static let keyCharacterCount = 40

    /// Character value by ASCII code, or nil outside the alphabet.
    static let values: [UInt8?] = {
        var table = [UInt8?](repeating: nil, count: 128)
        for (value, character) in alphabet.enumerated() {
            table[Int(character)] = UInt8(value)
        }
        return table
    }()

    /// Encodes bytes as Z85 text.
    /// - Parameter bytes: The data; its length must be a multiple of 4.
    /// - Returns: The text (5 characters per 4 bytes), or nil if the length is not a multiple of 4.
    public static func encode(_ bytes: [UInt8]) -> String? {
        guard bytes.count % 4 == 0 else { return nil }
        guard !bytes.isEmpty else { return "" }
        var text = [CChar](repeating: 0, count: bytes.count / 4 * 5 + 1)
        let result = text.withUnsafeMutableBufferPointer { textBuffer in
            bytes.withUnsafeBufferPointer { zmq_z85_encode(textBuffer.baseAddress, $0.baseAddress, $0.count) }
        }
        guard result != nil else { return nil }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Decodes Z85 text to bytes.
    /// - Parameter text: The text; its length must be a multiple of 5, and every 5-character group must
    ///   stand for a value below 2^32.
    /// - Returns: The bytes (4 per 5 characters), or nil for text that is not valid Z85.
    public static func decode(_ text: String) -> [UInt8]? {
        guard isValid(text) else { return nil }
        let characters = Array(text.utf8)
        guard !characters.isEmpty else { return [] }
        var bytes = [UInt8](repeating: 0, count: characters.count / 5 * 4)
        let result = bytes.withUnsafeMutableBufferPointer { buffer in
            text.withCString { zmq_z85_decode(buffer.baseAddress, $0) }
        }
        guard result != nil else { return nil }
        return bytes
    }

    /// True if `text` is well-formed Z85: only alphabet characters, a multiple of 5 long, no group over 2^32 - 1.
    /// - Parameters:
    ///   - text: The candidate.
    ///   - characterCount: If given, the exact length required (40 for a CURVE key).
    /// - Returns: Whether libzmq can decode it.
    static func isValid(_ text: String, characterCount: Int? = nil) -> Bool {
        let characters = Array(text.utf8)
        if let characterCount, characters.count != characterCount { return false }
        guard characters.count % 5 == 0 else { return false }
        var index = 0
        while index < characters.count {
            var value: UInt64 = 0
            for character in characters[index..<(index + 5)] {
                guard character < 128, let digit = values[Int(character)] else { return false }
                value = value * 85 + UInt64(digit)
            }
            guard value <= UInt64(UInt32.max) else { return false }
            index += 5
        }
        return true
    }
}

/// A CURVE long-term key pair as Z85 strings (40 characters each), as used by ``SocketOption/curvePublicKey(_:)``.
///
/// ``description`` never shows the secret key, so a key pair can be logged safely.
public struct CurveKeyPair: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The public key (share it with peers and allow-lists).
    public let publicKey: String
    /// The secret key (keep it private).
    public let secretKey: String

    /// Rebuilds a key pair from a secret key, deriving the public key.
    /// - Parameter secretKey: The 40-character Z85 secret key.
    /// - Throws: ``ZMQError`` `EINVAL` for a malformed key, `ENOTSUP` if libzmq lacks CURVE.
    public init(secretKey: String) throws {
        self.publicKey = try Self.publicKey(fromSecret: secretKey)
        self.secretKey = secretKey
    }

    /// Wraps a known pair without checking that the keys belong together.
    init(publicKey: String, secretKey: String) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// Generates a fresh random key pair (`zmq_curve_keypair`, backed by libsodium).
    /// - Returns: The new pair.
    /// - Throws: ``ZMQError`` `ENOTSUP` if libzmq was built without CURVE.
    public static func generate() throws -> CurveKeyPair {
        var publicBuffer = [CChar](repeating: 0, count: Z85.keyCharacterCount + 1)
        var secretBuffer = [CChar](repeating: 0, count: Z85.keyCharacterCount + 1)
        guard zmq_curve_keypair(&publicBuffer, &secretBuffer) == 0 else {
            throw ZMQError.last("zmq_curve_keypair")
        }
        return CurveKeyPair(publicKey: Self.string(publicBuffer), secretKey: Self.string(secretBuffer))
    }

    /// Derives the public key that belongs to a secret key (`zmq_curve_public`).
    /// - Parameter secretKey: The 40-character Z85 secret key.
    /// - Returns: The 40-character Z85 public key.
    /// - Throws: ``ZMQError`` `EINVAL` for a malformed key, `ENOTSUP` if libzmq lacks CURVE.
    public static func publicKey(fromSecret secretKey: String) throws -> String {
        guard Z85.isValid(secretKey, characterCount: Z85.keyCharacterCount) else {
            throw ZMQError(
                code: ZMQErrorCode.invalidArgument,
                operation: "zmq_curve_public: not a \(Z85.keyCharacterCount)-character Z85 key"
            )
        }
        var publicBuffer = [CChar](repeating: 0, count: Z85.keyCharacterCount + 1)
        let rc = secretKey.withCString { zmq_curve_public(&publicBuffer, $0) }
        guard rc == 0 else { throw ZMQError.last("zmq_curve_public") }
        return Self.string(publicBuffer)
    }

    /// Shows the public key only.
    public var description: String { "CurveKeyPair(publicKey: \(publicKey), secretKey: <redacted>)" }

    /// Shows the public key only.
    public var debugDescription: String { description }

    /// A NUL-terminated C buffer as a Swift string.
    private static func string(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
