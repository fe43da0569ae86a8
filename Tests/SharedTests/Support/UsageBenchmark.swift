import Foundation
import NIOCore
import Shared

/// A micro-benchmark of reading usage off a stream: the hand-written reader `UsageMeter` uses against
/// `JSONDecoder` and `JSONSerialization` doing the same work on the same events.
/// Run it in release: see `UsageMeterBenchmarkTests`.
enum UsageBenchmark {
    struct Result: CustomStringConvertible {
        var name: String
        var streams: Int
        var seconds: Double
        var bytesPerStream: Int
        var eventsPerStream: Int
        var microsecondsPerStream: Double { self.seconds * 1e6 / Double(self.streams) }
        var nanosecondsPerEvent: Double { self.seconds * 1e9 / Double(self.streams * self.eventsPerStream) }
        var megabytesPerSecond: Double { Double(self.bytesPerStream * self.streams) / self.seconds / 1e6 }
        var description: String {
            let name = self.name.padding(toLength: 34, withPad: " ", startingAt: 0)
            return name
                + String(
                    format: "%9.1f µs/stream %8.0f ns/event %8.1f MB/s",
                    self.microsecondsPerStream,
                    self.nanosecondsPerEvent,
                    self.megabytesPerSecond
                )
        }
    }

    /// A realistic 200-event stream: thinking, text with some non-ASCII and escapes, a tool call, pings.
    static func realisticStream() -> String {
        var events: [String] = []
        func add(_ name: String, _ json: String) { events.append("event: \(name)\ndata: \(json)\n\n") }
        add(
            "message_start",
            #"{"type":"message_start","message":{"model":"claude-sonnet-4-6","id":"msg_01LFVLf5zSMPwTcS2SW2hMoA","type":"message","role":"assistant","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":17,"cache_creation_input_tokens":2067,"cache_read_input_tokens":45622,"cache_creation":{"ephemeral_5m_input_tokens":2067,"ephemeral_1h_input_tokens":0},"output_tokens":1,"service_tier":"standard","inference_geo":"not_available"}}}"#
        )
        add(
            "content_block_start",
            #"{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}"#
        )
        let words = [
            "the", "tests", "should", "run", "with", "swift", "test", "—", "café", "\\n", "parser", "\\\"quoted\\\"",
            "ByteBuffer", "überprüfen",
        ]
        func phrase(_ seed: Int, _ count: Int) -> String {
            (0..<count).map { words[(seed * 7 + $0 * 3) % words.count] }.joined(separator: " ")
        }
        for i in 0..<60 {
            if i % 20 == 10 { add("ping", #"{"type": "ping"}"#) }
            add(
                "content_block_delta",
                #"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"\#(phrase(i, 4 + i % 9))"}}"#
            )
        }
        add(
            "content_block_delta",
            #"{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkEqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrk"}}"#
        )
        add("content_block_stop", #"{"type":"content_block_stop","index":0}"#)
        add(
            "content_block_start",
            #"{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}"#
        )
        for i in 0..<95 {
            if i % 30 == 15 { add("ping", #"{"type": "ping"}"#) }
            add(
                "content_block_delta",
                #"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"\#(phrase(i + 3, 1 + i % 7))"}}"#
            )
        }
        add("content_block_stop", #"{"type":"content_block_stop","index":1}"#)
        add(
            "content_block_start",
            #"{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"Bash","input":{}}}"#
        )
        for i in 0..<(200 - events.count - 3) {
            add(
                "content_block_delta",
                #"{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"\#(i == 0 ? "{\\\"command\\\": \\\"" : phrase(i, 2))"}}"#
            )
        }
        add("content_block_stop", #"{"type":"content_block_stop","index":2}"#)
        add(
            "message_delta",
            #"{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"input_tokens":17,"cache_creation_input_tokens":2067,"cache_read_input_tokens":45622,"output_tokens":1296,"output_tokens_details":{"thinking_tokens":441}}}"#
        )
        add("message_stop", #"{"type":"message_stop"}"#)
        precondition(events.count == 200)
        return events.joined()
    }

    /// The stream cut the way a TLS/HTTP client hands it over: chunks of 300 to 1,800 bytes.
    static func networkChunks(_ text: String) -> [ByteBuffer] {
        SSEFixtures.chunks(
            Array(text.utf8),
            sizes: SSEFixtures.randomSizes(count: 97, upTo: 1500, seed: 7).map { $0 + 300 }
        )
    }

    static func run(streams: Int) -> [Result] {
        let text = Self.realisticStream()
        let chunks = Self.networkChunks(text)
        let bytes = text.utf8.count
        func measure(_ name: String, _ body: () -> Int64) -> Result {
            var sink: Int64 = 0
            for _ in 0..<max(1, streams / 10) { sink &+= body() }  // warm up
            let start = ContinuousClock.now
            for _ in 0..<streams { sink &+= body() }
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            precondition(sink != 42)
            return Result(name: name, streams: streams, seconds: seconds, bytesPerStream: bytes, eventsPerStream: 200)
        }
        return [
            measure("SSEParser only (events, no JSON)") { Self.parseOnly(chunks) },
            measure("UsageMeter (hand-written reader)") { Self.meter(chunks) },
            measure("SSEParser + JSONDecoder") { Self.withJSONDecoder(chunks) },
            measure("SSEParser + JSONSerialization") { Self.withJSONSerialization(chunks) },
        ]
    }

    static func parseOnly(_ chunks: [ByteBuffer]) -> Int64 {
        var parser = SSEParser()
        var count: Int64 = 0
        for chunk in chunks { parser.feed(chunk) { count += Int64($0.data.readableBytes) } }
        return count
    }

    static func meter(_ chunks: [ByteBuffer]) -> Int64 {
        var meter = UsageMeter(contentType: "text/event-stream")
        for chunk in chunks { meter.feed(chunk) }
        let report = meter.finish()
        return report.usage.outputTokens + report.usage.inputTokens
    }
}
