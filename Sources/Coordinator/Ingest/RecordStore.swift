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
        let bodies = batch.records.map(StoredBodies.init)
        return try await connection.withTransaction { connection in
            for month in Set(batch.records.map { Self.monthStart(of: $0.record.receivedAtMillis) }) {
                try await Self.ensurePartition(startingAt: month, on: connection)
            }
            try await Self.storeBlocks(bodies.reduce(into: [:]) { $0.merge($1.blocks) { old, _ in old } }, on: connection)
            var inserted = 0
            for (shipped, stored) in zip(batch.records, bodies) {
                let parameters = Self.parameters(shipped.record) + [stored.requestBlock, stored.responseBlock]
                inserted += try await connection.execute(Self.insertSQL, parameters)
            }
            return inserted
        }
    }

    static let insertSQL = """
        INSERT INTO requests (
            id, received_at, course_id, student_id, key_id, edge, method, path, model, status, stop_reason,
            error_type, input_tokens, cache_write_5m_tokens, cache_write_1h_tokens, cache_read_tokens, output_tokens,
            charge, cost_pico_usd, estimated, client_aborted, ttfb_us, total_us, claude_code_session_id,
            upstream_request_id, request_bytes, response_bytes, request_block, response_block
        ) VALUES (
            $1, to_timestamp($2::bigint / 1000.0), $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
            $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29
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

    /// Stores the blocks Postgres does not have yet: asks which it has first, so a conversation's
    /// repeated turns cost a lookup, not a resend.
    static func storeBlocks(_ blocks: [String: [UInt8]], on connection: PostgresConnection) async throws {
        guard !blocks.isEmpty else { return }
        let present = Set(try await connection.query(
            "SELECT sha256 FROM content_blocks WHERE sha256 = ANY($1::text[])",
            [Self.arrayLiteral(blocks.keys)]
        ).compactMap { $0[0] })
        let missing = blocks.filter { digest, _ in !present.contains(digest) }
        guard !missing.isEmpty else { return }
        try await connection.execute(
            """
            INSERT INTO content_blocks (sha256, encoding, raw_bytes, data)
            SELECT digest, 'identity', size, decode(hex, 'hex') FROM unnest($1::text[], $2::int[], $3::text[]) AS b (digest, size, hex)
            ON CONFLICT (sha256) DO NOTHING
            """,
            [
                Self.arrayLiteral(missing.keys), Self.arrayLiteral(missing.values.map { String($0.count) }),
                Self.arrayLiteral(missing.values.map { bytes in bytes.withUnsafeBytes { Hex.lowercase($0) } }),
            ]
        )
    }

    /// `{a,b,c}`: a Postgres array of values that need no quoting (hex digits, numbers).
    static func arrayLiteral(_ values: some Sequence<String>) -> String {
        "{" + values.joined(separator: ",") + "}"
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

    init(_ shipped: ShippedRecord) {
        if let body = shipped.requestBody {
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
