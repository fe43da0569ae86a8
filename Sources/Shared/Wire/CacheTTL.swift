/// The lifetime a prompt-cache write asks for (`cache_control.ttl`, `anthropic-wire.md` §1.3).
///
/// Priced differently: a 5-minute write costs 1.25 × input, a 1-hour write 2 × (§7.1).
public enum CacheTTL: String, Sendable, Equatable, Hashable, Codable, CaseIterable {
    case fiveMinutes = "5m"
    case oneHour = "1h"
}
