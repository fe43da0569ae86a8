/// Checks that bytes are one well-formed JSON value (RFC 8259) in a single pass, without building
/// anything: the edge must refuse a body that is not JSON without paying for a full decode.
public enum JSONValidator {
    public static let defaultMaxDepth = 512

    public struct Failure: Error, Equatable, CustomStringConvertible {
        public var offset: Int
        public var reason: String
        public var description: String { "\(self.reason) at byte \(self.offset)" }
    }

    /// - Returns: nil when `bytes` hold exactly one JSON value (surrounding white space allowed).
    public static func validate(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = defaultMaxDepth) -> Failure? {
        var scanner = Scanner(bytes: bytes, maxDepth: maxDepth)
        do throws(Failure) {
            scanner.skipWhitespace()
            try scanner.value(depth: 0)
            scanner.skipWhitespace()
            guard scanner.index == bytes.count else { throw scanner.fail("unexpected data after the JSON value") }
            return nil
        } catch {
            return error
        }
    }

    public static func validate(_ bytes: [UInt8], maxDepth: Int = defaultMaxDepth) -> Failure? {
        bytes.withUnsafeBytes { self.validate($0, maxDepth: maxDepth) }
    }
}

extension JSONValidator {
    struct Scanner {
        let bytes: UnsafeRawBufferPointer
        let maxDepth: Int
        var index = 0

        init(bytes: UnsafeRawBufferPointer, maxDepth: Int) {
            self.bytes = bytes
            self.maxDepth = maxDepth
        }

        func fail(_ reason: String) -> Failure { Failure(offset: self.index, reason: reason) }

        var current: UInt8? { self.index < self.bytes.count ? self.bytes[self.index] : nil }

        mutating func skipWhitespace() {
            while self.index < self.bytes.count {
                switch self.bytes[self.index] {
                case 0x20, 0x0A, 0x0D, 0x09: self.index += 1
                default: return
                }
            }
        }

        mutating func value(depth: Int) throws(Failure) {
            guard let byte = self.current else { throw self.fail("unexpected end of input") }
            switch byte {
            case UInt8(ascii: "{"): try self.object(depth: depth + 1)
            case UInt8(ascii: "["): try self.array(depth: depth + 1)
            case UInt8(ascii: "\""): try self.string()
            case UInt8(ascii: "t"): try self.literal("true")
            case UInt8(ascii: "f"): try self.literal("false")
            case UInt8(ascii: "n"): try self.literal("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try self.number()
            default: throw self.fail("unexpected character")
            }
        }

        mutating func object(depth: Int) throws(Failure) {
            guard depth <= self.maxDepth else { throw self.fail("nested too deeply") }
            self.index += 1
            self.skipWhitespace()
            if self.current == UInt8(ascii: "}") {
                self.index += 1
                return
            }
            while true {
                guard self.current == UInt8(ascii: "\"") else { throw self.fail("expected a member name") }
                try self.string()
                self.skipWhitespace()
                guard self.current == UInt8(ascii: ":") else { throw self.fail("expected `:`") }
                self.index += 1
                self.skipWhitespace()
                try self.value(depth: depth)
                self.skipWhitespace()
                switch self.current {
                case UInt8(ascii: ","): self.index += 1; self.skipWhitespace()
                case UInt8(ascii: "}"): self.index += 1; return
                default: throw self.fail("expected `,` or `}`")
                }
            }
        }

        mutating func array(depth: Int) throws(Failure) {
            guard depth <= self.maxDepth else { throw self.fail("nested too deeply") }
            self.index += 1
            self.skipWhitespace()
            if self.current == UInt8(ascii: "]") {
                self.index += 1
                return
            }
            while true {
                try self.value(depth: depth)
                self.skipWhitespace()
                switch self.current {
                case UInt8(ascii: ","): self.index += 1; self.skipWhitespace()
                case UInt8(ascii: "]"): self.index += 1; return
                default: throw self.fail("expected `,` or `]`")
                }
            }
        }

        mutating func literal(_ word: StaticString) throws(Failure) {
            let count = word.utf8CodeUnitCount
            guard self.index + count <= self.bytes.count else { throw self.fail("unexpected end of input") }
            for offset in 0..<count where self.bytes[self.index + offset] != word.utf8Start[offset] {
                throw self.fail("unexpected character")
            }
            self.index += count
        }

        mutating func number() throws(Failure) {
            if self.current == UInt8(ascii: "-") { self.index += 1 }
            if self.current == UInt8(ascii: "0") {
                self.index += 1
            } else {
                guard self.digits() > 0 else { throw self.fail("bad number") }
            }
            if self.current == UInt8(ascii: ".") {
                self.index += 1
                guard self.digits() > 0 else { throw self.fail("bad number") }
            }
            if self.current == UInt8(ascii: "e") || self.current == UInt8(ascii: "E") {
                self.index += 1
                if self.current == UInt8(ascii: "+") || self.current == UInt8(ascii: "-") { self.index += 1 }
                guard self.digits() > 0 else { throw self.fail("bad number") }
            }
        }

        mutating func digits() -> Int {
            let start = self.index
            while let byte = self.current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { self.index += 1 }
            return self.index - start
        }
    }
}
