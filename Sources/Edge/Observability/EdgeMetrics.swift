import CoreMetrics
import Metrics
import Shared

/// Every metric the edge emits, declared once. Dimensions come from small closed sets only;
/// nothing per student ever becomes a label.
enum EdgeMetrics {
    private static let inFlightStreams = Meter(label: "goosey_edge_in_flight_streams")
    private static let upstreamTimeToFirstByte = Metrics.Timer(label: "goosey_edge_upstream_ttfb_seconds")
    private static let requestDuration = Metrics.Timer(label: "goosey_edge_request_duration_seconds")
    private static let spooledBytes = Gauge(label: "goosey_edge_spool_bytes")
    private static let spoolDroppedRecords = Counter(label: "goosey_edge_spool_dropped_records_total")

    private static let tokens: [Counter] = ["input", "cache_write_5m", "cache_write_1h", "cache_read", "output"].map {
        Counter(label: "goosey_edge_tokens_total", dimensions: [("class", $0)])
    }

    private static let requestCounters: [Counter] = EdgeRoute.allCases.flatMap { route in
        (1...5).map { statusClass in
            Counter(label: "goosey_edge_requests_total", dimensions: [("route", route.rawValue), ("status", "\(statusClass)xx")])
        }
    }

    static func countRequest(route: EdgeRoute, status: Int) {
        let statusClass = min(max(status / 100, 1), 5)
        self.requestCounters[route.index * 5 + statusClass - 1].increment()
    }

    static func spoolBytes(_ bytes: Int) { self.spooledBytes.record(bytes) }
    static func spoolDropped() { self.spoolDroppedRecords.increment() }

    /// Puts the gauges on `/metrics` from the start, at 0, rather than from their first change: a scrape (or a
    /// test) that asks how many streams an edge holds before its first stream gets an answer.
    static func declareGauges() {
        _ = (self.inFlightStreams, self.spooledBytes)
    }

    static func streamStarted() { self.inFlightStreams.increment() }
    static func streamEnded() { self.inFlightStreams.decrement() }

    static func recordExchange(usage: TokenUsage, timeToFirstByte: Duration?, total: Duration) {
        let classes = [usage.inputTokens, usage.cacheCreation5mTokens, usage.cacheCreation1hTokens, usage.cacheReadTokens, usage.outputTokens]
        for (counter, count) in zip(self.tokens, classes) where count > 0 {
            counter.increment(by: count)
        }
        if let timeToFirstByte { self.upstreamTimeToFirstByte.recordNanoseconds(timeToFirstByte.nanoseconds) }
        self.requestDuration.recordNanoseconds(total.nanoseconds)
    }
}

/// The routes the edge serves, as metric and log labels.
enum EdgeRoute: String, CaseIterable, Sendable {
    case messages
    case countTokens = "count_tokens"
    case models
    case other

    var index: Int { Self.allCases.firstIndex(of: self)! }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = self.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    var microseconds: Int64 { self.nanoseconds / 1_000 }
}
