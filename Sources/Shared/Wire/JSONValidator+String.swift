extension JSONValidator.Scanner {
    /// A string: no raw control characters, only the escapes JSON allows, and valid UTF-8.
    mutating func string() throws(JSONValidator.Failure) {
        self.index += 1
        while self.index < self.bytes.count {
            self.skipPlainText()
            guard self.index < self.bytes.count else { break }
            let byte = self.bytes[self.index]
            switch byte {
            case UInt8(ascii: "\""):
                self.index += 1
                return
            case UInt8(ascii: "\\"):
                try self.escape()
            case 0x00..<0x20:
                throw self.fail("control character in a string")
            case 0x20..<0x80:
                self.index += 1
            default:
                try self.multiByteScalar(lead: byte)
            }
        }
        throw self.fail("unterminated string")
    }

    /// Skips eight bytes at a time while none of them is a quote, a backslash, a control character or part
    /// of a multi-byte scalar: the bulk of a Claude Code body is such text, and `string()` then looks at
    /// each byte only where something may happen.
    private mutating func skipPlainText() {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        while self.index + 8 <= self.bytes.count {
            let word = self.bytes.loadUnaligned(fromByteOffset: self.index, as: UInt64.self)
            let quotes = word ^ (ones &* UInt64(UInt8(ascii: "\"")))
            let backslashes = word ^ (ones &* UInt64(UInt8(ascii: "\\")))
            // A byte's high bit ends up set where it is zero in `quotes` or `backslashes`, below 0x20 in
            // `word`, or 0x80 and above.
            let special = ((quotes &- ones) & ~quotes) | ((backslashes &- ones) & ~backslashes)
                | ((word &- ones &* 0x20) & ~word) | word
            let flagged = special & highBits
            if flagged != 0 {
                // Borrows only ever flag bytes above a byte that is special itself: the lowest flag is exact.
                self.index += flagged.littleEndian.trailingZeroBitCount >> 3
                return
            }
            self.index += 8
        }
    }

    private mutating func escape() throws(JSONValidator.Failure) {
        guard self.index + 1 < self.bytes.count else { throw self.fail("unterminated string") }
        switch self.bytes[self.index + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            self.index += 2
        case UInt8(ascii: "u"):
            guard self.index + 6 <= self.bytes.count else { throw self.fail("unterminated string") }
            for offset in 2..<6 where !Self.isHexDigit(self.bytes[self.index + offset]) {
                throw self.fail("bad \\u escape")
            }
            self.index += 6
        default:
            throw self.fail("bad escape")
        }
    }

    /// One UTF-8 scalar of two to four bytes, rejecting overlong forms and surrogates.
    private mutating func multiByteScalar(lead: UInt8) throws(JSONValidator.Failure) {
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: throw self.fail("invalid UTF-8")
        }
        guard self.index + length <= self.bytes.count else { throw self.fail("invalid UTF-8") }
        let second = self.bytes[self.index + 1]
        guard second >= low, second <= high else { throw self.fail("invalid UTF-8") }
        for offset in 2..<length where self.bytes[self.index + offset] & 0xC0 != 0x80 {
            throw self.fail("invalid UTF-8")
        }
        self.index += length
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"): true
        default: false
        }
    }
}
