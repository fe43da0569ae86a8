/// A `usage` object as the API sent it: every field optional, so that a `message_delta` can replace
/// only what it carries (`anthropic-wire.md` §3.4).
struct WireUsage: Sendable, Equatable {
    var inputTokens: Int64?
    var cacheCreationInputTokens: Int64?
    var cacheReadInputTokens: Int64?
    var outputTokens: Int64?
    /// `cache_creation`: the 5m/1h split. Only `message_start`, JSON bodies and iterations carry it.
    var cacheCreationSplit: CacheSplit?
    var webSearchRequests: Int64?
    var webFetchRequests: Int64?
    var serviceTier: String?
    var inferenceGeo: String?
    var iterations: [WireIteration]?

    struct CacheSplit: Sendable, Equatable {
        var fiveMinutes: Int64 = 0
        var oneHour: Int64 = 0
        var total: Int64 { self.fiveMinutes + self.oneHour }
    }

    /// Replaces each field `delta` carries (non-null); cumulative values, never added.
    mutating func replace(with delta: WireUsage) {
        if let value = delta.inputTokens { self.inputTokens = value }
        if let value = delta.cacheCreationInputTokens { self.cacheCreationInputTokens = value }
        if let value = delta.cacheReadInputTokens { self.cacheReadInputTokens = value }
        if let value = delta.outputTokens { self.outputTokens = value }
        if let value = delta.cacheCreationSplit { self.cacheCreationSplit = value }
        if let value = delta.webSearchRequests { self.webSearchRequests = value }
        if let value = delta.webFetchRequests { self.webFetchRequests = value }
        if let value = delta.serviceTier { self.serviceTier = value }
        if let value = delta.inferenceGeo { self.inferenceGeo = value }
        if let value = delta.iterations { self.iterations = value }
    }
}

/// One `usage.iterations[]` entry as sent.
struct WireIteration: Sendable, Equatable {
    var type = "message"
    var model: String?
    var inputTokens: Int64 = 0
    var cacheCreationInputTokens: Int64 = 0
    var cacheReadInputTokens: Int64 = 0
    var outputTokens: Int64 = 0
    var cacheCreationSplit: WireUsage.CacheSplit?
}

// MARK: - Reading

extension WireUsage {
    /// Reads the `usage` value that is next; nil when it is `null`.
    static func read(from reader: inout JSONFieldReader) throws(JSONFieldReader.Malformed) -> WireUsage? {
        if reader.consumeNull() { return nil }
        var usage = WireUsage()
        try reader.members { (reader, key) throws(JSONFieldReader.Malformed) in
            if key.is("input_tokens") {
                usage.inputTokens = try reader.readInt64()
            } else if key.is("cache_creation_input_tokens") {
                usage.cacheCreationInputTokens = try reader.readInt64()
            } else if key.is("cache_read_input_tokens") {
                usage.cacheReadInputTokens = try reader.readInt64()
            } else if key.is("output_tokens") {
                usage.outputTokens = try reader.readInt64()
            } else if key.is("cache_creation") {
                usage.cacheCreationSplit = try CacheSplit.read(from: &reader)
            } else if key.is("server_tool_use") {
                try usage.readServerToolUse(from: &reader)
            } else if key.is("service_tier") {
                usage.serviceTier = try reader.readString()
            } else if key.is("inference_geo") {
                usage.inferenceGeo = try reader.readString()
            } else if key.is("iterations") {
                usage.iterations = try WireIteration.readAll(from: &reader)
            } else {
                try reader.skipValue()
            }
        }
        return usage
    }

    private mutating func readServerToolUse(from reader: inout JSONFieldReader) throws(JSONFieldReader.Malformed) {
        if reader.consumeNull() { return }
        try reader.members { (reader, key) throws(JSONFieldReader.Malformed) in
            if key.is("web_search_requests") {
                self.webSearchRequests = try reader.readInt64()
            } else if key.is("web_fetch_requests") {
                self.webFetchRequests = try reader.readInt64()
            } else {
                try reader.skipValue()
            }
        }
    }
}

extension WireUsage.CacheSplit {
    static func read(from reader: inout JSONFieldReader) throws(JSONFieldReader.Malformed) -> Self? {
        if reader.consumeNull() { return nil }
        var split = Self()
        try reader.members { (reader, key) throws(JSONFieldReader.Malformed) in
            if key.is("ephemeral_5m_input_tokens") {
                split.fiveMinutes = try reader.readInt64() ?? 0
            } else if key.is("ephemeral_1h_input_tokens") {
                split.oneHour = try reader.readInt64() ?? 0
            } else {
                try reader.skipValue()
            }
        }
        return split
    }
}

extension WireIteration {
    static func readAll(from reader: inout JSONFieldReader) throws(JSONFieldReader.Malformed) -> [WireIteration]? {
        if reader.consumeNull() { return nil }
        var iterations: [WireIteration] = []
        try reader.elements { (reader) throws(JSONFieldReader.Malformed) in
            iterations.append(try Self.read(from: &reader))
        }
        return iterations
    }

    private static func read(from reader: inout JSONFieldReader) throws(JSONFieldReader.Malformed) -> WireIteration {
        var iteration = WireIteration()
        try reader.members { (reader, key) throws(JSONFieldReader.Malformed) in
            if key.is("type") {
                iteration.type = try reader.readString() ?? iteration.type
            } else if key.is("model") {
                iteration.model = try reader.readString()
            } else if key.is("input_tokens") {
                iteration.inputTokens = try reader.readInt64() ?? 0
            } else if key.is("cache_creation_input_tokens") {
                iteration.cacheCreationInputTokens = try reader.readInt64() ?? 0
            } else if key.is("cache_read_input_tokens") {
                iteration.cacheReadInputTokens = try reader.readInt64() ?? 0
            } else if key.is("output_tokens") {
                iteration.outputTokens = try reader.readInt64() ?? 0
            } else if key.is("cache_creation") {
                iteration.cacheCreationSplit = try WireUsage.CacheSplit.read(from: &reader)
            } else {
                try reader.skipValue()
            }
        }
        return iteration
    }
}
