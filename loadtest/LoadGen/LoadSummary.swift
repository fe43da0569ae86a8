import Foundation
import NIOCore

/// The run's result: what `goosey-loadgen` prints.
struct LoadSummary: Codable, Sendable {
    struct Percentiles: Codable, Sendable {
        var p50: Double
        var p90: Double
        var p99: Double
        var max: Double

        /// Nearest-rank percentiles of nanosecond samples, in milliseconds.
        init(_ samples: [UInt64]) {
            let sorted = samples.sorted()
            func rank(_ p: Double) -> Double {
                guard !sorted.isEmpty else { return 0 }
                let index = Swift.min(sorted.count - 1, Swift.max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1))
                return (Double(sorted[index]) / 1e4).rounded() / 100
            }
            self.p50 = rank(0.50)
            self.p90 = rank(0.90)
            self.p99 = rank(0.99)
            self.max = rank(1.0)
        }
    }

    struct Concurrent: Codable, Sendable {
        var onTimeSeconds: Double
        var onTime: Int
        var late: Int
        var peakInFlight: Int
        var rampSeconds: Double
    }

    var mode: LoadMode
    var url: String
    var clients: Int
    var targetRate: Double?
    var warmupSeconds: Double
    var durationSeconds: Double
    var requestBodyBytes: Int
    /// Counted requests: ok + non-2xx + errors.
    var requests: Int
    var ok: Int
    var non2xx: Int
    var statuses: [String: Int]
    var errors: [String: Int]
    var connectFailures: Int
    var achievedRate: Double
    var ttfbMs: Percentiles
    var totalMs: Percentiles
    var sendLagMs: Percentiles
    var responseBodyBytes: Int
    var connectSeconds: Double
    var peakInFlight: Int
    /// CPU time the load generator itself used (user + system), so a run can tell whose CPU was whose.
    var loadGenCPUSeconds: Double
    /// Status and body start of the first non-2xx answer, if any.
    var firstNon2xx: String?
    var concurrent: Concurrent?
}
