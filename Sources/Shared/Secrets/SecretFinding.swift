/// A secret the scanner found. Holds where it is and a hash of it, never the secret itself, so it can be
/// logged, put in an error or sent in an alert as it is.
public struct SecretFinding: Sendable, Hashable, CustomStringConvertible {
    public var kind: String
    public var family: SecretFamily
    /// Where the secret's bytes are in the scanned body, as written there (escapes included). Most secrets are
    /// one range; an AWS key is its access key id and its secret access key.
    public var parts: [Range<Int>]
    /// Lower-case hex SHA-256 of the secret as its owner would write it (escapes decoded). For a Goosey key,
    /// the key's own hash, the one the directory stores it under.
    public var sha256Hex: String

    public init(kind: String, family: SecretFamily, parts: [Range<Int>], sha256Hex: String) {
        self.kind = kind
        self.family = family
        self.parts = parts
        self.sha256Hex = sha256Hex
    }

    /// The first 12 hex digits of ``sha256Hex``: enough to tell secrets apart, safe to show (for a Goosey key,
    /// its key ID).
    public var fingerprint: String { String(self.sha256Hex.prefix(VirtualKey.keyIDLength)) }

    /// From the first part's start to the last part's end.
    public var span: Range<Int> { self.parts[0].lowerBound..<self.parts[self.parts.count - 1].upperBound }

    public var description: String { "\(self.kind) \(self.fingerprint) at \(self.span)" }
}
