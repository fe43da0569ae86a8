import NIOCore

/// A whole SSE response rendered once into one buffer, plus where each event ends.
///
/// Each event is later written as its own chunk by slicing the buffer (no copy, no per-chunk
/// allocation), and the records endpoint hashes a prefix of the same bytes. Grammar per
/// anthropic-wire.md §3.2: message_start, blocks (a ping after the first content_block_start),
/// message_delta, message_stop; or `event: error`; or nothing (a cut stream).
struct MockSSEScript: Sendable {
    /// The full body.
    let body: ByteBuffer
    /// End offset (exclusive) of each event in `body`.
    let eventEnds: [Int]

    init(reply: MockReply) {
        var events = EventWriter(capacity: 1024 + reply.usage.outputTokens * 128)
        events.messageStart(reply)
        for (index, block) in reply.blocks.enumerated() {
            events.block(block, index: index, closed: reply.isComplete || index < reply.blocks.count - 1)
        }
        switch reply.ending {
        case .complete:
            events.messageDelta(reply)
            events.event("message_stop", "{\"type\":\"message_stop\"}")
        case .errorEvent:
            events.event(
                "error",
                "{\"type\": \"error\", \"error\": {\"type\": \"overloaded_error\", \"message\": \"Overloaded\"}}"
            )
        case .cut, .stall, .reset:
            break
        }
        self.body = events.json.buffer
        self.eventEnds = events.ends
    }

    /// Event `index` as a slice of `body`.
    func event(_ index: Int) -> ByteBuffer {
        let start = index == 0 ? 0 : self.eventEnds[index - 1]
        return self.body.getSlice(at: self.body.readerIndex + start, length: self.eventEnds[index] - start)!
    }

    /// The first `count` bytes of the body.
    func prefix(_ count: Int) -> ByteBuffer {
        self.body.getSlice(at: self.body.readerIndex, length: count)!
    }
}

/// Renders SSE events into one ``MockJSONWriter``, remembering event boundaries.
private struct EventWriter {
    var json: MockJSONWriter
    var ends: [Int] = []
    var pingPending = true

    init(capacity: Int) {
        self.json = MockJSONWriter(capacity: capacity)
    }

    mutating func end() {
        self.json.raw("\n\n")
        self.ends.append(self.json.buffer.readableBytes)
    }

    mutating func event(_ name: StaticString, _ data: StaticString) {
        self.json.raw("event: ")
        self.json.raw(name)
        self.json.raw("\ndata: ")
        self.json.raw(data)
        self.end()
    }

    mutating func ping() {
        self.event("ping", "{\"type\": \"ping\"}")
    }

    mutating func messageStart(_ reply: MockReply) {
        self.json.raw("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":")
        self.json.string(reply.model)
        self.json.raw(",\"id\":")
        self.json.string(reply.messageID)
        self.json.raw(",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"stop_reason\":null,")
        self.json.raw("\"stop_sequence\":null,\"usage\":")
        reply.usage.writeStart(to: &self.json)
        self.json.raw("}}")
        self.end()
    }

    mutating func messageDelta(_ reply: MockReply) {
        self.json.raw("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":")
        self.json.string(reply.stopReason)
        self.json.raw(",\"stop_sequence\":null},\"usage\":")
        reply.usage.writeDelta(to: &self.json)
        self.json.raw("}")
        self.end()
    }

    mutating func block(_ block: MockReply.Block, index: Int, closed: Bool) {
        self.blockStart(block, index: index)
        if self.pingPending {
            // Real streams send one ping right after the first content_block_start.
            self.ping()
            self.pingPending = false
        }
        switch block {
        case .thinking(let deltas, let signature):
            for piece in deltas { self.delta(index, "{\"type\":\"thinking_delta\",\"thinking\":", piece) }
            self.delta(index, "{\"type\":\"signature_delta\",\"signature\":", signature)
        case .text(let deltas):
            for piece in deltas { self.delta(index, "{\"type\":\"text_delta\",\"text\":", piece) }
        case .toolUse(_, _, let pieces):
            for piece in pieces { self.delta(index, "{\"type\":\"input_json_delta\",\"partial_json\":", piece) }
        }
        guard closed else { return }
        self.json.raw("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":")
        self.json.int(index)
        self.json.raw("}")
        self.end()
    }

    private mutating func blockStart(_ block: MockReply.Block, index: Int) {
        self.json.raw("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":")
        self.json.int(index)
        switch block {
        case .thinking:
            self.json.raw(",\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}")
        case .text:
            self.json.raw(",\"content_block\":{\"type\":\"text\",\"text\":\"\"}}")
        case .toolUse(let id, let name, _):
            self.json.raw(",\"content_block\":{\"type\":\"tool_use\",\"id\":")
            self.json.string(id)
            self.json.raw(",\"name\":")
            self.json.string(name)
            self.json.raw(",\"input\":{}}}")
        }
        self.end()
    }

    /// `content_block_delta` whose delta object is `opening` + the escaped `value` + `}`.
    private mutating func delta(_ index: Int, _ opening: StaticString, _ value: String) {
        self.json.raw("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":")
        self.json.int(index)
        self.json.raw(",\"delta\":")
        self.json.raw(opening)
        self.json.string(value)
        self.json.raw("}}")
        self.end()
    }
}
