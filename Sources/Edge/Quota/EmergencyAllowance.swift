import Shared
import Synchronization

/// What this edge let each student spend while Redis was unreachable, so a fail-open course stays
/// bounded: at most `emergencyCapPerEdge` per student per period on each edge.
final class EmergencyAllowance: Sendable {
    private let spent = Mutex<[StudentRef: (period: Int64, amount: Int64)]>([:])

    func admit(_ student: StudentRef, window: PeriodWindow, cap: Int64) -> Bool {
        self.spent.withLock { spent in
            guard let entry = spent[student], entry.period == window.index else { return cap > 0 }
            return entry.amount < cap
        }
    }

    func record(_ student: StudentRef, window: PeriodWindow, charge: Int64) {
        self.spent.withLock { spent in
            let current = spent[student].flatMap { $0.period == window.index ? $0.amount : nil } ?? 0
            spent[student] = (window.index, current + charge)
        }
    }
}
