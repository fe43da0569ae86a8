import Foundation
import HTTPTypes
import NIOCore
import Testing

/// One parsed SSE event of a mock stream.
struct ParsedEvent {
    var name: String
    var data: [String: Any]
    var rawData: String

    var type: String? { self.data["type"] as? String }
    var index: Int? { self.data["index"] as? Int }
    var delta: [String: Any] { self.data["delta"] as? [String: Any] ?? [:] }
    var usage: [String: Any] { self.data["usage"] as? [String: Any] ?? [:] }
}

/// Parses a whole SSE body as the mock writes it: `event: NAME\ndata: JSON\n\n` per event.
enum SSETestParser {
    static func parse(_ body: ByteBuffer) throws -> [ParsedEvent] {
        let text = String(buffer: body)
        #expect(text.hasSuffix("\n\n"), "every event ends with a blank line")
        var events: [ParsedEvent] = []
        for chunk in text.components(separatedBy: "\n\n") where !chunk.isEmpty {
            let lines = chunk.components(separatedBy: "\n")
            try #require(lines.count == 2, "one event line and one data line: \(chunk)")
            try #require(lines[0].hasPrefix("event: ") && lines[1].hasPrefix("data: "))
            let raw = String(lines[1].dropFirst("data: ".count))
            let json = try JSONSerialization.jsonObject(with: Data(raw.utf8))
            let data = try #require(json as? [String: Any])
            events.append(ParsedEvent(name: String(lines[0].dropFirst("event: ".count)), data: data, rawData: raw))
        }
        return events
    }

    /// Checks anthropic-wire.md §3.2: message_start, well-nested blocks with increasing indices,
    /// `event:` equal to `data.type`. Returns nil when the stream is well-formed so far.
    static func grammarViolation(_ events: [ParsedEvent], complete: Bool) -> String? {
        guard events.first?.name == "message_start" else { return "first event is not message_start" }
        var openIndex: Int?
        var nextIndex = 0
        var sawDelta = false
        for event in events.dropFirst() {
            if event.name != event.type { return "event \(event.name) carries data type \(event.type ?? "nil")" }
            switch event.name {
            case "ping": continue
            case "content_block_start":
                if openIndex != nil || sawDelta || event.index != nextIndex { return "bad content_block_start" }
                openIndex = event.index
                nextIndex += 1
            case "content_block_delta":
                if openIndex == nil || event.index != openIndex { return "delta outside its block" }
            case "content_block_stop":
                if openIndex == nil || event.index != openIndex { return "stop without open block" }
                openIndex = nil
            case "message_delta":
                if openIndex != nil { return "message_delta inside a block" }
                sawDelta = true
            case "message_stop", "error":
                break
            default:
                return "unknown event \(event.name)"
            }
        }
        if complete {
            let tail = events.suffix(2).map(\.name)
            if tail != ["message_delta", "message_stop"] { return "does not end with message_delta, message_stop" }
        }
        return nil
    }

    /// Concatenated text of the `text_delta`s.
    static func text(_ events: [ParsedEvent]) -> String {
        events.compactMap { $0.delta["type"] as? String == "text_delta" ? $0.delta["text"] as? String : nil }.joined()
    }
}
