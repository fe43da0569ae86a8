/// A student's personal key: `goosey_`, 30 random base62 characters, then the CRC-32 of those first
/// 37 characters in 6 base62 digits (`anthropic-wire.md` §8, in GitHub's token style).
///
/// A scanner anywhere recognises one offline with ``pattern`` plus the checksum, with near-zero false
/// positives. The key is shown once at issue; the server keeps only ``sha256Hex``. `description`,
/// `debugDescription` and the mirror show `goosey_…<keyID>`, never the key: read ``secretText`` on purpose.
public struct VirtualKey: Sendable, Hashable {
    /// The fixed prefix, lower case.
    public static let prefix = "goosey_"
    /// Random base62 characters after the prefix: 30 × log2(62) ≈ 178 bits.
    public static let bodyLength = 30
    /// Base62 digits of the CRC-32 tail, left-padded with `0` (62⁶ > 2³²).
    public static let checksumLength = 6
    /// The whole key: 43 characters.
    public static let textLength = 7 + 30 + 6
    /// The regular expression a scanner matches first, before checking the checksum with `isWellFormed`.
    public static let pattern = "goosey_[0-9A-Za-z]{36}"

    static let prefixBytes: [UInt8] = Array(Self.prefix.utf8)

    /// The key itself, the only way to the secret. Show it once; never log it or store it.
    public let secretText: String

    private init(uncheckedText: String) {
        self.secretText = uncheckedText
    }

    /// A key from its text, checked for exact length, prefix, alphabet and checksum; nil otherwise.
    /// Nothing is trimmed: surrounding whitespace makes it nil.
    public init?(parsing text: String) {
        var text = text
        guard text.withUTF8({ Self.isWellFormed(UnsafeRawBufferPointer($0)) }) else { return nil }
        self.init(uncheckedText: text)
    }

    /// A fresh key from `generator`, which must be a CSPRNG outside tests.
    public static func generate<G: RandomNumberGenerator>(using generator: inout G) -> VirtualKey {
        var bytes = Self.prefixBytes
        bytes.reserveCapacity(Self.textLength)
        for _ in 0..<Self.bodyLength {
            bytes.append(Base62.alphabet[Int.random(in: 0..<62, using: &generator)])
        }
        let checksum = CRC32.checksum(bytes)
        bytes.append(contentsOf: Base62.encode(UInt64(checksum), width: Self.checksumLength).utf8)
        return VirtualKey(uncheckedText: String(decoding: bytes, as: UTF8.self))
    }

    /// A fresh key from `SystemRandomNumberGenerator` (getrandom(2) on Linux, a CSPRNG).
    public static func generate() -> VirtualKey {
        var generator = SystemRandomNumberGenerator()
        return Self.generate(using: &generator)
    }
}

// MARK: - Never print the secret

extension VirtualKey: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// `goosey_…` and the key ID: safe for logs and errors.
    public var description: String { "\(Self.prefix)…\(self.keyID)" }

    public var debugDescription: String { "VirtualKey(\(self.description))" }

    /// `dump(key)` shows the key ID only.
    public var customMirror: Mirror { Mirror(self, children: ["keyID": self.keyID], displayStyle: .struct) }
}
