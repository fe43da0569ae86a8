import Foundation

/// Finds secrets a streamed answer spells out across several `content_block_delta` events (a model repeating
/// a key arrives a few characters per event, so the raw bytes never hold it whole) and redacts them in the
/// answer as stored: each content block's text is put back together and scanned, and the deltas that carried
/// a secret are rewritten, the first with `[REDACTED:kind:fingerprint]` where its part began, the rest without
/// their part. Events that carried none stay byte for byte.
public enum StreamedAnswerRedaction {
    /// The answer with secrets across deltas redacted, or nil when there are none.
    public static func redact(_ answer: [UInt8], scanner: SecretScanner) -> [UInt8]? {
        var events = Self.events(in: answer)
        var pieces: [Int: [Piece]] = [:]
        for (position, event) in events.enumerated() {
            guard let delta = event.delta else { continue }
            pieces[delta.block, default: []].append(Piece(event: position, text: Array(delta.text.utf8)))
        }
        var cuts: [Int: [(range: Range<Int>, marker: String?)]] = [:]
        for blockPieces in pieces.values where blockPieces.count > 1 {
            var joined: [UInt8] = []
            var starts: [Int] = []
            for piece in blockPieces {
                starts.append(joined.count)
                joined += piece.text
            }
            for finding in scanner.scan(joined) {
                let span = finding.span
                var marked = false
                for (index, piece) in blockPieces.enumerated() {
                    let start = starts[index], end = start + piece.text.count
                    let overlap = max(span.lowerBound, start)..<min(span.upperBound, end)
                    guard !overlap.isEmpty else { continue }
                    cuts[piece.event, default: []].append(
                        ((overlap.lowerBound - start)..<(overlap.upperBound - start), marked ? nil : SecretRedaction.marker(for: finding))
                    )
                    marked = true
                }
            }
        }
        guard !cuts.isEmpty else { return nil }
        for (position, eventCuts) in cuts {
            guard var delta = events[position].delta else { continue }
            var text = Array(delta.text.utf8)
            for cut in eventCuts.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
                text.replaceSubrange(cut.range, with: Array((cut.marker ?? "").utf8))
            }
            delta.text = String(decoding: text, as: UTF8.self)
            events[position].rewrite(delta)
        }
        return events.flatMap(\.bytes)
    }

    struct Piece {
        var event: Int
        var text: [UInt8]
    }

    /// One event's bytes (through its blank line) and, for a content block delta, its block and text.
    struct Event {
        var bytes: [UInt8]
        var delta: Delta?

        struct Delta {
            var block: Int
            /// `text`, `thinking` or `partial_json`: the member of `delta` that carries the block's text.
            var field: String
            var text: String
        }

        mutating func rewrite(_ delta: Delta) {
            guard let start = StreamedAnswerRedaction.dataStart(in: self.bytes),
                var object = try? JSONSerialization.jsonObject(with: Data(self.bytes[start...])) as? [String: Any],
                var inner = object["delta"] as? [String: Any]
            else { return }
            inner[delta.field] = delta.text
            object["delta"] = inner
            guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes]) else { return }
            self.bytes = Array("event: content_block_delta\ndata: ".utf8) + Array(data) + Array("\n\n".utf8)
        }
    }

    static let textFields = ["text", "thinking", "partial_json"]

    static func events(in answer: [UInt8]) -> [Event] {
        var events: [Event] = []
        var start = 0
        var index = 0
        while index < answer.count {
            // An event ends at a blank line: LF LF, or CR LF CR LF.
            if answer[index] == 0x0A, index + 1 < answer.count, answer[index + 1] == 0x0A {
                events.append(Self.event(Array(answer[start...(index + 1)])))
                start = index + 2
                index += 2
            } else if answer[index] == 0x0D, index + 3 < answer.count, answer[(index + 1)...(index + 3)].elementsEqual([0x0A, 0x0D, 0x0A]) {
                events.append(Self.event(Array(answer[start...(index + 3)])))
                start = index + 4
                index += 4
            } else {
                index += 1
            }
        }
        if start < answer.count { events.append(Event(bytes: Array(answer[start...]))) }
        return events
    }

    /// Reads a delta's block and text by the layout of its `data:` JSON (no full parse: every answer passes
    /// here before it is stored); the JSON is parsed whole only for a delta that has to be rewritten.
    static func event(_ bytes: [UInt8]) -> Event {
        var event = Event(bytes: bytes)
        guard let dataStart = Self.dataStart(in: bytes) else { return event }
        var dataEnd = bytes.count
        while dataEnd > dataStart, bytes[dataEnd - 1] == 0x0A || bytes[dataEnd - 1] == 0x0D { dataEnd -= 1 }
        bytes[dataStart..<dataEnd].withUnsafeBytes { data in
            guard let members = JSONLayout.members(of: data),
                let type = members.first(where: { $0.name.elementsEqual("type".utf8) }),
                data[type.value].elementsEqual(#""content_block_delta""#.utf8),
                let indexMember = members.first(where: { $0.name.elementsEqual("index".utf8) }),
                let block = Int(String(decoding: data[indexMember.value], as: UTF8.self)),
                let deltaMember = members.first(where: { $0.name.elementsEqual("delta".utf8) }),
                let inner = JSONLayout.members(of: UnsafeRawBufferPointer(rebasing: data[deltaMember.value]))
            else { return }
            let delta = UnsafeRawBufferPointer(rebasing: data[deltaMember.value])
            for field in Self.textFields {
                guard let member = inner.first(where: { $0.name.elementsEqual(field.utf8) }), member.value.count >= 2,
                    delta[member.value.lowerBound] == UInt8(ascii: "\"")
                else { continue }
                let raw = UnsafeRawBufferPointer(rebasing: delta[(member.value.lowerBound + 1)..<(member.value.upperBound - 1)])
                event.delta = Event.Delta(block: block, field: field, text: JSONFieldReader.unescape(raw))
                return
            }
        }
        return event
    }

    /// Where the (single) `data:` line's value begins.
    static func dataStart(in bytes: [UInt8]) -> Int? {
        var lineStart = 0
        while lineStart < bytes.count {
            if bytes[lineStart...].starts(with: "data:".utf8) {
                var start = lineStart + 5
                if start < bytes.count, bytes[start] == UInt8(ascii: " ") { start += 1 }
                return start
            }
            guard let newline = bytes[lineStart...].firstIndex(of: 0x0A) else { return nil }
            lineStart = newline + 1
        }
        return nil
    }
}
