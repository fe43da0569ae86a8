import CHiredis

/// One RESP2 reply, nested replies included (`EXEC`, `EVALSHA` returning a table, `SCAN`).
public enum RedisReply: Sendable, Hashable {
    /// A simple string such as `OK` or `PONG`.
    case status(String)
    /// An error reply. At the top level `RedisConnection.command` throws it as `RedisError`;
    /// it appears here only nested in an array (a failed command inside `EXEC`, a Lua table).
    case error(String)
    case integer(Int64)
    /// A bulk string, byte for byte.
    case data([UInt8])
    case array([RedisReply])
    /// A nil bulk string or nil array (`GET` of a missing key, `BLPOP` timing out).
    case null

    /// The text of a bulk string (decoded as UTF-8, invalid bytes replaced) or of a status.
    public var string: String? {
        switch self {
        case .data(let bytes): String(decoding: bytes, as: UTF8.self)
        case .status(let text): text
        default: nil
        }
    }

    public var integer: Int64? {
        if case .integer(let value) = self { value } else { nil }
    }

    public var array: [RedisReply]? {
        if case .array(let elements) = self { elements } else { nil }
    }

    public var isNull: Bool { self == .null }
}

// MARK: - Reading hiredis replies

extension RedisReply {
    /// Copies a hiredis reply tree into Swift values; the caller still frees `reply`.
    init(copying reply: UnsafePointer<redisReply>) throws(RedisError) {
        let node = reply.pointee
        switch node.type {
        case REDIS_REPLY_STRING, 13, 14:  // 13, 14: RESP3 big number and verbatim string (hiredis ≥ 1.0)
            self = .data(Self.bytes(node))
        case REDIS_REPLY_STATUS, 7:  // 7: RESP3 double, which hiredis ≥ 1.0 keeps as text in `str`
            self = .status(String(decoding: Self.bytes(node), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            self = .error(String(decoding: Self.bytes(node), as: UTF8.self))
        case REDIS_REPLY_INTEGER, 8:  // 8: RESP3 boolean
            self = .integer(Int64(node.integer))
        case REDIS_REPLY_NIL:
            self = .null
        case REDIS_REPLY_ARRAY, 9, 10, 12:  // 9, 10, 12: RESP3 map (flattened pairs), set and push
            self = .array(try Self.elements(node))
        default:
            throw RedisError(kind: .protocolError, detail: "hiredis returned reply type \(node.type)")
        }
    }

    private static func bytes(_ node: redisReply) -> [UInt8] {
        guard let str = node.str, node.len > 0 else { return [] }
        return str.withMemoryRebound(to: UInt8.self, capacity: node.len) {
            Array(UnsafeBufferPointer(start: $0, count: node.len))
        }
    }

    private static func elements(_ node: redisReply) throws(RedisError) -> [RedisReply] {
        guard let element = node.element else { return [] }
        var result: [RedisReply] = []
        result.reserveCapacity(node.elements)
        for index in 0..<node.elements {
            guard let child = element[index] else {
                throw RedisError(kind: .protocolError, detail: "hiredis returned an array with a missing element")
            }
            result.append(try RedisReply(copying: child))
        }
        return result
    }
}
