import Foundation
import NIOCore
import Testing

@testable import Shared

/// A model that repeats a key a few characters per delta: the stored answer must not hold it.
struct StreamedAnswerRedactionTests {
    static func delta(_ text: String, block: Int = 0) -> String {
        let data = try! JSONSerialization.data(withJSONObject: ["type": "content_block_delta", "index": block, "delta": ["type": "text_delta", "text": text]])
        return "event: content_block_delta\ndata: \(String(decoding: data, as: UTF8.self))\n\n"
    }

    static let start = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"claude-sonnet-4-6\",\"usage\":{\"input_tokens\":9,\"output_tokens\":1}}}\n\n"
    static let end = "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":30}}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"

    @Test func aKeySpreadOverDeltasIsRedactedAndTheRestKeptByteForByte() throws {
        var generator = SeededGenerator(seed: 7)
        let key = VirtualKey.generate(using: &generator).secretText
        let chunks = stride(from: 0, to: key.count, by: 9).map { String(key.dropFirst($0).prefix(9)) }
        let before = Self.delta("Your key is \"")
        let after = Self.delta("\" — keep it secret. Ünïcode stays.")
        let other = Self.delta("thinking about it", block: 1)
        let answer = Self.start + before + other + chunks.map { Self.delta($0) }.joined() + after + Self.end
        #expect(!answer.contains(key), "the key is never whole in the raw bytes")

        let redacted = try #require(StreamedAnswerRedaction.redact(Array(answer.utf8), scanner: .standard))
        let text = String(decoding: redacted, as: UTF8.self)
        var joined = ""
        for event in StreamedAnswerRedaction.events(in: redacted) where event.delta?.block == 0 { joined += event.delta?.text ?? "" }
        #expect(joined.hasPrefix("Your key is \"[REDACTED:goosey-key:"))
        #expect(joined.hasSuffix("\" — keep it secret. Ünïcode stays."))
        for piece in chunks.dropFirst() where piece.count >= 4 { #expect(!joined.contains(piece)) }
        #expect(text.hasPrefix(Self.start + before + other), "events before the key are untouched")
        #expect(text.hasSuffix(after + Self.end), "events after it too")
        var meter = UsageMeter(contentType: "text/event-stream")
        meter.feed(ByteBuffer(bytes: redacted))
        #expect(meter.finish().usage.outputTokens == 30, "the stored answer is still a stream that reads")
    }

    @Test func anAnswerWithoutSecretsIsLeftAlone() {
        let answer = Self.start + Self.delta("goosey_ is the prefix, ") + Self.delta("sk-ant- another one.") + Self.end
        #expect(StreamedAnswerRedaction.redact(Array(answer.utf8), scanner: .standard) == nil)
    }
}
