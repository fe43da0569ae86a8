import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// Where the spool's work runs: its blocking file and compression jobs on NIO's thread pool, its encoding on
/// its own thread, both at a lower scheduling priority than the event loops. Records can wait a moment for the
/// cores; a student's next event should not.
enum BackgroundWork {
    /// Runs `work` on NIO's thread pool at background priority.
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive {
            Self.lowerCurrentThreadPriority()
            return try work()
        }
    }

    /// nice 10: a busy thread then gets about a tenth of an event loop's share of a contended core. Linux keeps
    /// the nice value per thread, so this changes the calling thread alone.
    static func lowerCurrentThreadPriority() {
        #if os(Linux)
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
        #endif
    }
}
