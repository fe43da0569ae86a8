import Synchronization

/// Keeps an edge off a Redis that lost its data until the leading coordinator has restored it from Postgres.
///
/// The leader sets `DirectoryKeys.restored` once Redis holds everything it should; a Redis restarted empty
/// lacks it. Once the gate has seen that marker, a new connection to a Redis without it counts as no
/// connection: the edge serves as through an outage (fail-open or fail-closed, cached keys, usage settled
/// later) rather than opening balances the rebuild would then skip, or settling charges it would count again.
/// An edge that never saw the marker (a Redis seeded directly, no coordinator) is never held back.
public final class RedisRestorationGate: Sendable {
    private let seenMarker = Atomic<Bool>(false)

    public init() {}

    /// Lets `connection` be used, or throws a `connectionFailed` error while its Redis awaits restoring.
    public func admit(_ connection: RedisConnection) async throws(RedisError) {
        if try await connection.command(["GET", DirectoryKeys.restored]).string != nil {
            self.seenMarker.store(true, ordering: .relaxed)
            return
        }
        guard self.seenMarker.load(ordering: .relaxed) else { return }
        throw RedisError(kind: .connectionFailed, detail: "Redis lost its data and the coordinator has not restored it yet")
    }
}
