import Foundation
import NIOCore
import Shared

/// The same work as `UsageMeter`'s event handling, done with Foundation's JSON decoders, for comparison.
extension UsageBenchmark {
    struct Usage: Decodable {
        var input_tokens: Int64?
        var cache_creation_input_tokens: Int64?
        var cache_read_input_tokens: Int64?
        var output_tokens: Int64?
        var cache_creation: Split?
        struct Split: Decodable {
            var ephemeral_5m_input_tokens: Int64?
            var ephemeral_1h_input_tokens: Int64?
        }
    }
    struct Start: Decodable {
        var message: Message
        struct Message: Decodable {
            var id: String?
            var model: String?
            var usage: Usage?
        }
    }
    struct Delta: Decodable {
        var delta: StopReason?
        var usage: Usage?
        struct StopReason: Decodable { var stop_reason: String? }
    }
    struct BlockDelta: Decodable {
        var delta: Body
        struct Body: Decodable {
            var text: String?
            var thinking: String?
            var partial_json: String?
        }
    }

    static func withJSONDecoder(_ chunks: [ByteBuffer]) -> Int64 {
        var parser = SSEParser()
        let decoder = JSONDecoder()
        var scalars: Int64 = 0
        var output: Int64 = 0
        var input: Int64 = 0
        for chunk in chunks {
            parser.feed(chunk) { event in
                let data = Data(event.data.readableBytesView)
                switch event.name {
                case "content_block_delta":
                    guard let delta = try? decoder.decode(BlockDelta.self, from: data).delta else { return }
                    let text = delta.text ?? delta.thinking ?? delta.partial_json ?? ""
                    scalars += Int64(text.unicodeScalars.count)
                case "message_start":
                    input = (try? decoder.decode(Start.self, from: data))?.message.usage?.input_tokens ?? input
                case "message_delta":
                    output = (try? decoder.decode(Delta.self, from: data))?.usage?.output_tokens ?? output
                default: break
                }
            }
        }
        return input + output + scalars
    }

    static func withJSONSerialization(_ chunks: [ByteBuffer]) -> Int64 {
        var parser = SSEParser()
        var scalars: Int64 = 0
        var output: Int64 = 0
        var input: Int64 = 0
        for chunk in chunks {
            parser.feed(chunk) { event in
                guard ["content_block_delta", "message_start", "message_delta"].contains(event.name),
                    let object = try? JSONSerialization.jsonObject(with: Data(event.data.readableBytesView))
                        as? [String: Any]
                else { return }
                switch event.name {
                case "content_block_delta":
                    let delta = object["delta"] as? [String: Any]
                    let text = (delta?["text"] ?? delta?["thinking"] ?? delta?["partial_json"]) as? String ?? ""
                    scalars += Int64(text.unicodeScalars.count)
                case "message_start":
                    let usage = (object["message"] as? [String: Any])?["usage"] as? [String: Any]
                    input = (usage?["input_tokens"] as? NSNumber)?.int64Value ?? input
                default:
                    let usage = object["usage"] as? [String: Any]
                    output = (usage?["output_tokens"] as? NSNumber)?.int64Value ?? output
                }
            }
        }
        return input + output + scalars
    }
}
