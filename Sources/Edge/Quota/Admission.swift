import Foundation
import Shared

/// A request let through the quota gate, with what it holds and what to tell the student.
///
/// A reference: it travels with the request through the route's async frames, the exchange, the relay and the
/// settler. As a value (~390 bytes, most of it the policy) each copy took its own place in the route's frame
/// and retained each of its strings and arrays.
final class Admission: Sendable {
    let leaseID: String
    let student: StudentRef
    let policy: QuotaPolicy
    let window: PeriodWindow
    let hold: Int64
    /// The standing before this request; nil when Redis was unreachable and the edge served fail-open.
    let before: QuotaStore.Balance?
    /// What the student drew on the course reserve to be admitted (granted for `window`); 0 for most.
    let drawnFromReserve: Int64

    init(
        leaseID: String, student: StudentRef, policy: QuotaPolicy, window: PeriodWindow, hold: Int64, before: QuotaStore.Balance?,
        drawnFromReserve: Int64 = 0
    ) {
        self.leaseID = leaseID
        self.student = student
        self.policy = policy
        self.window = window
        self.hold = hold
        self.before = before
        self.drawnFromReserve = drawnFromReserve
    }
}
