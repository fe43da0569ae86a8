import Foundation
import NIOCore
import Shared
import Testing

@testable import Edge

struct SpoolLineTests {
    @Test func aSpooledLineIsTheRecordWithTheBodyVerbatimAndTheAnswerEvenIfItIsNotUTF8() throws {
        let record = RequestRecord(
            id: "r", upstreamRequestID: nil, receivedAtMillis: 1, keyID: "k", method: "POST", path: "/v1/messages",
            status: 200, model: nil, stopReason: nil, errorType: nil, usage: TokenUsage(), costPicoUSD: 0,
            estimated: false, clientAborted: false, timeToFirstByteMicros: nil, totalMicros: 1, claudeCodeSessionID: nil,
            requestBytes: 2, responseBytes: 3
        )
        let body = ByteBuffer(string: #"{ "messages" : [1,  2] }"#)
        let answer = ByteBuffer(bytes: [0x61, 0xFF, 0x62])  // not UTF-8
        let line = try SpoolLine.encode(record, requestBody: body, response: answer, encoder: JSONEncoder())
        #expect(try JSONDecoder().decode(RequestRecord.self, from: line) == record)
        let object = try #require(try JSONSerialization.jsonObject(with: line) as? [String: Any])
        #expect(object["response"] as? String == "a\u{FFFD}b")
        let text = String(decoding: line, as: UTF8.self)
        #expect(text.contains(#","request":{ "messages" : [1,  2] }"#), "the body as it came, spaces and all")
    }
}
