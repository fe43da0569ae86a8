import Foundation
import Shared
import Synchronization

/// Writes request records into Postgres, each exactly once however often an edge ships it.
///
/// A record's key is its id and the time the edge received it, both set by the edge, so a batch shipped
/// again (the edge never saw the answer) inserts nothing new. A batch commits whole or not at all.
struct RecordStore {
    /// The month partitions this process has made sure of, so each is checked once, not per batch.
    var partitions = PartitionsSeen()

    /// - Returns: how many records were new.
    func insert(_ batch: RecordBatch, into connection: PostgresConnection) async throws -> Int {
        do {
            return try await self.insertOnce(batch, into: connection)
        } catch let error as PostgresError where error.sqlState == Self.noPartition {
            // A partition this process made is gone (the database was restored from a dump taken before it):
            // make sure of the batch's months again rather than fail every batch until a restart.
            self.partitions.forget(Set(batch.records.map { Self.monthStart(of: $0.record.receivedAtMillis) }))
            return try await self.insertOnce(batch, into: connection)
        }
    }

    /// `check_violation`, which Postgres reports for a row that no partition takes.
    static let noPartition = "23514"

    private func insertOnce(_ batch: RecordBatch, into connection: PostgresConnection) async throws -> Int {
        guard !batch.records.isEmpty else { return 0 }
        let bodies = batch.records.map(StoredBodies.init)
        let months = Set(batch.records.map { Self.monthStart(of: $0.record.receivedAtMillis) })
        let inserted = try await connection.withTransaction { connection in
            // In calendar order: coordinators whose batches span the same months take the locks in one order.
            for month in months.sorted(by: { ($0.year!, $0.month!) < ($1.year!, $1.month!) }) where !self.partitions.contains(month) {
                try await Self.ensurePartition(startingAt: month, on: connection)
            }
            let blocks = bodies.reduce(into: [String: [UInt8]]()) { $0.merge($1.blocks) { old, _ in old } }
            try await Self.storeBlocks(blocks, requiring: Set(bodies.flatMap(\.referencedElsewhere)), on: connection)
            var inserted = 0
            for chunk in stride(from: 0, to: batch.records.count, by: Self.rowsPerStatement) {
                let rows = chunk..<min(chunk + Self.rowsPerStatement, batch.records.count)
                let parameters = rows.flatMap { Self.parameters(batch.records[$0].record) + [bodies[$0].requestBlock, bodies[$0].responseBlock] }
                let count = try await connection.query(Self.insertSQL(rows: rows.count), parameters).first?[0]
                inserted += Int(count ?? "0") ?? 0
            }
            for shipped in batch.records where shipped.record.leaks != nil {
                try await IncidentStore.open(for: shipped.record, on: connection)
            }
            for shipped in batch.records {
                if let draw = shipped.record.reserveDraw { try await Self.ledger(draw, of: shipped.record, on: connection) }
            }
            return inserted
        }
        self.partitions.insert(months)
        return inserted
    }

    /// A draw on the course reserve, as a grant of its period: a Redis rebuilt from the ledger then has it. Once per
    /// request, however often its record ships; a student Postgres does not know (seeded into Redis only) has none.
    static func ledger(_ draw: ReserveDraw, of record: RequestRecord, on connection: PostgresConnection) async throws {
        guard let course = record.course, let student = record.student else { return }
        try await connection.execute(
            """
            INSERT INTO grants (course_id, student_id, period_index, amount, reason, source, actor, request_id)
            SELECT $1, $2, $3, $4, 'drawn from the course reserve', 'reserve', $5, $6
            WHERE EXISTS (SELECT 1 FROM students WHERE course_id = $1 AND id = $2)
            ON CONFLICT (request_id) WHERE request_id IS NOT NULL DO NOTHING
            """,
            [course, student, String(draw.periodIndex), String(draw.amount), "edge:" + (record.edge ?? "unknown"), record.id]
        )
    }

    /// 29 parameters a row, under Postgres' 65,535 per statement.
    static let rowsPerStatement = 1_000
    static let columnsPerRow = 29

    /// One `INSERT` of `rows` records; a record already stored is skipped.
    static func insertSQL(rows: Int) -> String {
        let values = (0..<rows).map { row in
            let first = row * Self.columnsPerRow
            let placeholders = (1...Self.columnsPerRow).map { column in
                column == 2 ? "to_timestamp($\(first + 2)::bigint / 1000.0)" : "$\(first + column)"
            }
            return "(" + placeholders.joined(separator: ", ") + ")"
        }
        return """
            WITH inserted AS (
                INSERT INTO requests (
                    id, received_at, course_id, student_id, key_id, edge, method, path, model, status, stop_reason,
                    error_type, input_tokens, cache_write_5m_tokens, cache_write_1h_tokens, cache_read_tokens, output_tokens,
                    charge, cost_pico_usd, estimated, client_aborted, ttfb_us, total_us, claude_code_session_id,
                    upstream_request_id, request_bytes, response_bytes, request_block, response_block
                ) VALUES \(values.joined(separator: ", ")) ON CONFLICT (id, received_at) DO NOTHING
                RETURNING *
            ), daily AS (
                \(Self.dailyUsageSQL)
            )
            SELECT count(*) FROM inserted
            """
    }

