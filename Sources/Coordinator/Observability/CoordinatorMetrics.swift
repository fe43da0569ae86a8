import CoreMetrics
import Metrics

/// Every metric the coordinator emits, declared once, on small closed label sets.
enum CoordinatorMetrics {
    private static let ingestedRecords = Counter(label: "goosey_coordinator_ingested_records_total")
    private static let ingestBatches: [String: Counter] = Dictionary(
        uniqueKeysWithValues: ["stored", "bad_request", "missing_blocks", "unavailable"].map {
            ($0, Counter(label: "goosey_coordinator_ingest_batches_total", dimensions: [("outcome", $0)]))
        }
    )
    /// Seconds between an edge receiving a request and its record being stored: how far behind logs are.
    private static let ingestLag = Metrics.Timer(label: "goosey_coordinator_ingest_lag_seconds")
    private static let leading = Gauge(label: "goosey_coordinator_leading")
    private static let alerts: [Bool: Counter] = [
        true: Counter(label: "goosey_coordinator_alerts_total", dimensions: [("outcome", "delivered")]),
        false: Counter(label: "goosey_coordinator_alerts_total", dimensions: [("outcome", "failed")]),
    ]

    static func batch(_ outcome: String, records: Int = 0, lagsMillis: [Int64] = []) {
        self.ingestBatches[outcome]?.increment()
        if records > 0 { self.ingestedRecords.increment(by: records) }
        for lag in lagsMillis where lag >= 0 { self.ingestLag.recordMilliseconds(lag) }
    }

    static func lead(_ isLeading: Bool) { self.leading.record(isLeading ? 1 : 0) }
    static func alert(delivered: Bool) { self.alerts[delivered]?.increment() }
}
