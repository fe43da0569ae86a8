import NIOCore

/// Reading a whole non-streaming response body (`anthropic-wire.md` §2): a message, an error envelope,
/// or something else (a models list, a token count) that carries no billable usage.
enum MessageBody {
    struct Fields {
        var type: String?
        var id: String?
        var model: String?
        var stopReason: String?
        var usage: WireUsage?
        var errorType: String?
        var parsedWhole = false
    }

    static func report(_ body: ByteBuffer, truncated: Bool, bytesSeen: Int, requestedTTL: CacheTTL) -> UsageReport {
        let fields = body.withUnsafeReadableBytes { Self.read($0) }
        let isError = fields.type == "error"
        let resolved = isError ? nil : fields.usage?.resolved(requestedTTL: requestedTTL)
        let complete = fields.parsedWhole && !truncated && fields.type == "message" && resolved != nil
        let unreadable = truncated || (!fields.parsedWhole && bytesSeen > 0) || fields.type == "message"
        return UsageReport(
            model: fields.model,
            messageID: fields.id,
            usage: resolved?.usage ?? TokenUsage(),
            iterations: resolved?.iterations ?? [],
            stopReason: fields.stopReason,
            errorType: isError ? (fields.errorType ?? ErrorBody.unknownType) : nil,
            serviceTier: isError ? nil : fields.usage?.serviceTier,
            inferenceGeo: isError ? nil : fields.usage?.inferenceGeo,
            complete: complete,
            estimated: !complete && !isError && unreadable,
            splitEstimated: resolved?.splitEstimated ?? false
        )
    }

    /// Reads the top-level fields; on malformed or truncated input keeps what came before the damage.
    static func read(_ bytes: UnsafeRawBufferPointer) -> Fields {
        var reader = JSONFieldReader(bytes)
        var fields = Fields()
        do {
            try reader.members { (reader, key) throws(JSONFieldReader.Malformed) in
                try Self.readMember(key, from: &reader, into: &fields)
            }
            reader.skipWhitespace()
            fields.parsedWhole = reader.index == bytes.count
        } catch {
            fields.parsedWhole = false
        }
        return fields
    }

    private static func readMember(
        _ key: JSONFieldReader.Key,
        from reader: inout JSONFieldReader,
        into fields: inout Fields
    ) throws(JSONFieldReader.Malformed) {
        if key.is("type") {
            fields.type = try reader.readString()
        } else if key.is("id") {
            fields.id = try reader.readString()
        } else if key.is("model") {
            fields.model = try reader.readString()
        } else if key.is("stop_reason") {
            fields.stopReason = try reader.readString()
        } else if key.is("usage") {
            fields.usage = try WireUsage.read(from: &reader)
        } else if key.is("error") {
            fields.errorType = try ErrorBody.readType(from: &reader)
        } else {
            try reader.skipValue()
        }
    }
}
