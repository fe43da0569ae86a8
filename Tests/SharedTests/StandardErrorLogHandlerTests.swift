import Logging
import Synchronization
import Testing

@testable import Shared

/// The edge's log handler must write what swift-log's stream handler writes: operators' log tooling reads it.
@Suite struct StandardErrorLogHandlerTests {
    /// Collects what a `StreamLogHandler` writes.
    final class Captured: TextOutputStream, @unchecked Sendable {
        let text = Mutex("")
        func write(_ string: String) { self.text.withLock { $0 += string } }
    }

    static let provider = Logger.MetadataProvider { ["trace": "t-1", "goosey.key.id": "provided"] }

    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var loggerMetadata: Logger.Metadata
        var provider: Logger.MetadataProvider?
        var eventMetadata: Logger.Metadata?
        var error: (any Error)?
        var testDescription: String { "label \(self.label.isEmpty ? "empty" : self.label), \(self.loggerMetadata.count) logger fields" }
    }

    struct Refusal: Error, CustomStringConvertible {
        var description: String { "refused" }
    }

    @Test(arguments: [
        Case(label: "goosey-edge", loggerMetadata: [:], provider: nil, eventMetadata: nil),
        Case(label: "", loggerMetadata: ["b": "2", "a": "1"], provider: nil, eventMetadata: nil),
        Case(label: "goosey-edge", loggerMetadata: ["hb.request.id": "42", "goosey.key.id": "k1"], provider: Self.provider, eventMetadata: nil),
        Case(
            label: "goosey-edge", loggerMetadata: ["f": "6", "c": "3", "e": "5", "a": "1", "d": "4", "b": "2", "hb.request.id": "9"],
            provider: nil, eventMetadata: ["g": "7", "0": "zero"]
        ),
        Case(
            label: "goosey-edge", loggerMetadata: ["goosey.key.id": "k1", "z": ["x", "y"]], provider: Self.provider,
            eventMetadata: ["goosey.key.id": "explicit", "n": "\(7)"], error: Refusal()
        ),
    ])
    func writesTheLineStreamLogHandlerWrites(_ example: Case) {
        let captured = Captured()
        var stream = StreamLogHandler(label: example.label, stream: captured, metadataProvider: example.provider)
        var lazy = StandardErrorLogHandler(label: example.label, metadataProvider: example.provider)
        for (key, value) in example.loggerMetadata {
            stream[metadataKey: key] = value
            lazy[metadataKey: key] = value
        }
        let event = LogEvent(
            level: .notice, message: "request refused", error: example.error, metadata: example.eventMetadata,
            source: "Edge", file: #fileID, function: #function, line: #line
        )
        stream.log(event: event)
        let expected = captured.text.withLock { $0 }
        let timestamp = String(expected.prefix { $0 != " " })
        #expect(!timestamp.isEmpty)
        #expect(lazy.line(for: event, at: timestamp) == expected)
    }

    @Test func metadataSetOnTheLoggerIsKeptUntilRemoved() {
        var handler = StandardErrorLogHandler(label: "goosey-edge", metadataProvider: nil)
        handler[metadataKey: "goosey.key.id"] = "k1"
        #expect(handler[metadataKey: "goosey.key.id"] == "k1")
        handler[metadataKey: "goosey.key.id"] = nil
        #expect(handler.metadata.isEmpty)
    }
}
