import Logging
import ServiceLifecycle
import Shared
import Synchronization

/// Keeps the directory cache honest: applies every announced change, empties the cache whenever the
/// subscription (re)starts, and while it is down makes every lookup ask Redis first, so a revocation made
/// meanwhile is never missed.
struct InvalidationListener: Service {
    let subscriber: RedisSubscriber
    let cache: DirectoryCache
    let state: SubscriptionState

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.subscriber.run { event in
                switch event {
                case .subscribed:
                    self.cache.removeAll()
                    self.state.setLive(true)
                case .disconnected:
                    self.state.setLive(false)
                case .message(_, let payload):
                    if let invalidation = Invalidation(payload: payload) { self.cache.apply(invalidation) }
                }
            }
        }
    }
}

/// Whether the invalidation subscription is live; the cache may be trusted only while it is.
final class SubscriptionState: Sendable {
    private let live = Atomic<Bool>(false)

    func setLive(_ value: Bool) { self.live.store(value, ordering: .releasing) }
    var isLive: Bool { self.live.load(ordering: .acquiring) }
}
