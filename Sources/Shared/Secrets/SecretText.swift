import Foundation

/// Byte-level tests the rules share. Everything here runs only where a prefix already matched.
enum SecretText {
    static let openAIMarker = Array("T3BlbkFJ".utf8)
    static let slackWebhookPaths = ["services/", "workflows/", "triggers/"].map { Array($0.utf8) }
    /// AWS documentation's keys end so (`AKIAIOSFODNN7EXAMPLE`).
    static let awsExampleTail = Array("EXAMPLE".utf8)
    static let word = SecretAlphabet.word.members
    static let base64 = SecretAlphabet.base64.members
    static let pemLabel = SecretAlphabet.pemLabel.members

    /// Whether `bytes` hold `literal` at `offset` (which the caller has checked fits).
    static func bytes(_ bytes: UnsafeRawBufferPointer, at offset: Int, equal literal: [UInt8]) -> Bool {
        literal.withUnsafeBytes { memcmp(bytes.baseAddress! + offset, $0.baseAddress!, $0.count) == 0 }
    }

    static func contains(_ set: [UInt64], _ byte: UInt8) -> Bool {
        set[Int(byte >> 6)] & (1 << UInt64(byte & 63)) != 0
    }

    /// Whether a token may start at `index`: at the start, after a non-word byte, or right after a JSON escape
    /// (`\n`, `\t`, `\u0027`), whose last character is a letter or digit but not part of the text's words.
    static func isBoundary(before index: Int, in bytes: UnsafeRawBufferPointer) -> Bool {
        guard index > 0 else { return true }
        let previous = bytes[index - 1]
        guard Self.contains(Self.word, previous) else { return true }
        if index >= 2, bytes[index - 2] == UInt8(ascii: "\\") { return true }
        return index >= 6 && bytes[index - 6] == UInt8(ascii: "\\") && bytes[index - 5] == UInt8(ascii: "u")
    }

    /// Shannon entropy of `bytes` in bits per byte. `counts` holds 256 zeros, and does again on return.
    static func entropy(of bytes: Slice<UnsafeRawBufferPointer>, counts: inout [UInt16]) -> Double {
        counts.withUnsafeMutableBufferPointer { counts in
            for byte in bytes { counts[Int(byte)] &+= 1 }
            let total = Double(bytes.count)
            var entropy = 0.0
            for byte in bytes where counts[Int(byte)] > 0 {
                let share = Double(counts[Int(byte)]) / total
                entropy -= share * log2(share)
                counts[Int(byte)] = 0
            }
            return entropy
        }
    }

    static func range(of needle: [UInt8], in bytes: UnsafeRawBufferPointer, within range: Range<Int>) -> Int? {
        guard range.count >= needle.count else { return nil }
        for start in range.lowerBound...(range.upperBound - needle.count)
        where needle.elementsEqual(bytes[start..<(start + needle.count)]) {
            return start
        }
        return nil
    }

    /// `[a-z]{3,6}[0-9]{2}-`, as in `api03-`, `admin01-`, `oat01-`.
    static func startsWithAnthropicVersion(_ body: Slice<UnsafeRawBufferPointer>) -> Bool {
        var index = body.startIndex
        while index < body.endIndex, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(body[index]) { index += 1 }
        let letters = index - body.startIndex
        guard (3...6).contains(letters), index + 3 <= body.endIndex else { return false }
        let digits = UInt8(ascii: "0")...UInt8(ascii: "9")
        return digits.contains(body[index]) && digits.contains(body[index + 1]) && body[index + 2] == UInt8(ascii: "-")
    }
}
