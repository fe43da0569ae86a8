import Foundation
import Shared

/// Writes request records into Postgres, each exactly once however often an edge ships it.
///
/// A record's key is its id and the time the edge received it, both set by the edge, so a batch shipped
/// again (the edge never saw the answer) inserts nothing new. A batch commits whole or not at all.
struct RecordStore {
    /// - Returns: how many records were new.
    func insert(_ batch: RecordBatch, into connection: PostgresConnection) async throws -> Int {
        guard !batch.records.isEmpty else { return 0 }
        return try await connection.withTransaction { connection in
            for month in Set(batch.records.map { Self.monthStart(of: $0.receivedAtMillis) }) {
                try await Self.ensurePartition(startingAt: month, on: connection)
            }
            var inserted = 0
            for record in batch.records {
                inserted += try await connection.execute(Self.insertSQL, Self.parameters(record))
            }
            return inserted
        }
    }

    static let insertSQL = """
        INSERT INTO requests (
            id, received_at, course_id, student_id, key_id, edge, method, path, model, status, stop_reason,
            error_type, input_tokens, cache_write_5m_tokens, cache_write_1h_tokens, cache_read_tokens, output_tokens,
            charge, cost_pico_usd, estimated, client_aborted, ttfb_us, total_us, claude_code_session_id,
            upstream_request_id, request_bytes, response_bytes
        ) VALUES (
            $1, to_timestamp($2::bigint / 1000.0), $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
            $18, $19, $20, $21, $22, $23, $24, $25, $26, $27
        ) ON CONFLICT (id, received_at) DO NOTHING
        """

    static func parameters(_ record: RequestRecord) -> [String?] {
        [
            record.id, String(record.receivedAtMillis), record.course, record.student, record.keyID,
            record.edge ?? "unknown", record.method, record.path, record.model, String(record.status), record.stopReason,
            record.errorType, String(record.usage.inputTokens), String(record.usage.cacheCreation5mTokens),
            String(record.usage.cacheCreation1hTokens), String(record.usage.cacheReadTokens), String(record.usage.outputTokens),
            record.charge.map { String($0) }, String(record.costPicoUSD), record.estimated ? "t" : "f",
            record.clientAborted ? "t" : "f", record.timeToFirstByteMicros.map { String($0) }, String(record.totalMicros),
            record.claudeCodeSessionID, record.upstreamRequestID, String(record.requestBytes), String(record.responseBytes),
        ]
    }

    /// The first instant (UTC) of the month holding `millis`.
    static func monthStart(of millis: Int64) -> DateComponents {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.dateComponents([.year, .month], from: Date(timeIntervalSince1970: Double(millis) / 1000))
    }

    /// Creates the month's partition of `requests` unless it exists. Coordinators ingesting at once take
    /// turns through a transaction-scoped advisory lock, so neither trips over the other's `CREATE`.
    static func ensurePartition(startingAt month: DateComponents, on connection: PostgresConnection) async throws {
        let year = month.year!, number = month.month!
        let (nextYear, nextMonth) = number == 12 ? (year + 1, 1) : (year, number + 1)
        let name = String(format: "requests_%04d_%02d", year, number)
        try await connection.execute("SELECT pg_advisory_xact_lock($1)", [String(year * 100 + number)])
        try await connection.execute(
            """
            CREATE TABLE IF NOT EXISTS \(name) PARTITION OF requests
            FOR VALUES FROM ('\(String(format: "%04d-%02d-01 00:00:00+00", year, number))')
            TO ('\(String(format: "%04d-%02d-01 00:00:00+00", nextYear, nextMonth))')
            """
        )
    }
}
