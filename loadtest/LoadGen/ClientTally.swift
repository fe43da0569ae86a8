/// What one client measured: raw samples in nanoseconds and counts. Merged after the run.
struct ClientTally: Sendable {
    /// First response-body byte, from the scheduled (paced) or actual send.
    var ttfb: [UInt64] = []
    /// End of the response, from the same origin.
    var total: [UInt64] = []
    /// How late each send left after its scheduled time (queueing behind a slow response, or load-generator lag).
    var sendLag: [UInt64] = []
    /// Complete 2xx answers.
    var ok = 0
    /// Concurrent mode: complete 2xx answers that ended within `--on-time`.
    var onTime = 0
    var statuses: [Int: Int] = [:]
    /// Request-level failures by kind: timeout, connection_closed, io, protocol, truncated, not_sent, connect.
    var errors: [String: Int] = [:]
    /// Connection attempts that failed (each is retried in paced and closed modes).
    var connectFailures = 0
    var bodyBytes = 0
    /// Uptime nanoseconds of the last counted response end.
    var lastEnd: UInt64 = 0
    /// Status and body start of the first non-2xx answer.
    var firstNon2xx: String?

    mutating func fail(_ kind: String) {
        self.errors[kind, default: 0] += 1
    }

    mutating func merge(_ other: ClientTally) {
        self.ttfb += other.ttfb
        self.total += other.total
        self.sendLag += other.sendLag
        self.ok += other.ok
        self.onTime += other.onTime
        self.statuses.merge(other.statuses, uniquingKeysWith: +)
        self.errors.merge(other.errors, uniquingKeysWith: +)
        self.connectFailures += other.connectFailures
        self.bodyBytes += other.bodyBytes
        self.lastEnd = max(self.lastEnd, other.lastEnd)
        self.firstNon2xx = self.firstNon2xx ?? other.firstNon2xx
    }
}
