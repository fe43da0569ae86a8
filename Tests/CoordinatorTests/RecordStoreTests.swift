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
        let daily = try await connection.query("SELECT day::text, requests, input_tokens, charge FROM daily_usage ORDER BY day")
        #expect(daily.map(\.values) == [["2026-11-18", "2", "20", "70000"], ["2026-12-02", "1", "10", "35000"]], "counted once, shipped twice")
    }

    @Test func aReserveDrawIsLedgeredAsAGrantOncePerRequest() async throws {
        let connection = try await self.database.connect()
        try await Migrator().migrate(connection)
        try await connection.execute("INSERT INTO courses (id) VALUES ('C1')")
        try await connection.execute("INSERT INTO students (course_id, id) VALUES ('C1', 's1')")
        var drew = Self.record("drew", at: 1_795_000_000_000)
        drew.reserveDraw = ReserveDraw(amount: 40_000, periodIndex: 1_403)
        var unknown = Self.record("seeded-only", at: 1_795_000_000_001)
        (unknown.student, unknown.reserveDraw) = ("not-in-postgres", ReserveDraw(amount: 1, periodIndex: 1_403))
        let batch = try RecordBatch(ndjson: Self.ndjson([drew, unknown]))
        #expect(try await RecordStore().insert(batch, into: connection) == 2)
        #expect(try await RecordStore().insert(batch, into: connection) == 0)
        let grants = try await connection.query("SELECT student_id, period_index, amount, source, request_id FROM grants")
        #expect(grants.map(\.values) == [["s1", "1403", "40000", "reserve", "drew"]])
    }

    @Test func aMonthPartitionLostToARestoreIsMadeAgain() async throws {
        let connection = try await self.database.connect()
        try await Migrator().migrate(connection)
        let november = Int64(1_795_000_000_000)  // 2026-11-18
        let store = RecordStore()
        #expect(try await store.insert(try RecordBatch(ndjson: Self.ndjson([Self.record("a", at: november)])), into: connection) == 1)
        try await connection.execute("DROP TABLE requests_2026_11")  // as a dump taken before the month began would have it
        #expect(try await store.insert(try RecordBatch(ndjson: Self.ndjson([Self.record("b", at: november + 1)])), into: connection) == 1)
        #expect(try await connection.query("SELECT id FROM requests").map { $0["id"] } == ["b"])
    }

    @Test func anUnfinishedLastLineIsLeftOutAndABadLineIsNamed() throws {
        var data = try Self.ndjson([Self.record("a", at: 1), Self.record("b", at: 2)])
        data.append(contentsOf: Array(#"{"id":"torn","#.utf8))
        #expect(try RecordBatch(ndjson: data).records.map(\.record.id) == ["a", "b"])
        var bad = try Self.ndjson([Self.record("a", at: 1)])
        bad.append(contentsOf: Array("not json\n".utf8))
        #expect(throws: IngestError.badLine(2)) { try RecordBatch(ndjson: bad) }
    }

    /// A Claude Code-like body at turn `turn`: the conversation so far, spaced and escaped as a client might.
    static func body(turn: Int) -> [UInt8] {
        let messages = (0..<(2 * turn)).map { index in
            index % 2 == 0
                ? #"{"role":"user","content":[{"type":"text","text":"step \#(index): run \"ls\"\n"}]}"#
                : #"{ "role": "assistant", "content": "done \#(index) \u00e9" }"#
        }
        let text = #"{"model":"claude-sonnet-4-5","system":[{"type":"text","text":"You are Claude Code."}],"#
            + #""tools":[{"name":"Bash","input_schema":{"type":"object"}}],"messages":[ "#
            + messages.joined(separator: ", ") + #" ],"max_tokens":32000,"stream":true}"#
        return Array(text.utf8)
    }

    @Test func aBodyCutIntoBlocksComesBackByteForByteAndTurnsShareTheirHistory() {
        let first = BodyBlocks(request: Self.body(turn: 3))
        let second = BodyBlocks(request: Self.body(turn: 4))
        #expect(BodyBlocks.rebuild(skeleton: first.skeleton, blocks: first.blocks) == Self.body(turn: 3))
        #expect(BodyBlocks.rebuild(skeleton: second.skeleton, blocks: second.blocks) == Self.body(turn: 4))
        #expect(first.blocks.count == 2 + 6)  // system, tools and six messages
        #expect(Set(second.blocks.keys).isSuperset(of: first.blocks.keys))
        #expect(second.blocks.count == first.blocks.count + 2)
        let notAnObject = Array("[1, 2]".utf8)
        let uncut = BodyBlocks(request: notAnObject)
        #expect(uncut.skeleton == notAnObject && uncut.blocks.isEmpty)
        var damaged = first.skeleton
        damaged.removeLast(first.skeleton.count - (first.skeleton.firstIndex(of: 0)! + 10))
        #expect(BodyBlocks.rebuild(skeleton: damaged, blocks: first.blocks) == nil)
    }

    @Test func storedBodiesAreRebuiltExactlyAndRepeatedHistoryIsStoredOnce() async throws {
        let connection = try await self.database.connect()
        try await Migrator().migrate(connection)
        let answer = Array("event: message_start\ndata: {\"type\":\"message_start\"}\n\n".utf8)
        let turns = (3...4).map { turn in
            ShippedRecord(record: Self.record("turn-\(turn)", at: 1_795_000_000_000 + Int64(turn)), requestBody: Self.body(turn: turn), response: answer)
        }
        #expect(try await RecordStore().insert(RecordBatch(records: [turns[0]]), into: connection) == 1)
        #expect(try await RecordStore().insert(RecordBatch(records: [turns[1]]), into: connection) == 1)
        let reader = StoredRequestBodies(connection: connection)
        #expect(try await reader.requestBody(id: "turn-3") == Self.body(turn: 3))
        #expect(try await reader.requestBody(id: "turn-4") == Self.body(turn: 4))
        #expect(try await reader.response(id: "turn-4") == answer)
        // system, tools, eight distinct messages, two skeletons, one answer
        #expect(try await connection.query("SELECT count(*) FROM content_blocks").first?[0] == "13")
    }

    @Test func aSpoolLineGivesBackTheBodyVerbatimAndTheAnswerDecoded() throws {
        var line = try JSONEncoder().encode(Self.record("x", at: 5))
        line.removeLast()
        line.append(contentsOf: Array(#","request":"#.utf8) + Self.body(turn: 1) + Array(#","response":"a\nb \u00e9"}"#.utf8) + [0x0A])
        let shipped = try #require(try RecordBatch(ndjson: line).records.first)
        #expect(shipped.requestBody == Self.body(turn: 1))
        #expect(shipped.response == Array("a\nb é".utf8))
    }

    static func spoolLine(_ record: RequestRecord, body: [UInt8]) throws -> [UInt8] {
        var line = Array(try JSONEncoder().encode(record))
        line.removeLast()
        return line + Array(#","request":"#.utf8) + body + Array(#","response":"ok"}"#.utf8)
    }

    @Test func compactedLinesCarryOnlyNewBlocksAndAreRefusedWhenPostgresLacksTheRest() async throws {
        let connection = try await self.database.connect()
        try await Migrator().migrate(connection)
        let first = try Self.spoolLine(Self.record("c1", at: 1_795_000_000_001), body: Self.body(turn: 2))
        let second = try Self.spoolLine(Self.record("c2", at: 1_795_000_000_002), body: Self.body(turn: 3))
        let (compactFirst, digestsFirst) = try #require(CompactSpoolLine.compact(first[...], known: { _ in false }))
        #expect(try await RecordStore().insert(RecordBatch(ndjson: Data(compactFirst + [0x0A])), into: connection) == 1)
        let known = Set(digestsFirst)
        let (compactSecond, _) = try #require(CompactSpoolLine.compact(second[...], known: known.contains))
        #expect(compactSecond.firstRange(of: Array("step 0".utf8)) == nil, "the history went as references")
        #expect(compactSecond.firstRange(of: Array("step 4".utf8)) != nil, "the new message went along")
        #expect(try await RecordStore().insert(RecordBatch(ndjson: Data(compactSecond + [0x0A])), into: connection) == 1)
        let reader = StoredRequestBodies(connection: connection)
        #expect(try await reader.requestBody(id: "c1") == Self.body(turn: 2))
        #expect(try await reader.requestBody(id: "c2") == Self.body(turn: 3))

        // An edge that believes Postgres holds blocks it does not: refused whole, nothing stored.
        let stranger = try Self.spoolLine(Self.record("c3", at: 1_795_000_000_003), body: Self.body(turn: 5))
        let (compactStranger, _) = try #require(CompactSpoolLine.compact(stranger[...], known: { _ in true }))
        await #expect(throws: IngestError.missingBlocks(4)) {  // messages 6 to 9; the rest came with c1 and c2
            try await RecordStore().insert(RecordBatch(ndjson: Data(compactStranger + [0x0A])), into: connection)
        }
        #expect(try await connection.query("SELECT count(*) FROM requests WHERE id = 'c3'").first?[0] == "0")
    }

    @Test func aBlockThatDoesNotMatchItsDigestIsRefused() throws {
        let line = try Self.spoolLine(Self.record("t", at: 1), body: Self.body(turn: 1))
        var (compact, _) = try #require(CompactSpoolLine.compact(line[...], known: { _ in false }))
        let blocksStart = try #require(compact.firstRange(of: Array(#""blocks":{"#.utf8))).upperBound
        let step = try #require(compact[blocksStart...].firstRange(of: Array("step".utf8)))
        compact[step.lowerBound] = UInt8(ascii: "S")  // one byte of a message block changed on the way
        #expect(throws: IngestError.self) { try RecordBatch(ndjson: Data(compact + [0x0A])) }
    }
}
