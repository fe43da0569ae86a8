import Foundation
import NIOCore
import Shared

/// Turns a finished exchange into metrics and a request record.
struct UsageRecorder: Sendable {
    let pricing: PricingTable
    let records: LogSpool?
    let settler: Settler?
    /// Names this edge in the records it writes.
    var edgeID: String = "edge"
    /// The lease life of `QuotaGate`; a stream renews its lease every third of it.
    var leaseSeconds: Int64 = 900

    func record(_ exchange: Exchange, outcome: ExchangeOutcome) {
        let report = outcome.meter.finish()
        let usage = report.usage
        let cost = self.pricing.cost(of: report)
        var charged: Int64?
        if let admission = exchange.admission {
            let charge = Self.charge(report, status: outcome.status, clientAborted: outcome.clientAborted, cost: cost, admission: admission)
            self.settler?.enqueue(admission, charge: charge, usage: report.billableUsage)
            charged = charge
        }
        let now = ContinuousClock.now
        EdgeMetrics.recordExchange(
            usage: usage,
            timeToFirstByte: outcome.firstByteAt.map { exchange.started.duration(to: $0) },
            total: exchange.started.duration(to: now)
        )
        self.records?.append(
            self.answeredRecord(exchange, outcome: outcome, report: report, cost: cost, charge: charged),
            requestBody: exchange.requestBody,
            response: outcome.responseBytes <= ExchangeOutcome.keptResponseLimit ? Self.redacted(outcome.response) : nil
        )
    }

    /// What an answer costs the student: its usage, priced by the policy. A body cut before its usage (a JSON
    /// answer ends with it) says nothing of what the upstream already spent, so an accepted request (2xx) is
    /// charged what was held rather than nothing; an answer the upstream refused (a 5xx page from its gateway,
    /// an empty 502) ran nothing and costs nothing.
    static func charge(_ report: UsageReport, status: Int, clientAborted: Bool, cost: Int64, admission: Admission) -> Int64 {
        let billable = report.billableUsage
        let charge = admission.policy.charge(for: billable, cost: cost)
        let unknown = billable.totalInputTokens == 0 && (clientAborted || !report.complete && report.errorType == nil)
        return unknown && Self.accepted(status) ? max(charge, admission.hold) : charge
    }

    static func accepted(_ status: Int) -> Bool { (200..<300).contains(status) }

    /// Journals an answer that has begun with the record that stands for it if this edge dies before it ends:
    /// the usage read so far (the output at the floor estimate) charged at the hold, as the leader charges a
    /// lease nobody settled.
    func noteAnswerBegun(_ exchange: Exchange, outcome: ExchangeOutcome) {
        guard let records = self.records, let admission = exchange.admission else { return }
        var meter = outcome.meter
        meter.markAborted()
        let report = meter.finish()
        var record = self.answeredRecord(exchange, outcome: outcome, report: report, cost: self.pricing.cost(of: report), charge: admission.hold)
        record.errorType = "edge_stopped"
        records.opened(record)
    }

    private func answeredRecord(_ exchange: Exchange, outcome: ExchangeOutcome, report: UsageReport, cost: Int64, charge: Int64?) -> RequestRecord {
        RequestRecord(
            id: exchange.requestID,
            upstreamRequestID: outcome.upstreamRequestID,
            receivedAtMillis: exchange.receivedAtMillis,
            keyID: exchange.keyID,
            method: exchange.method,
            path: exchange.path,
            status: outcome.status,
            model: report.model,
            stopReason: report.stopReason,
            errorType: report.errorType,
            usage: report.usage,
            costPicoUSD: cost,
            estimated: report.estimated,
            clientAborted: outcome.clientAborted,
            timeToFirstByteMicros: outcome.firstByteAt.map { exchange.started.duration(to: $0).microseconds },
            totalMicros: exchange.started.duration(to: .now).microseconds,
            claudeCodeSessionID: exchange.claudeCodeSessionID,
            requestBytes: exchange.requestBytes,
            responseBytes: outcome.responseBytes,
            course: exchange.student.course,
            student: exchange.student.student,
            edge: self.edgeID,
            charge: charge,
            leaks: exchange.leaks,
            failOpen: Self.failOpen(exchange),
            reserveDraw: Self.reserveDraw(exchange)
        )
    }

    /// What the request drew on the course reserve, for the ledger.
    static func reserveDraw(_ exchange: Exchange) -> ReserveDraw? {
        guard let admission = exchange.admission, admission.drawnFromReserve > 0 else { return nil }
        return ReserveDraw(amount: admission.drawnFromReserve, periodIndex: admission.window.index)
    }

