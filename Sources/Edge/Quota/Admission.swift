import Foundation
import Shared

/// A request let through the quota gate, with what it holds and what to tell the student.
struct Admission: Sendable {
    var leaseID: String
    var student: StudentRef
    var policy: QuotaPolicy
    var window: PeriodWindow
    var hold: Int64
    /// The standing before this request; nil when Redis was unreachable and the edge served fail-open.
    var before: QuotaStore.Balance?
}
