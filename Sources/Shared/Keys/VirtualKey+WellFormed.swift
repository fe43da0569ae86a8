extension VirtualKey {
    /// Whether `bytes` are exactly one key: 43 bytes, the prefix, 36 base62 characters and a matching
    /// checksum. No allocation; meant for the secret scanner after ``pattern`` has found a candidate.
    public static func isWellFormed(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count == Self.textLength else { return false }
        let prefixLength = Self.prefixBytes.count
        let signedLength = prefixLength + Self.bodyLength
        let prefixMatches = Self.prefixBytes.withUnsafeBytes { prefix in
            prefix.elementsEqual(UnsafeRawBufferPointer(rebasing: bytes[0..<prefixLength]))
        }
        guard prefixMatches else { return false }
        for index in prefixLength..<signedLength where Base62.digitValue(bytes[index]) == nil {
            return false
        }
        guard let stated = Base62.decode(UnsafeRawBufferPointer(rebasing: bytes[signedLength...])) else {
            return false
        }
        return stated == UInt64(CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<signedLength])))
    }

    /// Whether `text` is exactly one well-formed key (see ``isWellFormed(_:)-(UnsafeRawBufferPointer)``).
    public static func isWellFormed(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { Self.isWellFormed(UnsafeRawBufferPointer($0)) }
    }
}
