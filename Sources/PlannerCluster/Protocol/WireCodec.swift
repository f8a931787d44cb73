import Foundation
import PlannerWire
import SwiftProtobuf

/// The `planner/1` framing: `[signature "PLNR1"][command byte][protobuf body]`.
public enum WireCodec {
    /// Protocol signature, first frame of every message.
    public static let signature: [UInt8] = Array("PLNR1".utf8)
    /// Version carried in HELLO.
    public static let protocolVersion: UInt32 = 1
    /// Largest message accepted (also set as ZMQ_MAXMSGSIZE on both ends).
    public static let maxMessageBytes = 16 << 20

    /// Command bytes.
    public enum Command: UInt8, Sendable, CaseIterable {
        case hello = 0x01, welcome, credit, task, result, heartbeat, cancel, bye, unknown
    }

    /// A decoded message.
    public enum Message: Sendable {
        case hello(Planner_Wire_V1_Hello)
        case welcome(Planner_Wire_V1_Welcome)
        case credit(Planner_Wire_V1_Credit)
        case task(Planner_Wire_V1_Task)
        case result(Planner_Wire_V1_Result)
        case heartbeat
        case cancel(Planner_Wire_V1_Cancel)
        case bye(Planner_Wire_V1_Bye)
        case unknown(Planner_Wire_V1_Unknown)

        public var command: Command {
            switch self {
            case .hello: .hello
            case .welcome: .welcome
            case .credit: .credit
            case .task: .task
            case .result: .result
            case .heartbeat: .heartbeat
            case .cancel: .cancel
            case .bye: .bye
            case .unknown: .unknown
            }
        }
    }

    /// Why a message was rejected.
    public enum DecodeError: Error, Sendable, Hashable, CustomStringConvertible {
        case frameCount(Int)
        case badSignature
        case unknownCommand(UInt8)
        case malformedBody(Command, String)

        public var description: String {
            switch self {
            case let .frameCount(n): "expected 2 or 3 frames, got \(n)"
            case .badSignature: "bad protocol signature (not PLNR1)"
            case let .unknownCommand(byte): "unknown command 0x\(String(byte, radix: 16))"
            case let .malformedBody(command, reason): "malformed \(command) body: \(reason)"
            }
        }
    }

    /// The frames of `message` (without any routing-id frame).
    public static func encode(_ message: Message) -> [[UInt8]] {
        [signature, [message.command.rawValue], body(of: message)]
    }

    /// The protobuf body of `message` (the third frame).
    public static func body(of message: Message) -> [UInt8] {
        let body: [UInt8]
        do {
            switch message {
            case let .hello(value): body = try value.serializedBytes()
            case let .welcome(value): body = try value.serializedBytes()
            case let .credit(value): body = try value.serializedBytes()
            case let .task(value): body = try value.serializedBytes()
            case let .result(value): body = try value.serializedBytes()
            case .heartbeat: body = []
            case let .cancel(value): body = try value.serializedBytes()
            case let .bye(value): body = try value.serializedBytes()
            case let .unknown(value): body = try value.serializedBytes()
            }
        } catch {
            // Encoding a fully-initialised proto3 message cannot fail; send an empty body if it ever does.
            body = []
        }
        return body
    }

    /// Decodes the frames of one message (without any routing-id frame).
    public static func decode(_ frames: [[UInt8]]) throws(DecodeError) -> Message {
        guard frames.count == 2 || frames.count == 3 else { throw .frameCount(frames.count) }
        guard frames[0] == signature else { throw .badSignature }
        guard frames[1].count == 1, let command = Command(rawValue: frames[1][0]) else {
            throw .unknownCommand(frames[1].first ?? 0)
        }
        let body = frames.count == 3 ? frames[2] : []
        do {
            switch command {
            case .hello: return .hello(try Planner_Wire_V1_Hello(serializedBytes: body))
            case .welcome: return .welcome(try Planner_Wire_V1_Welcome(serializedBytes: body))
            case .credit: return .credit(try Planner_Wire_V1_Credit(serializedBytes: body))
            case .task: return .task(try Planner_Wire_V1_Task(serializedBytes: body))
            case .result: return .result(try Planner_Wire_V1_Result(serializedBytes: body))
            case .heartbeat: return .heartbeat
            case .cancel: return .cancel(try Planner_Wire_V1_Cancel(serializedBytes: body))
            case .bye: return .bye(try Planner_Wire_V1_Bye(serializedBytes: body))
            case .unknown: return .unknown(try Planner_Wire_V1_Unknown(serializedBytes: body))
            }
        } catch {
            throw .malformedBody(command, "\(error)")
        }
    }
}
