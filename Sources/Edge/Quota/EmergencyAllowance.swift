import Shared
import Synchronization

/// What this edge let each student spend while Redis was unreachable, so a fail-open course stays
/// bounded: at most `emergencyCapPerEdge` per student per period on each edge.
final class EmergencyAllowance: Sendable {
    private let spent = Mutex<[StudentRef: (period: Int64, amount: Int64)]>([:])

    /// Admits while the student's spending on this edge is under `cap`, counting `estimate` at once so
    /// parallel requests cannot all slip under the cap before the first one settles.
    func admit(_ student: StudentRef, window: PeriodWindow, cap: Int64, estimate: Int64) -> Bool {
        self.spent.withLock { spent in
            let current = spent[student].flatMap { $0.period == window.index ? $0.amount : nil } ?? 0
            guard current < cap else { return false }
            spent[student] = (window.index, current + estimate)
            return true
        }
    }

    /// Replaces an admission's estimate with what it really cost. An admission from a period that has
    /// since ended changes nothing: the new period's spending is counted from zero.
    func settle(_ student: StudentRef, window: PeriodWindow, estimate: Int64, charge: Int64) {
        self.spent.withLock { spent in
            guard let current = spent[student], current.period == window.index else { return }
            spent[student] = (window.index, max(current.amount - estimate + charge, 0))
        }
    }
}
