import Foundation
import NIOCore
import Shared
import Testing

@testable import Edge

struct SpoolLineTests {
    static func record(_ id: String) -> RequestRecord {
        RequestRecord(
            id: id, upstreamRequestID: nil, receivedAtMillis: 1, keyID: "k", method: "POST", path: "/v1/messages",
            status: 200, model: nil, stopReason: nil, errorType: nil, usage: TokenUsage(), costPicoUSD: 0,
            estimated: false, clientAborted: false, timeToFirstByteMicros: nil, totalMicros: 1, claudeCodeSessionID: nil,
            requestBytes: 2, responseBytes: 3
        )
    }

    @Test func aSpooledLineIsTheRecordWithTheBodyVerbatimAndTheAnswerEvenIfItIsNotUTF8() throws {
        let record = Self.record("r")
        let body = ByteBuffer(string: #"{ "messages" : [1,  2] }"#)
        let answer = ByteBuffer(bytes: [0x61, 0xFF, 0x62])  // not UTF-8
        let line = try SpoolLine.encode(record, requestBody: body, response: answer, encoder: JSONEncoder())
        #expect(try JSONDecoder().decode(RequestRecord.self, from: line) == record)
        let object = try #require(try JSONSerialization.jsonObject(with: line) as? [String: Any])
        #expect(object["response"] as? String == "a\u{FFFD}b")
        let text = String(decoding: line, as: UTF8.self)
        #expect(text.contains(#","request":{ "messages" : [1,  2] }"#), "the body as it came, spaces and all")
    }

    @Test func aBodyWithLineBreaksGoesAsAStringSoTheLineStaysOneLine() throws {
        let record = Self.record("p")
        let pretty = "{\n  \"messages\": [\r\n    1\n  ]\n}"
        let line = try SpoolLine.encode(record, requestBody: ByteBuffer(string: pretty), response: nil, encoder: JSONEncoder())
        #expect(!line.contains(0x0A) && !line.contains(0x0D))
        let object = try #require(try JSONSerialization.jsonObject(with: line) as? [String: Any])
        #expect(object["requestText"] as? String == pretty)
        #expect(object["request"] == nil)
    }

    @Test func shipmentsHoldSixteenSegmentsOrEightMegabytesAndABigSegmentGoesAlone() {
        let segments = (0..<40).map { (path: "s\($0)", bytes: $0 == 20 ? 50 << 20 : 1 << 20) }
        let shipments = SpoolShipper.shipments(of: segments)
        #expect(shipments.map(\.count) == [8, 8, 4, 1, 8, 8, 3])
        #expect(shipments.flatMap { $0.map(\.path) } == segments.map(\.path), "every segment once, in order")
        let small = (0..<20).map { (path: "t\($0)", bytes: 100) }
        #expect(SpoolShipper.shipments(of: small).map(\.count) == [16, 4])
    }
}
