import Synchronization

/// Unique ids in the real API's shape: `req_011…`, `msg_011…`, `toolu_011…` with 24 characters after
/// the underscore (anthropic-wire.md §1.4, §2).
///
/// A random per-process part keeps ids from two mock processes apart; a counter keeps ids within one
/// process unique without a random-number syscall per request.
enum MockRequestID {
    private static let alphabet: [UInt8] = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
    private static let processPart: String = String(
        decoding: (0..<10).map { _ in Self.alphabet.randomElement()! },
        as: UTF8.self
    )
    private static let counter = Atomic<UInt64>(0)

    /// The 24-character body shared by the request, message and tool ids of one request.
    static func nextSuffix() -> String {
        var value = Self.counter.add(1, ordering: .relaxed).newValue
        let digits = String(unsafeUninitializedCapacity: 11) { out in
            for index in stride(from: 10, through: 0, by: -1) {
                out[index] = Self.alphabet[Int(value % 62)]
                value /= 62
            }
            return 11
        }
        return "011" + Self.processPart + digits
    }
}
