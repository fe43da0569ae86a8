import Crypto

extension VirtualKey {
    /// Characters of the hash that make the key ID: 48 bits, plenty to tell a course's keys apart.
    public static let keyIDLength = 12

    /// Lower-case hex SHA-256 of the key text: all the server ever stores.
    public var sha256Hex: String { Self.sha256Hex(of: self.secretText) }

    /// The first 12 hex characters of ``sha256Hex``: safe to log, show and put in alerts.
    public var keyID: String { Self.keyID(sha256Hex: self.sha256Hex) }

    /// Lower-case hex SHA-256 of `text`'s UTF-8 bytes (a presented key that may or may not parse).
    public static func sha256Hex(of text: String) -> String {
        var text = text
        return text.withUTF8 { Self.sha256Hex(of: UnsafeRawBufferPointer($0)) }
    }

    /// Lower-case hex SHA-256 of `bytes`, for a key the scanner found without making a `String`.
    public static func sha256Hex(of bytes: UnsafeRawBufferPointer) -> String {
        Hex.sha256(of: bytes)
    }

    /// The key ID of a stored hash (its first 12 characters), for the server, which has no keys.
    public static func keyID(sha256Hex: String) -> String {
        String(sha256Hex.prefix(Self.keyIDLength))
    }

    /// Why `text` is not a key ID, in words that never repeat it (staff paste whole keys where a key ID
    /// belongs); nil when it is one.
    public static func problem(withKeyID text: String) -> String? {
        if let key = VirtualKey(parsing: text) {
            return "that is a whole key, not a key ID: its key ID is \(key.keyID). A key that was pasted somewhere may be "
                + "seen by others: consider rotating it"
        }
        let isHex = text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
        return text.utf8.count == Self.keyIDLength && isHex ? nil : "a key ID is \(Self.keyIDLength) hex digits (see `goosey keys list`)"
    }
}

/// Lower-case hexadecimal text of bytes.
public enum Hex {
    /// Lower-case hex SHA-256 of `bytes`: key hashes and content-block addresses.
    public static func sha256(of bytes: UnsafeRawBufferPointer) -> String {
        SHA256.hash(data: bytes).withUnsafeBytes { Self.lowercase($0) }
    }

    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    public static func lowercase(_ bytes: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { output in
            for (offset, byte) in bytes.enumerated() {
                output[2 * offset] = Self.digits[Int(byte >> 4)]
                output[2 * offset + 1] = Self.digits[Int(byte & 0x0F)]
            }
            return bytes.count * 2
        }
    }
}
