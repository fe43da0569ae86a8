import Synchronization

/// Requests in flight across all clients, and the most seen at once.
final class InFlightGauge: Sendable {
    private let current = Atomic<Int>(0)
    private let highest = Atomic<Int>(0)

    var peak: Int { self.highest.load(ordering: .relaxed) }

    func begin() {
        let now = self.current.wrappingAdd(1, ordering: .relaxed).newValue
        var seen = self.highest.load(ordering: .relaxed)
        while now > seen {
            let (exchanged, original) = self.highest.compareExchange(
                expected: seen,
                desired: now,
                ordering: .relaxed
            )
            if exchanged { break }
            seen = original
        }
    }

    func end() {
        self.current.wrappingSubtract(1, ordering: .relaxed)
    }
}
