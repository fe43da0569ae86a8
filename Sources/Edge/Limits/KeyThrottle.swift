import Synchronization

/// Per-key limits on this edge: how many requests one key may have in flight, and how fast it may start
/// new ones (a token bucket holding a tenth of a minute's allowance as burst), so one runaway agent loop
/// cannot take an edge's connections and event loops from everyone else. Local to each edge: a load
/// balancer that keeps a Claude Code session on one edge makes that the limit the session meets.
final class KeyThrottle: Sendable {
    struct Limits: Sendable, Equatable {
        /// Requests in flight per key; 0 for no limit.
        var concurrency: Int
        /// Requests started per key per minute, on average; 0 for no limit.
        var requestsPerMinute: Int
    }

    /// Why a request was not let through.
    enum Refusal: Equatable, Error {
        case tooManyInFlight(limit: Int)
        case tooFast(limit: Int, retryAfterSeconds: Int)
    }

    /// Holds one request's place until the last reference goes: the request's exchange keeps it, and with
    /// it the answer's body writer, so the place is given back when the answer ends however it ends.
    final class Slot: Sendable {
        private let throttle: KeyThrottle
        private let key: String

        fileprivate init(throttle: KeyThrottle, key: String) {
            (self.throttle, self.key) = (throttle, key)
        }

        deinit {
            self.throttle.finish(self.key)
        }
    }

    private struct Bucket {
        var inFlight = 0
        var tokens: Double
        var refilledAt: ContinuousClock.Instant
    }

    let limits: Limits
    private let clock = ContinuousClock()
    private let buckets = Mutex<[String: Bucket]>([:])

    init(limits: Limits) {
        self.limits = limits
    }

    private var burst: Double { max(Double(self.limits.requestsPerMinute) / 10, 1) }

    /// Lets a request for `key` start, or says why not.
    /// - Returns: the request's place, or nil when this edge sets no limits.
    func admit(_ key: String) throws(Refusal) -> Slot? {
        guard self.limits.concurrency > 0 || self.limits.requestsPerMinute > 0 else { return nil }
        let now = self.clock.now
        let limits = self.limits
        let burst = self.burst
        let refusal: Refusal? = self.buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: burst, refilledAt: now)
            if limits.requestsPerMinute > 0 {
                let elapsed = now - bucket.refilledAt
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                bucket.tokens = min(burst, bucket.tokens + seconds * Double(limits.requestsPerMinute) / 60)
                bucket.refilledAt = now
            }
            if limits.concurrency > 0 && bucket.inFlight >= limits.concurrency {
                buckets[key] = bucket
                return .tooManyInFlight(limit: limits.concurrency)
            }
            if limits.requestsPerMinute > 0 {
                guard bucket.tokens >= 1 else {
                    buckets[key] = bucket
                    let wait = (1 - bucket.tokens) * 60 / Double(limits.requestsPerMinute)
                    return .tooFast(limit: limits.requestsPerMinute, retryAfterSeconds: max(1, Int(wait.rounded(.up))))
                }
                bucket.tokens -= 1
            }
            bucket.inFlight += 1
            buckets[key] = bucket
            return nil
        }
        if let refusal { throw refusal }
        return Slot(throttle: self, key: key)
    }

    /// Entries stay once made (a few dozen bytes for each key that has used this edge), so a key that
    /// runs requests back to back keeps paying down its bucket.
    fileprivate func finish(_ key: String) {
        self.buckets.withLock { buckets in
            buckets[key]?.inFlight -= 1
        }
    }

    /// Requests in flight for `key` on this edge.
    func inFlight(_ key: String) -> Int {
        self.buckets.withLock { $0[key]?.inFlight ?? 0 }
    }
}
