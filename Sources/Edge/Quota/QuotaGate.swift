import Foundation
import HTTPTypes
import Logging
import Shared

/// Holds allowance for each inference request before it goes upstream, and refuses cleanly when there is
/// none left (`DESIGN.md` "One request through an edge", step 4).
struct QuotaGate: Sendable {
    let store: QuotaStore
    let emergency: EmergencyAllowance
    let now: @Sendable () -> Date
    /// How long a lease stays open before the coordinator may treat it as abandoned; long streams renew it.
    let leaseSeconds: Int64

    /// Admits the request or throws the refusal to answer with.
    /// - Parameter drawingOnReserve: whether a student who has run out may draw on the course reserve now; false
    ///   while the request's body is still being checked, since a draw is not given back.
    func admit(
        _ authenticated: AuthenticatedStudent, requestID: String, requestBytes: Int, drawingOnReserve: Bool = true, logger: Logger
    ) async throws -> Admission {
        let now = self.now()
        let policy = authenticated.policy
        let window = policy.period.window(containing: now)
        let estimate = QuotaEstimate.hold(requestBytes: requestBytes, policy: policy)
        var reservation: QuotaStore.Reservation
        var drawnFromReserve: Int64 = 0
        do {
            let reserve = {
                try await self.store.reserve(
                    authenticated.student,
                    policy: policy,
                    window: window,
                    leaseID: requestID,
                    estimate: estimate,
                    deadline: now.addingTimeInterval(TimeInterval(self.leaseSeconds))
                )
            }
            reservation = try await reserve()
            if drawingOnReserve, case .refused(let balance) = reservation, balance.remaining <= 0, let courseReserve = policy.reserve {
                let (drawn, _) = try await self.store.drawReserve(
                    courseReserve, for: authenticated.student, policy: policy, window: window, wanted: estimate
                )
                drawnFromReserve = drawn
                if drawn > 0 {
                    logger.notice("drew on the course reserve", metadata: ["goosey.quota.drawn": "\(drawn)"])
                    reservation = try await reserve()
                }
            }
        } catch let error as RedisError where error.meansRedisIsUnreachable {
            return try self.admitWithoutRedis(
                authenticated,
                requestID: requestID,
                requestBytes: requestBytes,
                window: window,
                error: error,
                logger: logger
            )
        }
        switch reservation {
        case .admitted(let hold, let before):
            return Admission(
                leaseID: requestID, student: authenticated.student, policy: policy, window: window, hold: hold, before: before,
                drawnFromReserve: drawnFromReserve
            )
        case .refused(let balance):
            let refusal = balance.remaining > 0 ? QuotaRefusal.heldInFlight : QuotaRefusal.error(balance, policy: policy, window: window, now: now)
            guard drawnFromReserve > 0 else { throw refusal }
            throw RefusedAfterDraw(refusal: refusal, draw: ReserveDraw(amount: drawnFromReserve, periodIndex: window.index))
        }
    }

    /// Redis is unreachable: a fail-open course keeps serving under this edge's emergency cap, a fail-closed
    /// one answers 503.
    private func admitWithoutRedis(
        _ authenticated: AuthenticatedStudent,
        requestID: String,
        requestBytes: Int,
        window: PeriodWindow,
        error: any Error,
        logger: Logger
    ) throws -> Admission {
        logger.warning("quota reserve failed", metadata: ["goosey.error": "\(error)"])
        let policy = authenticated.policy
        guard policy.failMode == .open else { throw AnthropicError.quotaUnavailable }
        let estimate = QuotaEstimate.hold(requestBytes: requestBytes, policy: policy)
        guard self.emergency.admit(authenticated.student, window: window, cap: policy.emergencyCapPerEdge, estimate: estimate) else {
            throw AnthropicError.quotaUnavailable
        }
        return Admission(leaseID: requestID, student: authenticated.student, policy: policy, window: window, hold: estimate, before: nil)
    }
}

/// A refusal that came after a draw on the course reserve was granted (the student is further over than a
/// request's worth, or other requests hold the rest): the draw stands, and its record must carry it to the ledger.
struct RefusedAfterDraw: Error {
    var refusal: AnthropicError
    var draw: ReserveDraw
}

extension RedisError {
    /// Redis could not be reached or is still loading: the course's fail mode decides. Anything else
    /// (a script error, an unexpected reply) is a fault to surface, never a reason to serve unmetered.
    var meansRedisIsUnreachable: Bool {
        switch self.kind {
        case .connectionFailed, .timeout, .connectionClosed, .connectionBroken, .io: true
        case .server: self.code == "LOADING" || self.code == "MASTERDOWN" || self.code == "CLUSTERDOWN"
        default: false
        }
    }
}

/// What a request is assumed to cost before it runs: its input from the body size (about four bytes a
/// token) plus a modest output allowance. Holds never exceed what is available, so a large `max_tokens`
/// cannot lock out a student with a modest balance.
enum QuotaEstimate {
    static let outputAllowanceTokens: Int64 = 4096

    static func hold(requestBytes: Int, policy: QuotaPolicy) -> Int64 {
        let usage = TokenUsage(inputTokens: Int64(requestBytes / 4), outputTokens: self.outputAllowanceTokens)
        let cost = PricingTable.standard.tokenCost(usage, model: nil)
        return policy.charge(for: usage, cost: cost)
    }
}
