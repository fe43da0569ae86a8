import Foundation
import Shared
import Testing

@testable import Coordinator

/// Request records into a real PostgreSQL, each test in a schema of its own.
@Suite(.timeLimit(.minutes(1)))
struct RecordStoreTests {
    let database = MigratorTests()

    static func record(_ id: String, at millis: Int64, input: Int64 = 10) -> RequestRecord {
        RequestRecord(
            id: id, upstreamRequestID: "req_up_\(id)", receivedAtMillis: millis, keyID: "0123456789ab", method: "POST",
            path: "/v1/messages", status: 200, model: "claude-sonnet-4-5", stopReason: "end_turn", errorType: nil,
            usage: TokenUsage(inputTokens: input, outputTokens: 5), costPicoUSD: 1_234, estimated: false,
            clientAborted: false, timeToFirstByteMicros: 900, totalMicros: 5_000, claudeCodeSessionID: "session-1",
            requestBytes: 100, responseBytes: 200, course: "C1", student: "s1", edge: "edge-a", charge: 35_000
        )
    }

    static func ndjson(_ records: [RequestRecord]) throws -> Data {
        let encoder = JSONEncoder()
        var data = Data()
        for record in records {
            data.append(try encoder.encode(record))
            data.append(0x0A)
        }
        return data
    }

    @Test func aBatchShippedTwiceIsStoredOnceAcrossMonthPartitions() async throws {
        let connection = try await self.database.connect()
        try await Migrator().migrate(connection)
        let november = Int64(1_795_000_000_000)  // 2026-11-18
        let december = Int64(1_796_200_000_000)  // 2026-12-02
        let records = [Self.record("a", at: november), Self.record("b", at: november + 1), Self.record("c", at: december)]
        let batch = try RecordBatch(ndjson: Self.ndjson(records))
        #expect(try await RecordStore().insert(batch, into: connection) == 3)
        #expect(try await RecordStore().insert(batch, into: connection) == 0)
        let rows = try await connection.query(
            """
            SELECT id, tableoid::regclass::text AS part, input_tokens, charge, course_id, student_id,
                   (extract(epoch FROM received_at) * 1000)::bigint AS millis
            FROM requests ORDER BY id
            """
        )
        #expect(rows.map { $0["id"] } == ["a", "b", "c"])
        #expect(rows.map { $0["part"]?.hasSuffix("requests_2026_11") } == [true, true, false])
        #expect(rows[2]["part"]?.hasSuffix("requests_2026_12") == true)
        #expect(rows.map { $0["millis"] } == records.map { String($0.receivedAtMillis) })
        #expect(rows[0]["charge"] == "35000" && rows[0]["course_id"] == "C1" && rows[0]["student_id"] == "s1")
    }

    @Test func anUnfinishedLastLineIsLeftOutAndABadLineIsNamed() throws {
        var data = try Self.ndjson([Self.record("a", at: 1), Self.record("b", at: 2)])
        data.append(contentsOf: Array(#"{"id":"torn","#.utf8))
        #expect(try RecordBatch(ndjson: data).records.map(\.id) == ["a", "b"])
        var bad = try Self.ndjson([Self.record("a", at: 1)])
        bad.append(contentsOf: Array("not json\n".utf8))
        #expect(throws: IngestError.badLine(2)) { try RecordBatch(ndjson: bad) }
    }
}
