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

/// What ``ZMQSocket/receiveBounded(dontWait:maxFrames:)`` got.
public enum ZMQReceived: Sendable, Hashable {
    /// A message within the frame limit.
    case message(ZMQMessage)
    /// A message of `frameCount` frames, over the limit: drained and dropped. `firstFrame` holds up to
    /// ``ZMQSocket/droppedFirstFrameBytes`` of its first frame (for a ROUTER, the sender's routing id).
    case tooManyFrames(frameCount: Int, firstFrame: [UInt8])
}
