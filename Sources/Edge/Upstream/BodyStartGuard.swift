import Synchronization

/// Notices a response body that never starts: Hummingbird writes the head first and skips the body if the
/// client has already gone, so without this the request would neither settle nor be recorded.
final class BodyStartGuard: Sendable {
    private let started = Atomic<Bool>(false)
    private let onAbandoned: @Sendable () -> Void

    init(onAbandoned: @escaping @Sendable () -> Void) {
        self.onAbandoned = onAbandoned
    }

    func markStarted() {
        self.started.store(true, ordering: .relaxed)
    }

    deinit {
        if !self.started.load(ordering: .relaxed) { self.onAbandoned() }
    }
}
