/// The JSON escapes that can hide a secret from a byte scan, and undoing them.
///
/// Encoders escape `"`, `\` and control characters; a `\u002d` for `-` or a `\/` for `/` is legal but
/// unusual, and would split `sk-ant-…` so that no prefix matches. Escapes the scanner must still see
/// as such (`\n`, `\"`, `\u001b`, non-ASCII characters) are kept as they are.
enum JSONEscapes {
    /// Characters secrets are made of, which an escape could hide.
    private static let secretCharacters = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/.=: ".utf8)

    /// The character an escape at `index` (a backslash) hides and the escape's length, or nil when it is
    /// not such an escape.
    static func hiddenCharacter(in bytes: UnsafeRawBufferPointer, at index: Int) -> (character: UInt8, length: Int)? {
        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\") else { return nil }
        switch bytes[index + 1] {
        case UInt8(ascii: "/"):
            return (UInt8(ascii: "/"), 2)
        case UInt8(ascii: "u"):
            guard index + 6 <= bytes.count else { return nil }
            var value: UInt32 = 0
            for offset in 2..<6 {
                guard let digit = Self.hexValue(bytes[index + offset]) else { return nil }
                value = value << 4 | UInt32(digit)
            }
            guard value < 0x80, Self.secretCharacters.contains(UInt8(value)) else { return nil }
            return (UInt8(value), 6)
        default:
            return nil
        }
    }

    /// `bytes` with every hiding escape replaced by its character, and for each decoded byte (plus one past
    /// the end) the offset in `bytes` it came from.
    static func decode(_ bytes: UnsafeRawBufferPointer) -> (bytes: [UInt8], offsets: [Int]) {
        var decoded: [UInt8] = []
        var offsets: [Int] = []
        decoded.reserveCapacity(bytes.count)
        offsets.reserveCapacity(bytes.count + 1)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\\") {
                if let hidden = Self.hiddenCharacter(in: bytes, at: index) {
                    decoded.append(hidden.character)
                    offsets.append(index)
                    index += hidden.length
                    continue
                }
                // Any other escape goes through whole, so an escaped backslash cannot start a false one.
                let length = min(2, bytes.count - index)
                for offset in 0..<length {
                    decoded.append(bytes[index + offset])
                    offsets.append(index + offset)
                }
                index += length
                continue
            }
            decoded.append(bytes[index])
            offsets.append(index)
            index += 1
        }
        offsets.append(bytes.count)
        return (decoded, offsets)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
