import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The process's open-file limit (RLIMIT_NOFILE): one descriptor per connection.
enum FileDescriptorLimit {
    /// Raises the soft limit to `needed` (or to the hard limit, with a warning, when that is lower).
    static func raise(toAtLeast needed: Int) {
        var limit = rlimit()
        guard getrlimit(Self.resource, &limit) == 0 else { return }
        guard limit.rlim_cur < rlim_t(needed) else { return }
        if limit.rlim_max < rlim_t(needed) {
            Self.warn(
                "open-file hard limit \(limit.rlim_max) is below the \(needed) this run needs; raise `ulimit -Hn`"
            )
        }
        limit.rlim_cur = min(rlim_t(needed), limit.rlim_max)
        if setrlimit(Self.resource, &limit) != 0 {
            Self.warn("setrlimit(RLIMIT_NOFILE, \(limit.rlim_cur)) failed: errno \(errno)")
        }
    }

    #if canImport(Glibc)
        private static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
        private static let resource = RLIMIT_NOFILE
    #endif

    private static func warn(_ message: String) {
        FileHandle.standardError.write(Data("goosey-loadgen: warning: \(message)\n".utf8))
    }
}
