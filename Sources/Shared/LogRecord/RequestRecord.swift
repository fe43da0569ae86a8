/// One request through an edge, as the edge logs it and the coordinator will store it.
///
/// Never holds a key or prompt text: the student's key appears only as its key ID.
public struct RequestRecord: Codable, Sendable, Equatable {
    /// The edge's own ID for the request (`req_goosey_…`).
    public var id: String
    /// The upstream's `request-id`, when the upstream answered.
    public var upstreamRequestID: String?
    /// When the edge accepted the request, in milliseconds since 1970.
    public var receivedAtMillis: Int64
    public var keyID: String
    public var method: String
    public var path: String
    public var status: Int
    public var model: String?
    public var stopReason: String?
    public var errorType: String?
    public var usage: TokenUsage
    public var costPicoUSD: Int64
    /// The usage was estimated (stream cut before its final usage frame), not read.
    public var estimated: Bool
    /// The client hung up before the response ended.
    public var clientAborted: Bool
    public var timeToFirstByteMicros: Int64?
    public var totalMicros: Int64
    public var claudeCodeSessionID: String?
    public var requestBytes: Int
    public var responseBytes: Int
    /// Whose request it was; nil only in records written before edges named them.
    public var course: String?
    public var student: String?
    /// Which edge served it.
    public var edge: String?
    /// What it cost the student's allowance, in the policy's unit; nil when nothing was charged (`count_tokens`).
    public var charge: Int64?
    /// Secrets found in the request; nil when there were none.
    public var leaks: [LeakNote]?
    /// Served while Redis was unreachable (a course that fails open): no lease holds it, so the coordinator
    /// settles its charge into the balance once Redis is back. nil otherwise.
    public var failOpen: Bool?
    /// What the request drew on the course reserve; nil when it drew nothing.
    public var reserveDraw: ReserveDraw?

    public init(
        id: String, upstreamRequestID: String?, receivedAtMillis: Int64, keyID: String, method: String, path: String,
        status: Int, model: String?, stopReason: String?, errorType: String?, usage: TokenUsage, costPicoUSD: Int64,
        estimated: Bool, clientAborted: Bool, timeToFirstByteMicros: Int64?, totalMicros: Int64,
        claudeCodeSessionID: String?, requestBytes: Int, responseBytes: Int,
        course: String? = nil, student: String? = nil, edge: String? = nil, charge: Int64? = nil, leaks: [LeakNote]? = nil,
        failOpen: Bool? = nil, reserveDraw: ReserveDraw? = nil
    ) {
        self.id = id
        self.upstreamRequestID = upstreamRequestID
        self.receivedAtMillis = receivedAtMillis
        self.keyID = keyID
        self.method = method
        self.path = path
        self.status = status
        self.model = model
        self.stopReason = stopReason
        self.errorType = errorType
        self.usage = usage
        self.costPicoUSD = costPicoUSD
        self.estimated = estimated
        self.clientAborted = clientAborted
        self.timeToFirstByteMicros = timeToFirstByteMicros
        self.totalMicros = totalMicros
        self.claudeCodeSessionID = claudeCodeSessionID
        self.requestBytes = requestBytes
        self.responseBytes = responseBytes
        self.course = course
        self.student = student
        self.edge = edge
        self.charge = charge
        self.leaks = leaks
        self.failOpen = failOpen
        self.reserveDraw = reserveDraw
    }
}
