/// One multipart message as received, with the connection's ZAP user id.
public struct ZMQMessage: Sendable, Hashable {
    /// The frames in order; for a ROUTER, frame 0 is the sender's routing id.
    public var frames: [[UInt8]]
    /// The ZAP user id of the sending connection (`User-Id` metadata), or nil if the connection has none.
    public var userID: String?

    /// Creates a message value.
    /// - Parameters:
    ///   - frames: The frames.
    ///   - userID: The ZAP user id, if any.
    public init(frames: [[UInt8]], userID: String? = nil) {
        self.frames = frames
        self.userID = userID
    }
}
