#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A forward-only reader that pulls the few fields Goosey needs out of one JSON text and skips the rest
/// without building anything.
///
/// It never reads outside `bytes`; input that is not JSON throws `Malformed`. Integers are clamped to
/// `maxInteger` so that later sums and prices cannot overflow. Used only inside a
/// `withUnsafeReadableBytes` closure: the reader must not outlive the bytes it reads.
struct JSONFieldReader {
    struct Malformed: Error {}

    /// A member name, as raw bytes (escapes are not decoded; Anthropic's keys have none).
    struct Key {
        let bytes: UnsafeRawBufferPointer

        func `is`(_ name: StaticString) -> Bool {
            let count = name.utf8CodeUnitCount
            guard self.bytes.count == count, let base = self.bytes.baseAddress else { return count == 0 }
            return memcmp(base, name.utf8Start, count) == 0
        }
    }

    static let maxDepth = 128
    /// 10^15: far above any real token count; prices saturate rather than overflow beyond it.
    static let maxInteger: Int64 = 1_000_000_000_000_000

    let bytes: UnsafeRawBufferPointer
    var index = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    var current: UInt8? { self.index < self.bytes.count ? self.bytes[self.index] : nil }

    mutating func skipWhitespace() {
        while self.index < self.bytes.count {
            switch self.bytes[self.index] {
            case 0x20, 0x0A, 0x0D, 0x09: self.index += 1
            default: return
            }
        }
    }

    mutating func expect(_ byte: UInt8) throws(Malformed) {
        guard self.current == byte else { throw Malformed() }
        self.index += 1
    }

    /// Consumes `null` if it is next.
    mutating func consumeNull() -> Bool {
        self.skipWhitespace()
        guard self.current == UInt8(ascii: "n") else { return false }
        return (try? self.literal("null")) != nil
    }

    /// Walks the members of the object that is next; `body` gets each key and must consume its value.
    mutating func members(_ body: (inout JSONFieldReader, Key) throws(Malformed) -> Void) throws(Malformed) {
        self.skipWhitespace()
        try self.expect(UInt8(ascii: "{"))
        self.skipWhitespace()
        if self.current == UInt8(ascii: "}") {
            self.index += 1
            return
        }
        while true {
            let key = try self.key()
            self.skipWhitespace()
            try self.expect(UInt8(ascii: ":"))
            self.skipWhitespace()
            try body(&self, key)
            guard try self.nextMember(closing: UInt8(ascii: "}")) else { return }
        }
    }

    /// Walks the elements of the array that is next; `body` must consume each element.
    mutating func elements(_ body: (inout JSONFieldReader) throws(Malformed) -> Void) throws(Malformed) {
        self.skipWhitespace()
        try self.expect(UInt8(ascii: "["))
        self.skipWhitespace()
        if self.current == UInt8(ascii: "]") {
            self.index += 1
            return
        }
        while true {
            self.skipWhitespace()
            try body(&self)
            guard try self.nextMember(closing: UInt8(ascii: "]")) else { return }
        }
    }

    /// After a value: true at `,` (more follow), false at the closing bracket.
    private mutating func nextMember(closing: UInt8) throws(Malformed) -> Bool {
        self.skipWhitespace()
        switch self.current {
        case UInt8(ascii: ","):
            self.index += 1
            self.skipWhitespace()
            return true
        case closing:
            self.index += 1
            return false
        default:
            throw Malformed()
        }
    }

    private mutating func key() throws(Malformed) -> Key {
        guard self.current == UInt8(ascii: "\"") else { throw Malformed() }
        let start = self.index + 1
        let end = try self.stringEnd(from: start).end
        self.index = end + 1
        return Key(bytes: UnsafeRawBufferPointer(rebasing: self.bytes[start..<end]))
    }

    /// A non-negative integer, clamped to `maxInteger`; nil for `null` and for any other value (skipped).
    mutating func readInt64() throws(Malformed) -> Int64? {
        self.skipWhitespace()
        guard let first = self.current, first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") else {
            try self.skipValue()
            return nil
        }
        var value: Int64 = 0
        while let byte = self.current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
            if value < Self.maxInteger { value = value * 10 + Int64(byte &- UInt8(ascii: "0")) }
            self.index += 1
        }
        if let byte = self.current, byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
        {
            try self.skipNumber()
            return nil
        }
        return min(value, Self.maxInteger)
    }

    /// A string, unescaped; nil for `null` and for any other value (skipped).
    mutating func readString() throws(Malformed) -> String? {
        self.skipWhitespace()
        guard self.current == UInt8(ascii: "\"") else {
            try self.skipValue()
            return nil
        }
        let start = self.index + 1
        let (end, escaped) = try self.stringEnd(from: start)
        self.index = end + 1
        let raw = UnsafeRawBufferPointer(rebasing: self.bytes[start..<end])
        return escaped ? Self.unescape(raw) : String(decoding: raw, as: UTF8.self)
    }

    mutating func skipValue(depth: Int = 0) throws(Malformed) {
        self.skipWhitespace()
        guard depth < Self.maxDepth, let byte = self.current else { throw Malformed() }
        switch byte {
        case UInt8(ascii: "{"):
            try self.members { (reader, _) throws(Malformed) in try reader.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["):
            try self.elements { (reader) throws(Malformed) in try reader.skipValue(depth: depth + 1) }
        case UInt8(ascii: "\""):
            self.index = try self.stringEnd(from: self.index + 1).end + 1
        case UInt8(ascii: "t"): try self.literal("true")
        case UInt8(ascii: "f"): try self.literal("false")
        case UInt8(ascii: "n"): try self.literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try self.skipNumber()
        default: throw Malformed()
        }
    }

    private mutating func skipNumber() throws(Malformed) {
        let start = self.index
        while let byte = self.current {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
                UInt8(ascii: "e"), UInt8(ascii: "E"):
                self.index += 1
            default:
                guard self.index > start else { throw Malformed() }
                return
            }
        }
        guard self.index > start else { throw Malformed() }
    }

    private mutating func literal(_ word: StaticString) throws(Malformed) {
        let count = word.utf8CodeUnitCount
        guard self.index + count <= self.bytes.count, let base = self.bytes.baseAddress,
            memcmp(base + self.index, word.utf8Start, count) == 0
        else { throw Malformed() }
        self.index += count
    }

    /// The index of the quote that closes the string whose first content byte is at `start`, found with
    /// memchr, and whether the string holds any escape.
    func stringEnd(from start: Int) throws(Malformed) -> (end: Int, escaped: Bool) {
        guard let base = self.bytes.baseAddress, start <= self.bytes.count else { throw Malformed() }
        var from = start
        while from < self.bytes.count {
            guard let hit = memchr(base + from, Int32(UInt8(ascii: "\"")), self.bytes.count - from) else { break }
            let quote = UnsafeRawPointer(hit) - base
            var backslashes = 0
            while quote - backslashes - 1 >= start, self.bytes[quote - backslashes - 1] == UInt8(ascii: "\\") {
                backslashes += 1
            }
            if backslashes % 2 == 0 {
                let escaped = memchr(base + start, Int32(UInt8(ascii: "\\")), quote - start) != nil
                return (quote, escaped)
            }
            from = quote + 1
        }
        throw Malformed()
    }
}
