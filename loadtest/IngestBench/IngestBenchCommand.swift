import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Shared

/// `goosey-ingest-bench`: ships Claude Code-shaped request records to a coordinator's `/v1/ingest` as
/// edges would (spool segments of about 1 MB) and reports the records per second it took.
@main
struct IngestBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "goosey-ingest-bench",
        abstract: "Ship simulated Claude Code sessions' records to a coordinator; print a JSON summary."
    )

    @Option(help: "The coordinator, e.g. http://127.0.0.1:8081.") var coordinator: String
    @Option(help: "Sessions (students), each sending its turns in order.") var sessions = 200
    @Option(help: "Turns per session.") var turns = 40
    @Option(help: "Concurrent shippers (edges).") var shippers = 4
    @Option(help: "A segment closes at this many bytes.") var segmentBytes = 1 << 20

    func run() async throws {
        guard let token = ProcessInfo.processInfo.environment["INGEST_TOKEN"] else {
            throw ValidationError("set INGEST_TOKEN to the coordinator's ingest token")
        }
        let prompt = String(repeating: "You are Claude Code, Anthropic's CLI for software engineering. ", count: 190)
        let tools = "[" + (0..<16).map { #"{"name":"Tool\#($0)","description":"\#(String(repeating: "Runs a command and returns its output. ", count: 55))","input_schema":{"type":"object","properties":{"command":{"type":"string"}}}}"# }.joined(separator: ",") + "]"
        let plan = ShippingPlan(sessions: self.sessions, turns: self.turns, shippers: self.shippers, segmentBytes: self.segmentBytes, prompt: prompt, tools: tools)
        let url = self.coordinator + "/v1/ingest"
        // The edges' part (cutting bodies into blocks, hashing, compacting) happens before the clock
        // starts, in parallel as on separate edges: what is timed is the coordinator taking the segments.
        let preparing = ContinuousClock.now
        let prepared = try await withThrowingTaskGroup(of: PreparedShipper.self) { group in
            for shipper in 0..<self.shippers {
                group.addTask { try plan.prepare(as: shipper) }
            }
            return try await group.reduce(into: [PreparedShipper]()) { $0.append($1) }
        }
        let preparationSeconds = Self.seconds(since: preparing)
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for shipper in prepared {
                group.addTask {
                    for segment in shipper.segments {
                        guard try await ShippingPlan.post(segment, to: url, token: token) == .ok else {
                            throw ValidationError("the coordinator refused a compacted segment")
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let seconds = Self.seconds(since: started)
        let totals = prepared.reduce(into: ShippingTotals()) { $0.add($1.totals) }
        let summary: [String: Any] = [
            "records": totals.records, "segments": totals.segments, "rawBodyBytes": totals.rawBodyBytes,
            "shippedBytes": totals.shippedBytes, "seconds": (seconds * 100).rounded() / 100,
            "recordsPerSecond": (Double(totals.records) / seconds).rounded(),
            "edgeMillisecondsPerRecord": (preparationSeconds * 1000 * Double(self.shippers) / Double(totals.records) * 100).rounded() / 100,
        ]
        print(String(decoding: try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys]), as: UTF8.self))
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// One shipper's shipments (up to 16 segments each), compacted as an edge ships them.
struct PreparedShipper: Sendable {
    var segments: [ByteBuffer] = []
    var totals = ShippingTotals()
}

struct ShippingTotals: Sendable {
    var records = 0
    var segments = 0
    var rawBodyBytes = 0
    var shippedBytes = 0

    mutating func add(_ other: ShippingTotals) {
        self.records += other.records
        self.segments += other.segments
        self.rawBodyBytes += other.rawBodyBytes
        self.shippedBytes += other.shippedBytes
    }
}

/// Which sessions each shipper carries, and how their turns become segments.
struct ShippingPlan: Sendable {
    let sessions: Int
    let turns: Int
    let shippers: Int
    let segmentBytes: Int
    let prompt: String
    let tools: String

    /// Shipper `index` carries every `shippers`-th session and takes their turns round-robin, as the
    /// students of one edge would: a segment holds whatever turns arrived together, compacted against
    /// the blocks of this shipper's earlier segments (which the coordinator will have committed by then).
    func prepare(as index: Int) throws -> PreparedShipper {
        var sessions = stride(from: index, to: self.sessions, by: self.shippers).map {
            ClaudeCodeSession(index: $0, turns: self.turns, sharedPrompt: self.prompt, tools: self.tools)
        }
        var prepared = PreparedShipper()
        var segment = ByteBuffer()
        var wholeBytes = 0
        var segmentsInShipment = 0
        var digests: [String] = []
        var committed = Set<String>()
        let encoder = JSONEncoder()
        for turn in 0..<self.turns {
            for position in sessions.indices {
                let body = sessions[position].nextBody()
                let record = Self.record(session: sessions[position].index, turn: turn, bytes: body.count)
                var line = Array(try encoder.encode(record))
                line.removeLast()
                line += Array(#","request":"#.utf8) + body
                line += Array(#","response":"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"}"#.utf8)
                let (compact, referenced) = CompactSpoolLine.compact(line[...], known: committed.contains) ?? (line, [])
                segment.writeBytes(compact + [0x0A])
                wholeBytes += line.count + 1
                digests += referenced
                prepared.totals.records += 1
                prepared.totals.rawBodyBytes += body.count
                if wholeBytes >= self.segmentBytes {
                    segmentsInShipment += 1
                    wholeBytes = 0
                    prepared.totals.segments += 1
                }
                // An edge ships up to 16 closed segments at once, compacted against what earlier
                // shipments committed.
                if segmentsInShipment == Self.segmentsPerShipment {
                    try self.close(&segment, into: &prepared)
                    committed.formUnion(digests)
                    digests = []
                    segmentsInShipment = 0
                }
            }
        }
        if segment.readableBytes > 0 {
            if wholeBytes > 0 { prepared.totals.segments += 1 }
            try self.close(&segment, into: &prepared)
        }
        return prepared
    }

    static let segmentsPerShipment = 16

    /// Gzips a shipment as an edge does (part of the edge's untimed work).
    private func close(_ segment: inout ByteBuffer, into prepared: inout PreparedShipper) throws {
        let gzipped = try Gzip.compress(segment.readableBytesView)
        prepared.segments.append(gzipped)
        prepared.totals.shippedBytes += gzipped.readableBytes
        segment = ByteBuffer()
    }

    static func record(session: Int, turn: Int, bytes: Int) -> RequestRecord {
        RequestRecord(
            id: "req_bench_\(session)_\(turn)_\(UInt32.random(in: 0 ... .max))", upstreamRequestID: "req_up_\(session)_\(turn)",
            receivedAtMillis: Int64(Date().timeIntervalSince1970 * 1000), keyID: "0123456789ab", method: "POST",
            path: "/v1/messages", status: 200, model: "claude-sonnet-4-5", stopReason: "tool_use", errorType: nil,
            usage: TokenUsage(inputTokens: 3, cacheCreation5mTokens: Int64(bytes / 40), cacheReadTokens: Int64(bytes / 4), outputTokens: 400),
            costPicoUSD: 1_000_000, estimated: false, clientAborted: false, timeToFirstByteMicros: 900_000,
            totalMicros: 8_000_000, claudeCodeSessionID: "session-\(session)", requestBytes: bytes, responseBytes: 60,
            course: "BENCH", student: "student-\(session)", edge: "edge-bench", charge: 1_000
        )
    }

    static func post(_ segment: ByteBuffer, to url: String, token: String) async throws -> HTTPResponseStatus {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "authorization", value: "Bearer \(token)")
        request.headers.add(name: "content-encoding", value: "gzip")
        request.body = .bytes(segment)
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
        let answer = try await response.body.collect(upTo: 1 << 16)
        guard response.status == .ok || response.status == .conflict else {
            throw ValidationError("the coordinator answered \(response.status.code): \(String(buffer: answer))")
        }
        return response.status
    }
}
