import NIOCore
import Shared

/// Streams and bodies from `anthropic-wire.md`, byte for byte.
enum SSEFixtures {
    /// The §3.5 example stream (thinking, text, tool use; LF line endings).
    static let exampleStream = #"""
        event: message_start
        data: {"type":"message_start","message":{"model":"claude-sonnet-4-6","id":"msg_01LFVLf5zSMPwTcS2SW2hMoA","type":"message","role":"assistant","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":17,"cache_creation_input_tokens":67,"cache_read_input_tokens":15622,"cache_creation":{"ephemeral_5m_input_tokens":67,"ephemeral_1h_input_tokens":0},"output_tokens":1,"service_tier":"standard","inference_geo":"not_available"}}}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}

        event: ping
        data: {"type": "ping"}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"The user wants the test suite run."}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrk..."}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: content_block_start
        data: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"I'll run"}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":" the tests."}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":1}

        event: content_block_start
        data: {"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"Bash","input":{}}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"command\": \"swift te"}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"st\"}"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":2}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"input_tokens":17,"cache_creation_input_tokens":67,"cache_read_input_tokens":15622,"output_tokens":96,"output_tokens_details":{"thinking_tokens":41}}}

        event: message_stop
        data: {"type":"message_stop"}


        """#

    /// The §3.5 stream up to (not including) its `message_delta`: what a client that hangs up early saw.
    static var exampleStreamBeforeMessageDelta: String {
        String(Self.exampleStream[..<Self.exampleStream.firstRange(of: "event: message_delta")!.lowerBound])
    }

    /// Splits `bytes` into chunks of the given sizes, cycling through them.
    static func chunks(_ bytes: [UInt8], sizes: [Int]) -> [ByteBuffer] {
        var chunks: [ByteBuffer] = []
        var offset = 0
        var turn = 0
        while offset < bytes.count {
            let size = max(1, sizes[turn % sizes.count])
            let end = min(bytes.count, offset + size)
            chunks.append(ByteBuffer(bytes: bytes[offset..<end]))
            offset = end
            turn += 1
        }
        return chunks
    }

    /// `bytes` cut in two at `offset` (either half may be empty).
    static func split(_ bytes: [UInt8], at offset: Int) -> [ByteBuffer] {
        [ByteBuffer(bytes: bytes[..<offset]), ByteBuffer(bytes: bytes[offset...])]
    }

    /// Random chunk sizes from a fixed seed, so a failure reproduces.
    static func randomSizes(count: Int, upTo limit: Int, seed: UInt64) -> [Int] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(limit)) + 1
        }
    }
}

extension SSEFixtures {
    /// Every event the parser dispatches for `chunks`, as (name, data text) pairs.
    static func events(_ chunks: [ByteBuffer], maxEventBytes: Int = SSEParser.defaultMaxEventBytes) -> [Pair] {
        var parser = SSEParser(maxEventBytes: maxEventBytes)
        var events: [Pair] = []
        for chunk in chunks {
            parser.feed(chunk) { events.append(Pair(name: $0.name, data: $0.text)) }
        }
        return events
    }

    static func events(_ text: String) -> [Pair] {
        Self.events([ByteBuffer(string: text)])
    }

    /// The report a meter gives after reading `chunks`.
    static func report(
        _ chunks: [ByteBuffer],
        contentType: String? = "text/event-stream",
        requestedTTL: CacheTTL = .fiveMinutes,
        aborted: Bool = false
    ) -> UsageReport {
        var meter = UsageMeter(contentType: contentType, requestedTTL: requestedTTL)
        for chunk in chunks { meter.feed(chunk) }
        if aborted { meter.markAborted() }
        return meter.finish()
    }

    static func report(
        _ text: String,
        contentType: String? = "text/event-stream",
        requestedTTL: CacheTTL = .fiveMinutes,
        aborted: Bool = false
    ) -> UsageReport {
        Self.report([ByteBuffer(string: text)], contentType: contentType, requestedTTL: requestedTTL, aborted: aborted)
    }

    /// One SSE event as Anthropic frames it.
    static func event(_ name: String, _ json: String) -> String {
        "event: \(name)\ndata: \(json)\n\n"
    }

    struct Pair: Equatable, CustomStringConvertible {
        var name: String
        var data: String
        var description: String { "\(self.name): \(self.data)" }
    }
}
