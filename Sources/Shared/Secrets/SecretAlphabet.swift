/// The characters a credential's body is made of, as a 256-bit set the scanner tests a byte against.
public enum SecretAlphabet: String, Sendable, Hashable, Codable, CaseIterable {
    /// `[0-9A-Za-z]`
    case base62
    /// `[0-9A-Za-z_-]`
    case base64URL = "base64url"
    /// `[0-9A-Za-z_]`
    case word
    /// `[0-9A-Za-z+/]`
    case base64
    /// `[A-Z2-7]`, AWS key ids
    case upperBase32 = "base32"
    /// `[0-9A-Za-z-]`, Slack tokens
    case alphanumericDash = "alnum-dash"
    /// `[0-9A-Za-z_.-]`, GitLab's routable tokens
    case base64URLDot = "base64url-dot"
    /// `[0-9a-f]`
    case hex
    /// `[A-Z0-9 _-]`, the label of a PEM block (`RSA PRIVATE KEY`)
    case pemLabel = "pem-label"

    /// Bit `b` of word `b >> 6` is set when byte `b` belongs.
    public var members: [UInt64] {
        var set = Set<UInt8>()
        let digits = UInt8(ascii: "0")...UInt8(ascii: "9")
        let upper = UInt8(ascii: "A")...UInt8(ascii: "Z")
        let lower = UInt8(ascii: "a")...UInt8(ascii: "z")
        switch self {
        case .base62: set.formUnion(digits); set.formUnion(upper); set.formUnion(lower)
        case .base64URL: set.formUnion(digits); set.formUnion(upper); set.formUnion(lower); set.formUnion("_-".utf8)
        case .word: set.formUnion(digits); set.formUnion(upper); set.formUnion(lower); set.insert(UInt8(ascii: "_"))
        case .base64: set.formUnion(digits); set.formUnion(upper); set.formUnion(lower); set.formUnion("+/".utf8)
        case .upperBase32: set.formUnion(upper); set.formUnion(UInt8(ascii: "2")...UInt8(ascii: "7"))
        case .alphanumericDash: set.formUnion(digits); set.formUnion(upper); set.formUnion(lower); set.insert(UInt8(ascii: "-"))
        case .base64URLDot: set.formUnion(digits); set.formUnion(upper); set.formUnion(lower); set.formUnion("_.-".utf8)
        case .hex: set.formUnion(digits); set.formUnion(UInt8(ascii: "a")...UInt8(ascii: "f"))
        case .pemLabel: set.formUnion(digits); set.formUnion(upper); set.formUnion(" _-".utf8)
        }
        var words = [UInt64](repeating: 0, count: 4)
        for byte in set { words[Int(byte >> 6)] |= 1 << UInt64(byte & 63) }
        return words
    }
}
