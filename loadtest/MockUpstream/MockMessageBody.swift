import NIOCore

/// Renders a ``MockReply`` as a non-streaming Messages body (anthropic-wire.md §2).
enum MockMessageBody {
    static func render(_ reply: MockReply) -> ByteBuffer {
        var json = MockJSONWriter(capacity: 768 + reply.usage.outputTokens * 16)
        json.raw("{\"id\":")
        json.string(reply.messageID)
        json.raw(",\"type\":\"message\",\"role\":\"assistant\",\"model\":")
        json.string(reply.model)
        json.raw(",\"content\":[")
        for (index, block) in reply.blocks.enumerated() {
            if index > 0 { json.raw(",") }
            Self.write(block, to: &json)
        }
        json.raw("],\"stop_reason\":")
        json.string(reply.stopReason)
        json.raw(",\"stop_sequence\":null,\"stop_details\":null,\"container\":null,\"usage\":")
        reply.usage.writeMessage(to: &json)
        json.raw("}")
        return json.buffer
    }

    private static func write(_ block: MockReply.Block, to json: inout MockJSONWriter) {
        switch block {
        case .thinking(let deltas, let signature):
            json.raw("{\"type\":\"thinking\",\"thinking\":")
            json.string(deltas.joined())
            json.raw(",\"signature\":")
            json.string(signature)
            json.raw("}")
        case .text(let deltas):
            json.raw("{\"type\":\"text\",\"text\":")
            json.string(deltas.joined())
            json.raw("}")
        case .toolUse(let id, let name, let pieces):
            json.raw("{\"type\":\"tool_use\",\"id\":")
            json.string(id)
            json.raw(",\"name\":")
            json.string(name)
            json.raw(",\"input\":")
            json.buffer.writeString(MockText.toolInputJSON(of: pieces))
            json.raw("}")
        }
    }
}