    /// True for a request admitted while Redis was unreachable, whose charge only the coordinator can settle.
    static func failOpen(_ exchange: Exchange) -> Bool? {
        guard let admission = exchange.admission, admission.before == nil else { return nil }
        return true
    }

    /// How often a stream renews its lease: every third of the lease's life.
    var leaseRenewalInterval: Duration { .seconds(self.leaseSeconds) / 3 }

    /// Moves the lease of a stream still running on by a whole lease life.
    func renewLease(_ exchange: Exchange) {
        guard let admission = exchange.admission else { return }
        self.settler?.renew(admission, until: Date().addingTimeInterval(TimeInterval(self.leaseSeconds)))
    }

    /// The upstream answered but the client left before the answer's head went out: what an accepted request
    /// spent is unknown, so the hold is charged; a refused one spent nothing.
    func recordAbandoned(_ exchange: Exchange, status: Int) {
        self.recordClientGone(exchange, status: status, chargingHold: Self.accepted(status), aborted: false)
    }

    /// The client left before the answer began, and the upstream request was cancelled: what the upstream had
    /// already spent on it is unknown, so the hold is charged.
    func recordDeparted(_ exchange: Exchange) {
        self.recordClientGone(exchange, status: 499, chargingHold: true, aborted: true)
    }

    private func recordClientGone(_ exchange: Exchange, status: Int, chargingHold: Bool, aborted: Bool) {
        let charge = exchange.admission.map { chargingHold ? $0.hold : 0 }
        if let admission = exchange.admission, let charge { self.settler?.enqueue(admission, charge: charge) }
        var record = self.emptyRecord(exchange, status: status, errorType: "client_closed_request", charge: charge)
        record.clientAborted = aborted
        self.records?.append(record, requestBody: exchange.requestBody, response: nil)
    }

    /// Gives back the whole hold of a request that never reached the upstream.
    func release(_ admission: Admission) {
        self.settler?.enqueue(admission, charge: 0)
    }

    /// A request the upstream never answered, or that the edge refused after authenticating it.
    /// - Parameter reserveDraw: what a refused request drew on the course reserve before it was refused.
    func recordFailure(_ exchange: Exchange, status: Int, errorType: String, reserveDraw: ReserveDraw? = nil) {
        if let admission = exchange.admission { self.release(admission) }
        var record = self.emptyRecord(exchange, status: status, errorType: errorType, charge: exchange.admission.map { _ in 0 })
        record.reserveDraw = reserveDraw ?? record.reserveDraw
        self.records?.append(
            record,
            requestBody: exchange.requestBody,
            response: nil
        )
    }

    private func emptyRecord(_ exchange: Exchange, status: Int, errorType: String, charge: Int64?) -> RequestRecord {
        RequestRecord(
            id: exchange.requestID, upstreamRequestID: nil, receivedAtMillis: exchange.receivedAtMillis,
            keyID: exchange.keyID, method: exchange.method, path: exchange.path, status: status, model: nil,
            stopReason: nil, errorType: errorType, usage: TokenUsage(), costPicoUSD: 0, estimated: false,
            clientAborted: false, timeToFirstByteMicros: nil, totalMicros: exchange.started.duration(to: .now).microseconds,
            claudeCodeSessionID: exchange.claudeCodeSessionID, requestBytes: exchange.requestBytes, responseBytes: 0,
            course: exchange.student.course, student: exchange.student.student, edge: self.edgeID, charge: charge,
            leaks: exchange.leaks, failOpen: Self.failOpen(exchange), reserveDraw: Self.reserveDraw(exchange)
        )
    }

    /// A response as stored: a model that repeats a secret back must not put it in the log either, whole in
    /// the bytes or spelled out across a stream's deltas.
    static func redacted(_ response: ByteBuffer) -> ByteBuffer {
        let whole = response.withUnsafeReadableBytes { bytes in
            let findings = SecretScanner.standard.scan(bytes)
            return findings.isEmpty ? response : ByteBuffer(bytes: SecretRedaction.redact(bytes, findings: findings))
        }
        guard whole.readableBytesView.starts(with: "event:".utf8) else { return whole }
        return StreamedAnswerRedaction.redact(Array(whole.readableBytesView), scanner: .standard).map { ByteBuffer(bytes: $0) } ?? whole
    }
}
