import HTTPTypes
import LoopBoundServer
import NIOCore
import Shared

/// What the edge knows about a request before it goes upstream.
struct Exchange: Sendable {
    var requestID: String
    var keyID: String
    var student: StudentRef
    var method: String
    var path: String
    var claudeCodeSessionID: String?
    var requestBytes: Int
    /// The request body for the record, secrets redacted (nil when the route has none worth keeping).
    var requestBody: ByteBuffer?
    /// Secrets found in the request, for the record.
    var leaks: [LeakNote]?
    var receivedAtMillis: Int64
    var started: ContinuousClock.Instant
    /// The allowance this request holds, settled when it ends (inference requests only).
    var admission: Admission?
    /// Headers the edge adds to the upstream's answer (the student's standing).
    var extraHeaders: HTTPFields = [:]
    /// Where the answer is relayed: the client connection's event loop.
    var executor: EventLoopExecutor
    /// This request's place among its key's requests in flight, given back when the last copy goes.
    var slot: KeyThrottle.Slot?
}

/// What the edge learns while the answer streams back. Updated on every chunk, so it stays a
/// plain value owned by the one task that writes the response.
struct ExchangeOutcome: Sendable {
    var status: Int
    var upstreamRequestID: String?
    var meter: UsageMeter
    var firstByteAt: ContinuousClock.Instant?
    /// When the lease was last taken or renewed, for streams that outlive it.
    var leaseRenewedAt = ContinuousClock.now
    var responseBytes = 0
    /// The answer as relayed, for the record (when `keepsResponse`); past `keptResponseLimit` only its size is known.
    var response = ByteBuffer()
    var keepsResponse = false
    var clientAborted = false

    static let keptResponseLimit = 8 << 20

    init(status: Int, upstreamRequestID: String?, meter: UsageMeter) {
        self.status = status
        self.upstreamRequestID = upstreamRequestID
        self.meter = meter
    }

    mutating func noteChunk(_ chunk: ByteBuffer) {
        if self.firstByteAt == nil { self.firstByteAt = .now }
        self.responseBytes += chunk.readableBytes
        if self.keepsResponse && self.responseBytes <= Self.keptResponseLimit { self.response.writeImmutableBuffer(chunk) }
        self.meter.feed(chunk)
    }

    /// True, and the clock restarted, once `interval` has passed since the lease was last taken or renewed.
    mutating func leaseRenewalIsDue(every interval: Duration) -> Bool {
        let now = ContinuousClock.now
        guard self.leaseRenewedAt.duration(to: now) > interval else { return false }
        self.leaseRenewedAt = now
        return true
    }

    mutating func markClientAborted() {
        self.clientAborted = true
        self.meter.markAborted()
    }

    mutating func markUpstreamFailed() {
        self.meter.markAborted()
    }
}
