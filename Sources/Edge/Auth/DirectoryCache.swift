import Shared
import Synchronization

/// What this edge remembers of the directory: key records (unknown keys too) and resolved policies.
///
/// Entries live until a change is announced on Redis pub/sub (`Invalidation`), and everything is
/// dropped whenever the subscription (re)starts, since announcements may have been missed meanwhile.
/// Size is bounded: when full, the cache starts over rather than grow (a flood of random keys cannot
/// exhaust memory).
final class DirectoryCache: Sendable {
    enum KeyLookup: Equatable {
        case known(KeyRecord)
        case unknown
    }

    private struct Storage {
        var keys: [String: KeyLookup] = [:]
        var policies: [StudentRef: QuotaPolicy?] = [:]
        /// Bumped by every invalidation: an answer read from Redis before one is not stored after it.
        var generation: UInt64 = 0
    }

    /// Take before reading Redis; pass to `remember` so a change announced meanwhile wins.
    var generation: UInt64 { self.storage.withLock { $0.generation } }

    private let storage = Mutex(Storage())
    private let capacity: Int

    init(capacity: Int = 200_000) {
        self.capacity = capacity
    }

    func key(_ sha256Hex: String) -> KeyLookup? {
        self.storage.withLock { $0.keys[sha256Hex] }
    }

    func remember(_ lookup: KeyLookup, for sha256Hex: String, readAt generation: UInt64) {
        self.storage.withLock { storage in
            guard storage.generation == generation else { return }
            if storage.keys.count >= self.capacity { storage.keys.removeAll(keepingCapacity: true) }
            storage.keys[sha256Hex] = lookup
        }
    }

    /// The cached policy: nil if not cached, `.some(nil)` if known to be missing.
    func policy(_ student: StudentRef) -> QuotaPolicy?? {
        self.storage.withLock { $0.policies[student] }
    }

    func remember(_ policy: QuotaPolicy?, for student: StudentRef, readAt generation: UInt64) {
        self.storage.withLock { storage in
            guard storage.generation == generation else { return }
            if storage.policies.count >= self.capacity { storage.policies.removeAll(keepingCapacity: true) }
            storage.policies[student] = .some(policy)
        }
    }

    func apply(_ invalidation: Invalidation) {
        self.storage.withLock { storage in
            storage.generation &+= 1
            switch invalidation {
            case .key(let hash):
                storage.keys[hash] = nil
            case .studentPolicy(let student):
                storage.policies[student] = nil
            case .coursePolicy(let course):
                storage.policies = storage.policies.filter { $0.key.course != course }
            }
        }
    }

    func removeAll() {
        self.storage.withLock { storage in
            let generation = storage.generation &+ 1
            storage = Storage()
            storage.generation = generation
        }
    }
}
