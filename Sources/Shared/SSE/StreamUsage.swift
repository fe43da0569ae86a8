import NIOCore

/// The usage state of one event stream, updated event by event (`anthropic-wire.md` §3.4).
struct StreamUsage: Sendable {
    var model: String?
    var messageID: String?
    var usage = WireUsage()
    var stopReason: String?
    var errorType: String?
    var sawStart = false
    var sawDelta = false
    var sawStop = false
    /// Unicode scalars of text, thinking and partial_json streamed so far, for the floor estimate.
    var streamedScalars: Int64 = 0

    mutating func handle(_ event: SSEEvent) {
        // Dispatch on the `event:` name, as the SDKs do (§3.1); unknown events are ignored.
        switch event.name {
        case "content_block_delta": self.countDelta(event.data)
        case "message_start": self.start(event.data)
        case "message_delta": self.delta(event.data)
        case "message_stop": self.sawStop = true
        case "error": self.error(event.data)
        default: break
        }
    }

    func report(requestedTTL: CacheTTL) -> UsageReport {
        let resolved = self.usage.resolved(requestedTTL: requestedTTL)
        var usage = resolved.usage
        let estimated = !self.sawDelta && (self.sawStart || self.streamedScalars > 0)
        if estimated {
            // The floor estimate: about four characters per output token already sent (§3.4).
            usage.outputTokens = max(usage.outputTokens, (self.streamedScalars + 3) / 4)
        }
        return UsageReport(
            model: self.model,
            messageID: self.messageID,
            usage: usage,
            iterations: resolved.iterations,
            stopReason: self.stopReason,
            errorType: self.errorType,
            serviceTier: self.usage.serviceTier,
            inferenceGeo: self.usage.inferenceGeo,
            complete: self.sawStop && self.errorType == nil,
            estimated: estimated,
            splitEstimated: resolved.splitEstimated
        )
    }
}

// MARK: - Events

extension StreamUsage {
    /// `{"type":"content_block_delta","index":i,"delta":{"type":"text_delta","text":"…"}}`: counts the
    /// scalars of `text`, `thinking` or `partial_json`; other deltas (signature, citations) count nothing.
    private mutating func countDelta(_ data: ByteBuffer) {
        let count = data.withUnsafeReadableBytes { bytes -> Int64 in
            var reader = JSONFieldReader(bytes)
            var count: Int64 = 0
            try? reader.members { (reader, key) throws(JSONFieldReader.Malformed) in
                guard key.is("delta") else { return try reader.skipValue() }
                try reader.members { (reader, key) throws(JSONFieldReader.Malformed) in
                    if key.is("text") || key.is("thinking") || key.is("partial_json") {
                        count += try reader.countStringScalars()
                    } else {
                        try reader.skipValue()
                    }
                }
            }
            return count
        }
        self.streamedScalars += count
    }

    /// `{"type":"message_start","message":{"id":…,"model":…,"usage":{…}}}`.
    private mutating func start(_ data: ByteBuffer) {
        let parsed = data.withUnsafeReadableBytes { bytes -> (String?, String?, WireUsage?)? in
            var reader = JSONFieldReader(bytes)
            var message: (id: String?, model: String?, usage: WireUsage?) = (nil, nil, nil)
            do {
                try reader.members { (reader, key) throws(JSONFieldReader.Malformed) in
                    guard key.is("message") else { return try reader.skipValue() }
                    try reader.members { (reader, key) throws(JSONFieldReader.Malformed) in
                        if key.is("id") {
                            message.id = try reader.readString()
                        } else if key.is("model") {
                            message.model = try reader.readString()
                        } else if key.is("usage") {
                            message.usage = try WireUsage.read(from: &reader)
                        } else {
                            try reader.skipValue()
                        }
                    }
                }
            } catch {
                return nil
            }
            return message
        }
        guard let (id, model, usage) = parsed else { return }
        self.sawStart = true
        self.messageID = id ?? self.messageID
        self.model = model ?? self.model
        if let usage { self.usage = usage }
    }

    /// `{"type":"message_delta","delta":{"stop_reason":…},"usage":{…cumulative…}}`; a missing or null
    /// `usage` changes nothing.
    private mutating func delta(_ data: ByteBuffer) {
        let parsed = data.withUnsafeReadableBytes { bytes -> (String?, WireUsage?)? in
            var reader = JSONFieldReader(bytes)
            var stopReason: String?
            var usage: WireUsage?
            do {
                try reader.members { (reader, key) throws(JSONFieldReader.Malformed) in
                    if key.is("usage") {
                        usage = try WireUsage.read(from: &reader)
                    } else if key.is("delta") {
                        stopReason = try Self.readStopReason(from: &reader)
                    } else {
                        try reader.skipValue()
                    }
                }
            } catch {
                return nil
            }
            return (stopReason, usage)
        }
        guard let (stopReason, usage) = parsed else { return }
        self.stopReason = stopReason ?? self.stopReason
        if let usage {
            self.usage.replace(with: usage)
            self.sawDelta = true
        }
    }

    private static func readStopReason(from reader: inout JSONFieldReader) throws(JSONFieldReader.Malformed) -> String?
    {
        if reader.consumeNull() { return nil }
        var stopReason: String?
        try reader.members { (reader, key) throws(JSONFieldReader.Malformed) in
            if key.is("stop_reason") { stopReason = try reader.readString() } else { try reader.skipValue() }
        }
        return stopReason
    }

    /// `{"type":"error","error":{"type":"overloaded_error","message":…}}`.
    private mutating func error(_ data: ByteBuffer) {
        let type = data.withUnsafeReadableBytes { bytes in
            var reader = JSONFieldReader(bytes)
            return try? ErrorBody.readErrorType(from: &reader)
        }
        self.errorType = type ?? ErrorBody.unknownType
    }
}

/// Reading `{"type":"error","error":{"type":…}}` envelopes (`anthropic-wire.md` §4.1).
enum ErrorBody {
    /// Recorded when an error arrives whose type cannot be read.
    static let unknownType = "unknown_error"

    /// The `error.type` of the envelope that is next.
    static func readErrorType(from reader: inout JSONFieldReader) throws(JSONFieldReader.Malformed) -> String? {
        var type: String?
        try reader.members { (reader, key) throws(JSONFieldReader.Malformed) in
            guard key.is("error") else { return try reader.skipValue() }
            type = try Self.readType(from: &reader)
        }
        return type
    }

    /// The `type` of the object that is next (nil for null or a non-object).
    static func readType(from reader: inout JSONFieldReader) throws(JSONFieldReader.Malformed) -> String? {
        reader.skipWhitespace()
        guard reader.current == UInt8(ascii: "{") else {
            try reader.skipValue()
            return nil
        }
        var type: String?
        try reader.members { (reader, key) throws(JSONFieldReader.Malformed) in
            if key.is("type") { type = try reader.readString() } else { try reader.skipValue() }
        }
        return type
    }
}
