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
    /// How often a stream that outlives its lease renews it, and when it is next due.
    private let leaseRenewalInterval: Duration
    private var leaseRenewalDue: ContinuousClock.Instant
    var responseBytes = 0
    /// The answer as relayed, for the record (when `keepsResponse`); past `keptResponseLimit` only its size is known.
    var response = ByteBuffer()
    var keepsResponse = false
    var clientAborted = false

    static let keptResponseLimit = 8 << 20

    init(status: Int, upstreamRequestID: String?, meter: UsageMeter, leaseRenewalInterval: Duration) {
        self.status = status
        self.upstreamRequestID = upstreamRequestID
        self.meter = meter
        self.leaseRenewalInterval = leaseRenewalInterval
        self.leaseRenewalDue = .now + leaseRenewalInterval
    }

    /// What relaying one chunk asks of the relay besides writing it.
    struct ChunkNotes {
        var isFirst: Bool
        var leaseRenewalIsDue: Bool
    }

    /// Meters and keeps a chunk on its way to the client, and restarts the lease's clock when it is due.
    mutating func noteChunk(_ chunk: ByteBuffer) -> ChunkNotes {
        let now = ContinuousClock.now
        let isFirst = self.firstByteAt == nil
        if isFirst { self.firstByteAt = now }
        self.responseBytes += chunk.readableBytes
        if self.keepsResponse && self.responseBytes <= Self.keptResponseLimit { self.response.writeImmutableBuffer(chunk) }
        self.meter.feed(chunk)
        let leaseRenewalIsDue = now >= self.leaseRenewalDue
        if leaseRenewalIsDue { self.leaseRenewalDue = now + self.leaseRenewalInterval }
        return ChunkNotes(isFirst: isFirst, leaseRenewalIsDue: leaseRenewalIsDue)
    }

    mutating func markClientAborted() {
        self.clientAborted = true
        self.meter.markAborted()
    }

    mutating func markUpstreamFailed() {
        self.meter.markAborted()
    }
}