    /// Adds the rows just inserted to the per-student, per-day summary the dashboard reads (in key order, so
    /// concurrent batches lock summary rows in one order).
    static let dailyUsageSQL = """
        INSERT INTO daily_usage
        SELECT course_id, student_id, (received_at AT TIME ZONE 'UTC')::date, count(*), count(*) FILTER (WHERE status = 429),
            sum(input_tokens), sum(cache_write_5m_tokens), sum(cache_write_1h_tokens), sum(cache_read_tokens), sum(output_tokens),
            coalesce(sum(charge), 0), sum(cost_pico_usd), max(received_at)
        FROM inserted WHERE course_id IS NOT NULL AND student_id IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (course_id, student_id, day) DO UPDATE SET
            requests = daily_usage.requests + excluded.requests, refusals = daily_usage.refusals + excluded.refusals,
            input_tokens = daily_usage.input_tokens + excluded.input_tokens,
            cache_write_5m_tokens = daily_usage.cache_write_5m_tokens + excluded.cache_write_5m_tokens,
            cache_write_1h_tokens = daily_usage.cache_write_1h_tokens + excluded.cache_write_1h_tokens,
            cache_read_tokens = daily_usage.cache_read_tokens + excluded.cache_read_tokens,
            output_tokens = daily_usage.output_tokens + excluded.output_tokens, charge = daily_usage.charge + excluded.charge,
            cost_pico_usd = daily_usage.cost_pico_usd + excluded.cost_pico_usd, last_at = greatest(daily_usage.last_at, excluded.last_at)
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

    /// Stores the blocks Postgres does not have yet, and makes sure it holds the `required` ones a
    /// compacted body only points at: one query asks which of both it has, so a conversation's repeated
    /// turns cost a lookup, not a resend.
    /// - Throws: `IngestError.missingBlocks` (rolling the batch back) when a required block is not stored.
    static func storeBlocks(_ blocks: [String: [UInt8]], requiring required: Set<String>, on connection: PostgresConnection) async throws {
        let asked = required.union(blocks.keys)
        guard !asked.isEmpty else { return }
        let present = Set(try await connection.query(
            "SELECT sha256 FROM content_blocks WHERE sha256 = ANY($1::text[])",
            [Self.arrayLiteral(asked)]
        ).compactMap { $0[0] })
        let absent = required.subtracting(present).subtracting(blocks.keys)
        guard absent.isEmpty else { throw IngestError.missingBlocks(absent.count) }
        // In digest order: concurrent batches that share blocks then take their row locks in one order
        // and cannot deadlock.
        let missing = blocks.filter { digest, _ in !present.contains(digest) }.sorted { $0.key < $1.key }
        guard !missing.isEmpty else { return }
        try await connection.execute(
            """
            INSERT INTO content_blocks (sha256, encoding, raw_bytes, data)
            SELECT digest, 'identity', size, decode(hex, 'hex') FROM unnest($1::text[], $2::int[], $3::text[]) AS b (digest, size, hex)
            ON CONFLICT (sha256) DO NOTHING
            """,
            [
                Self.arrayLiteral(missing.map(\.key)), Self.arrayLiteral(missing.map { String($0.value.count) }),
                Self.arrayLiteral(missing.map { block in block.value.withUnsafeBytes { Hex.lowercase($0) } }),
            ]
        )
    }

    /// `{a,b,c}`: a Postgres array of values that need no quoting (hex digits, numbers).
    static func arrayLiteral(_ values: some Sequence<String>) -> String {
        "{" + values.joined(separator: ",") + "}"
    }

    /// A Postgres array of any text (client-chosen ids), each value quoted, so commas, braces and quotes stay text.
    static func quotedArrayLiteral(_ values: some Sequence<String>) -> String {
        Self.arrayLiteral(values.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" })
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

/// A record's bodies as content blocks: the request cut up (`BodyBlocks`) with its skeleton a block too,
/// the answer one block.
struct StoredBodies {
    var requestBlock: String?
    var responseBlock: String?
    var blocks: [String: [UInt8]] = [:]
    /// Blocks a compacted body points at without carrying them: Postgres must already hold them.
    var referencedElsewhere: [String] = []

    init(_ shipped: ShippedRecord) {
        if let skeleton = shipped.requestSkeleton {
            self.blocks = shipped.providedBlocks
            self.referencedElsewhere = BodyBlocks.references(in: skeleton).filter { shipped.providedBlocks[$0] == nil }
            self.requestBlock = self.add(skeleton)
        } else if let body = shipped.requestBody {
            let cut = BodyBlocks(request: body)
            self.blocks = cut.blocks
            self.requestBlock = self.add(cut.skeleton)
        }
        if let response = shipped.response {
            self.responseBlock = self.add(response)
        }
    }

    private mutating func add(_ bytes: [UInt8]) -> String {
        let digest = bytes.withUnsafeBytes { Hex.sha256(of: $0) }
        self.blocks[digest] = bytes
        return digest
    }
}

/// Month partitions of `requests` known to exist; shared by every batch of one coordinator.
final class PartitionsSeen: Sendable {
    private let months = Mutex(Set<DateComponents>())

    func contains(_ month: DateComponents) -> Bool { self.months.withLock { $0.contains(month) } }
    func insert(_ months: Set<DateComponents>) { self.months.withLock { $0.formUnion(months) } }
    func forget(_ months: Set<DateComponents>) { self.months.withLock { $0.subtract(months) } }
}
