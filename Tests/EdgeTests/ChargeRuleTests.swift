import Foundation
import NIOCore
import Shared
import Testing

@testable import Edge

/// What a finished answer costs the student when it says nothing of its usage.
@Suite struct ChargeRuleTests {
    let admission = Admission(
        leaseID: "lease", student: StudentRef(course: "C", student: "s"), policy: .testing(limit: 50_000_000),
        window: PeriodWindow(index: 1, start: Date(), end: Date()), hold: 12_345, before: nil
    )

    func charge(_ body: String, contentType: String, status: Int, clientAborted: Bool = false) -> Int64 {
        var meter = UsageMeter(contentType: contentType)
        meter.feed(ByteBuffer(string: body))
        if clientAborted { meter.markAborted() }
        return UsageRecorder.charge(meter.finish(), status: status, clientAborted: clientAborted, cost: 0, admission: self.admission)
    }

    @Test func aGatewaysErrorPageOrAnEmpty5xxCostsNothing() {
        #expect(self.charge("<html><head><title>502 Bad Gateway</title></head></html>", contentType: "text/html", status: 502) == 0)
        #expect(self.charge("", contentType: "text/plain", status: 520) == 0)
        #expect(self.charge("", contentType: "application/json", status: 503, clientAborted: true) == 0)
        let overloaded = #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#
        #expect(self.charge(overloaded, contentType: "application/json", status: 529) == 0)
    }

    @Test func anAcceptedAnswerCutBeforeItsUsageIsChargedTheHold() {
        #expect(self.charge(#"{"id":"msg_1","type":"message","content":[{"type":"te"#, contentType: "application/json", status: 200) == 12_345)
        #expect(self.charge("event: ping\ndata: {\"type\":\"ping\"}\n\n", contentType: "text/event-stream", status: 200, clientAborted: true) == 12_345)
    }
}
