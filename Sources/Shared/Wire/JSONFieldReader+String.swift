extension JSONFieldReader {
    /// How many Unicode scalars the string that is next decodes to, counted on the raw bytes without
    /// decoding: UTF-8 lead bytes, one per escape, one per `\u` surrogate pair. Any other value counts 0.
    mutating func countStringScalars() throws(Malformed) -> Int64 {
        self.skipWhitespace()
        guard self.current == UInt8(ascii: "\"") else {
            try self.skipValue()
            return 0
        }
        var position = self.index + 1
        var count: Int64 = 0
        while position < self.bytes.count {
            let byte = self.bytes[position]
            if byte == UInt8(ascii: "\"") {
                self.index = position + 1
                return count
            }
            if byte == UInt8(ascii: "\\") {
                guard position + 1 < self.bytes.count else { break }
                if self.bytes[position + 1] == UInt8(ascii: "u") {
                    guard let unit = self.hex4(at: position + 2) else { throw Malformed() }
                    if !(0xDC00...0xDFFF).contains(unit) { count += 1 }  // a low surrogate completes a pair
                    position += 6
                } else {
                    count += 1
                    position += 2
                }
            } else {
                if byte & 0xC0 != 0x80 { count += 1 }
                position += 1
            }
        }
        throw Malformed()
    }

    /// The UTF-16 unit of the four hex digits at `position`, if they are there.
    func hex4(at position: Int) -> UInt16? {
        guard position + 4 <= self.bytes.count else { return nil }
        var unit: UInt16 = 0
        for offset in 0..<4 {
            let byte = self.bytes[position + offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            unit = unit << 4 | UInt16(digit)
        }
        return unit
    }

    /// Decodes the escapes of a string's raw content. Broken escapes and lone surrogates become U+FFFD.
    static func unescape(_ raw: UnsafeRawBufferPointer) -> String {
        let reader = JSONFieldReader(raw)
        var units: [UInt16] = []
        var scalars = String.UnicodeScalarView()
        var position = 0
        while position < raw.count {
            let byte = raw[position]
            guard byte == UInt8(ascii: "\\"), position + 1 < raw.count else {
                let end = Self.runEnd(raw, from: position)
                Self.flush(&units, into: &scalars)
                scalars.append(
                    contentsOf: String(decoding: UnsafeRawBufferPointer(rebasing: raw[position..<end]), as: UTF8.self)
                        .unicodeScalars
                )
                position = end
                continue
            }
            let escape = raw[position + 1]
            if escape == UInt8(ascii: "u"), let unit = reader.hex4(at: position + 2) {
                units.append(unit)
                position += 6
                continue
            }
            Self.flush(&units, into: &scalars)
            scalars.append(Self.simpleEscape(escape))
            position += 2
        }
        Self.flush(&units, into: &scalars)
        return String(scalars)
    }

    /// The end of a run of bytes with no backslash, or just past a trailing lone backslash.
    private static func runEnd(_ raw: UnsafeRawBufferPointer, from start: Int) -> Int {
        var end = start + 1
        while end < raw.count, raw[end] != UInt8(ascii: "\\") { end += 1 }
        return end
    }

    private static func flush(_ units: inout [UInt16], into scalars: inout String.UnicodeScalarView) {
        guard !units.isEmpty else { return }
        scalars.append(contentsOf: String(decoding: units, as: UTF16.self).unicodeScalars)
        units.removeAll(keepingCapacity: true)
    }

    private static func simpleEscape(_ byte: UInt8) -> Unicode.Scalar {
        switch byte {
        case UInt8(ascii: "n"): "\n"
        case UInt8(ascii: "t"): "\t"
        case UInt8(ascii: "r"): "\r"
        case UInt8(ascii: "b"): "\u{08}"
        case UInt8(ascii: "f"): "\u{0C}"
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): Unicode.Scalar(byte)
        default: "\u{FFFD}"
        }
    }
}
