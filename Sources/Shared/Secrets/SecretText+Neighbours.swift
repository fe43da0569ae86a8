extension SecretText {
    /// How far from an AWS access key id its secret access key may sit: a few lines of a `.env` or
    /// `~/.aws/credentials`.
    static let awsNeighbourhood = 320

    /// A run of exactly 40 `[A-Za-z0-9+/]` with upper and lower case letters (so not a hex SHA-1) near `keyID`.
    static func awsSecretAccessKey(near keyID: Range<Int>, in bytes: UnsafeRawBufferPointer, seen: inout AWSSecretRuns) -> Range<Int>? {
        let window = max(0, keyID.lowerBound - Self.awsNeighbourhood)..<min(bytes.count, keyID.upperBound + Self.awsNeighbourhood)
        seen.read(bytes, upTo: window.upperBound, from: window.lowerBound)
        return seen.runs.last { $0.overlaps(window) && !$0.overlaps(keyID) }
    }

    static func mixesCase(_ bytes: Slice<UnsafeRawBufferPointer>) -> Bool {
        bytes.contains { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }
            && bytes.contains { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) }
    }

    static let pemLabelTails = ["PRIVATE KEY-----", "PRIVATE KEY BLOCK-----"].map { Array($0.utf8) }
    static let pemEnd = Array("-----END ".utf8)
    static let pemDashes = Array("-----".utf8)
    /// How far the scanner looks for the end of a key block: an 8192-bit RSA key fits.
    static let pemMaximum = 16384
    /// Base64 characters a block needs to be a key rather than a mention of one.
    static let pemMinimumMaterial = 64

    /// Where a private-key block whose label is `label` ends: after its `-----END …-----` line, or after
    /// its key material when the end line is missing (a truncated paste). Nil when it holds no key.
    static func privateKeyBlockEnd(label: Range<Int>, in bytes: UnsafeRawBufferPointer) -> Int? {
        guard Self.pemLabelTails.contains(where: { bytes[label].reversed().starts(with: $0.reversed()) }) else { return nil }
        let limit = min(bytes.count, label.upperBound + Self.pemMaximum)
        var index = label.upperBound
        var material = 0
        while index < limit {
            let byte = bytes[index]
            if Self.contains(Self.base64, byte) || byte == UInt8(ascii: "=") {
                material += 1
                index += 1
            } else if byte == UInt8(ascii: "\\"), index + 1 < limit, "nrt".utf8.contains(bytes[index + 1]) {
                index += 2
            } else if byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
                index += 1
            } else if byte == UInt8(ascii: "-"), Self.pemEnd.elementsEqual(bytes[index..<min(limit, index + Self.pemEnd.count)]) {
                return material >= Self.pemMinimumMaterial ? Self.endOfEndLine(from: index + Self.pemEnd.count, in: bytes, limit: limit) : nil
            } else {
                break
            }
        }
        return material >= Self.pemMinimumMaterial ? index : nil
    }

    private static func endOfEndLine(from start: Int, in bytes: UnsafeRawBufferPointer, limit: Int) -> Int {
        var index = start
        while index < min(limit, start + 100), Self.contains(Self.pemLabel, bytes[index]) {
            if Self.pemDashes.elementsEqual(bytes[index..<min(limit, index + 5)]) { return index + 5 }
            index += 1
        }
        return index
    }
}

/// The 40-character runs an AWS secret access key could be, read once per body however many key ids
/// (or text made to look like them) it holds.
struct AWSSecretRuns {
    private(set) var runs: [Range<Int>] = []
    private var readUpTo = 0

    /// Reads the runs that start before `end`, from `start` or where the last read stopped.
    mutating func read(_ bytes: UnsafeRawBufferPointer, upTo end: Int, from start: Int) {
        var index = max(start, self.readUpTo)
        while index < end {
            guard SecretText.contains(SecretText.base64, bytes[index]) else {
                index += 1
                continue
            }
            var runEnd = index
            while runEnd < bytes.count, SecretText.contains(SecretText.base64, bytes[runEnd]) { runEnd += 1 }
            var run = index..<runEnd
            // `\nwJalr…`: the escape's letter is not part of the key.
            if run.count == 41, run.lowerBound > 0, bytes[run.lowerBound - 1] == UInt8(ascii: "\\") {
                run = (run.lowerBound + 1)..<run.upperBound
            }
            if run.count == 40, SecretText.mixesCase(bytes[run]) { self.runs.append(run) }
            index = runEnd
        }
        self.readUpTo = max(self.readUpTo, index)
    }
}
