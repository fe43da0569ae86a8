#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// CPU time this process has used so far (user + system), from getrusage.
enum ProcessCPU {
    static func seconds() -> Double {
        var usage = rusage()
        guard getrusage(Self.who, &usage) == 0 else { return 0 }
        func value(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return ((value(usage.ru_utime) + value(usage.ru_stime)) * 1000).rounded() / 1000
    }

    #if canImport(Glibc)
        private static let who = __rusage_who_t(RUSAGE_SELF.rawValue)
    #else
        private static let who = RUSAGE_SELF
    #endif
}
