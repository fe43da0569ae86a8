import NIOCore

/// Appends JSON text straight into a `ByteBuffer`.
///
/// The SSE hot path renders every event with this instead of `JSONEncoder`: static fragments are
/// copied as they are and only dynamic strings (model, text deltas) go through escaping.
struct MockJSONWriter {
    var buffer: ByteBuffer

    init(capacity: Int) {
        self.buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    /// Appends a fragment that is already valid JSON (or SSE framing).
    mutating func raw(_ fragment: StaticString) {
        self.buffer.writeStaticString(fragment)
    }

    /// Appends an integer literal.
    mutating func int(_ value: Int) {
        self.buffer.writeString(String(value))
    }

    /// Appends `value` as a quoted, escaped JSON string.
    mutating func string(_ value: String) {
        self.buffer.writeInteger(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var start = 0
            for index in 0..<utf8.count where Self.needsEscape(utf8[index]) {
                if index > start {
                    self.buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: utf8[start..<index])))
                }
                self.escape(utf8[index])
                start = index + 1
            }
            if start < utf8.count {
                self.buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: utf8[start...])))
            }
        }
        self.buffer.writeInteger(UInt8(ascii: "\""))
    }

    /// Appends the string `value`, or `null` when it is nil.
    mutating func stringOrNull(_ value: String?) {
        if let value { self.string(value) } else { self.raw("null") }
    }

    @inline(__always)
    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    private mutating func escape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): self.raw("\\\"")
        case UInt8(ascii: "\\"): self.raw("\\\\")
        case UInt8(ascii: "\n"): self.raw("\\n")
        case UInt8(ascii: "\r"): self.raw("\\r")
        case UInt8(ascii: "\t"): self.raw("\\t")
        case 0x08: self.raw("\\b")
        case 0x0c: self.raw("\\f")
        default:
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            self.raw("\\u00")
            self.buffer.writeInteger(hex[Int(byte >> 4)])
            self.buffer.writeInteger(hex[Int(byte & 0x0f)])
        }
    }
}
