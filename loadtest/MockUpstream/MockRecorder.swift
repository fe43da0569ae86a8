import Synchronization

/// The last `capacity` request records, by request id, in a Mutex-protected ring.
public final class MockRecorder: Sendable {
    private let ring: Mutex<Ring>

    public init(capacity: Int) {
        self.ring = Mutex(Ring(capacity: max(1, capacity)))
    }

    /// Inserts `record`, or replaces the record with the same request id.
    public func store(_ record: MockRecord) {
        self.ring.withLock { $0.store(record) }
    }

    /// The record for `requestID`, if it is still kept.
    public func record(id requestID: String) -> MockRecord? {
        self.ring.withLock { $0.record(id: requestID) }
    }

    /// Every record kept, oldest first.
    public var all: [MockRecord] {
        self.ring.withLock { ring in
            (0..<ring.slots.count).compactMap { ring.slots[(ring.next + $0) % ring.slots.count] }
        }
    }

    /// Number of records kept.
    public var count: Int {
        self.ring.withLock { $0.index.count }
    }

    struct Ring {
        var slots: [MockRecord?]
        var index: [String: Int] = [:]
        var next = 0

        init(capacity: Int) {
            self.slots = Array(repeating: nil, count: capacity)
            self.index.reserveCapacity(capacity)
        }

        mutating func store(_ record: MockRecord) {
            if let slot = self.index[record.requestID] {
                self.slots[slot] = record
                return
            }
            if let evicted = self.slots[self.next] {
                self.index[evicted.requestID] = nil
            }
            self.slots[self.next] = record
            self.index[record.requestID] = self.next
            self.next = (self.next + 1) % self.slots.count
        }

        func record(id requestID: String) -> MockRecord? {
            self.index[requestID].flatMap { self.slots[$0] }
        }
    }
}
