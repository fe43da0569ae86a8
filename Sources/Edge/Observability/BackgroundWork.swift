import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// Where the shipper compacts and compresses spool segments: a thread of its own at a lower scheduling
/// priority than the event loops. Shipping can wait a moment for the cores (segments wait on disk, within the
/// spool's bound); a student's next event should not. Writing records stays at normal priority, so the queue
/// in memory in front of the spool drains even while the edge is saturated.
enum BackgroundWork {
    private static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        return pool
    }()

    /// Runs `work` on the background thread.
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await Self.pool.runIfActive {
            Self.lowerCurrentThreadPriority()
            return try work()
        }
    }

    /// nice 10: a busy thread then gets about a tenth of an event loop's share of a contended core. Linux keeps
    /// the nice value per thread, so this changes the calling thread alone.
    private static func lowerCurrentThreadPriority() {
        #if os(Linux)
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
        #endif
    }
}
