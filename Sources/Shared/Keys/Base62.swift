/// Base62 with the alphabet `0-9`, `A-Z`, `a-z`, in that order (digit value 0 is `0`, 10 is `A`,
/// 36 is `a`), so `[0-9A-Za-z]` matches exactly its characters.
public enum Base62 {
    /// The 62 digits as ASCII, in value order.
    public static let alphabet: [UInt8] = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// Digit value per ASCII byte; 0xFF for a byte that is not a base62 digit.
    static let values: [UInt8] = {
        var values = [UInt8](repeating: 0xFF, count: 256)
        for (value, ascii) in Self.alphabet.enumerated() { values[Int(ascii)] = UInt8(value) }
        return values
    }()

    /// `count` digits from the system's CSPRNG: a secret identifier (about 5.95 bits a digit).
    public static func random(count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String(decoding: (0..<count).map { _ in Self.alphabet[Int.random(in: 0..<62, using: &generator)] }, as: UTF8.self)
    }

    /// `value` in base62, left-padded with `0` to at least `width` digits (`encode(61, width: 3) == "00z"`).
    public static func encode(_ value: UInt64, width: Int = 1) -> String {
        var digits: [UInt8] = []
        var rest = value
        repeat {
            digits.append(Self.alphabet[Int(rest % 62)])
            rest /= 62
        } while rest > 0
        while digits.count < width { digits.append(UInt8(ascii: "0")) }
        return String(decoding: digits.reversed(), as: UTF8.self)
    }

    /// The value of one ASCII digit, or nil if `ascii` is not in the alphabet.
    @inline(__always)
    public static func digitValue(_ ascii: UInt8) -> UInt8? {
        let value = Self.values[Int(ascii)]
        return value == 0xFF ? nil : value
    }

    /// The value of a run of base62 digits, or nil if any byte is not a digit or the value overflows.
    public static func decode(_ digits: UnsafeRawBufferPointer) -> UInt64? {
        var value: UInt64 = 0
        for ascii in digits {
            guard let digit = Self.digitValue(ascii) else { return nil }
            let (shifted, overflow) = value.multipliedReportingOverflow(by: 62)
            guard !overflow else { return nil }
            let (sum, carry) = shifted.addingReportingOverflow(UInt64(digit))
            guard !carry else { return nil }
            value = sum
        }
        return value
    }
}
