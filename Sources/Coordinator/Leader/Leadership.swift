import Synchronization

/// Who leads: the coordinator holding a session-level advisory lock on a connection of its own. When that
/// coordinator dies or its connection drops, Postgres lets the lock go and another takes it on its next try.
final class Leadership: Sendable {
    /// `pg_try_advisory_lock`'s key for leadership: "leader" in ASCII.
    static let lockKey = "111958781092210"

    private let url: String
    private let connection = LockedConnection()

    init(url: String) {
        self.url = url
    }

    /// Whether this coordinator leads now, taking the lead if nobody holds it.
    func lead() async -> Bool {
        if let held = self.connection.current, !held.isBroken {
            // Still ours as long as the session lives; a cheap query notices a dropped connection.
            return (try? await held.query("SELECT 1")) != nil
        }
        self.connection.current = nil
        guard let fresh = try? await PostgresConnection.connect(url: self.url),
            let row = try? await fresh.query("SELECT pg_try_advisory_lock($1)", [Self.lockKey]).first,
            row[0] == "t"
        else { return false }
        self.connection.current = fresh
        return true
    }

    /// Gives the lead up (a clean shutdown), so another coordinator need not wait for a timeout.
    func resign() {
        self.connection.current = nil
    }
}


/// The connection that holds the leader's lock, if any.
final class LockedConnection: Sendable {
    private let value = Mutex<PostgresConnection?>(nil)

    var current: PostgresConnection? {
        get { self.value.withLock { $0 } }
        set { self.value.withLock { $0 = newValue } }
    }
}
