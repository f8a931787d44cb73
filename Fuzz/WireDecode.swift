// libFuzzer target: the planner/1 wire codec (PlannerCluster.WireCodec.decode), which reads every
// message a coordinator or worker receives from the network.
//
// Input layout: a sequence of frames, each a 2-byte little-endian length then that many bytes (a
// short last frame takes what is left), so the fuzzer controls the frame count, the signature
// frame, the command byte and the protobuf body. Built and run by scripts/fuzz.
import PlannerCluster

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWireDecode(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = UnsafeBufferPointer(start: data, count: size)
    var frames: [[UInt8]] = []
    var offset = 0
    while offset + 2 <= bytes.count && frames.count < 16 {
        let length = Int(bytes[offset]) | Int(bytes[offset + 1]) << 8
        offset += 2
        let end = min(bytes.count, offset + length)
        frames.append(Array(bytes[offset..<end]))
        offset = end
    }
    if let message = try? WireCodec.decode(frames) {
        // A decoded message must encode again: the same command, a signature first.
        let encoded = WireCodec.encode(message)
        if encoded.first != WireCodec.signature || encoded.count != 3 { fatalError("re-encoding lost the framing") }
    }
    return 0
}
