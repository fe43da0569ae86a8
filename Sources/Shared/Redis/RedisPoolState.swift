/// The bookkeeping of `RedisPool`: which connections are idle, how many are open, who waits for one.
///
/// No I/O and no lock: `RedisPool` holds it in a `Mutex`, decides here, and connects or resumes outside.
struct RedisPoolState {
    /// What a borrower gets: an idle connection, or the right to open a new one.
    enum Grant: Sendable {
        case reuse(RedisConnection)
        case connect
    }

    typealias Waiter = CheckedContinuation<Grant, any Error>

    let maxConnections: Int
    /// Connections counted against `maxConnections`: idle, lent or being opened.
    private(set) var open = 0
    private(set) var idle: [RedisConnection] = []
    private var waiters: [(id: UInt64, continuation: Waiter)] = []
    private var nextWaiterID: UInt64 = 0

    init(maxConnections: Int) {
        precondition(maxConnections > 0, "a Redis pool needs at least one connection")
        self.maxConnections = maxConnections
    }

    var waiting: Int { self.waiters.count }

    /// Grants a connection at once, or returns `nil` when the borrower must wait.
    mutating func lease() -> Grant? {
        if let connection = self.idle.popLast() {
            return .reuse(connection)
        }
        if self.open < self.maxConnections {
            self.open += 1
            return .connect
        }
        return nil
    }

    mutating func makeWaiterID() -> UInt64 {
        self.nextWaiterID += 1
        return self.nextWaiterID
    }

    mutating func wait(id: UInt64, _ continuation: Waiter) {
        self.waiters.append((id, continuation))
    }

    /// Removes a waiter whose task was cancelled; `nil` if it was already served.
    mutating func cancel(id: UInt64) -> Waiter? {
        guard let index = self.waiters.firstIndex(where: { $0.id == id }) else { return nil }
        return self.waiters.remove(at: index).continuation
    }

    /// Takes back a lent connection, or `nil` when it broke or never opened, and passes the slot on.
    /// - Returns: the waiter to resume, and with what, when someone was waiting.
    mutating func release(_ connection: RedisConnection?) -> (Waiter, Grant)? {
        let grant: Grant
        if let connection, !connection.isBroken {
            grant = .reuse(connection)
        } else {
            grant = .connect  // a broken connection is dropped here; its slot opens a fresh one
        }
        if !self.waiters.isEmpty {
            return (self.waiters.removeFirst().continuation, grant)
        }
        switch grant {
        case .reuse(let connection): self.idle.append(connection)
        case .connect: self.open -= 1
        }
        return nil
    }
}
