import HTTPTypes
import Testing

@testable import Edge

/// Per-key limits on one edge: requests in flight and requests started per minute.
struct KeyThrottleTests {
    @Test func aKeyWithAllItsRequestsInFlightWaitsForOneToEnd() throws {
        let throttle = KeyThrottle(limits: .init(concurrency: 2, requestsPerMinute: 0))
        var first = try throttle.admit("key-a")
        let second = try throttle.admit("key-a")
        #expect(throws: KeyThrottle.Refusal.tooManyInFlight(limit: 2)) { try throttle.admit("key-a") }
        let other = try throttle.admit("key-b")
        #expect(other != nil, "another key is not held back")
        #expect(throttle.inFlight("key-a") == 2)
        first = nil
        #expect(throttle.inFlight("key-a") == 1, "a request's place is given back when its last reference goes")
        let third = try throttle.admit("key-a")
        #expect(third != nil && second != nil && first == nil)
    }

    @Test func aKeyStartingRequestsTooFastIsToldWhenToRetry() throws {
        let throttle = KeyThrottle(limits: .init(concurrency: 0, requestsPerMinute: 60))
        for _ in 0..<6 { _ = try throttle.admit("loop") }  // the burst: a tenth of a minute's allowance
        #expect(throws: KeyThrottle.Refusal.tooFast(limit: 60, retryAfterSeconds: 1)) { try throttle.admit("loop") }
        #expect(try throttle.admit("calm") != nil, "the bucket is per key")
    }

    @Test func noLimitsMeansNoBookkeeping() throws {
        let throttle = KeyThrottle(limits: .init(concurrency: 0, requestsPerMinute: 0))
        for _ in 0..<1000 { #expect(try throttle.admit("key") == nil) }
        #expect(throttle.inFlight("key") == 0)
    }

    @Test func theRefusalIsARetryableRateLimitInAnthropicsShape() {
        let error = AnthropicError.throttled(.tooFast(limit: 600, retryAfterSeconds: 3))
        #expect(error.status == .tooManyRequests && error.type == "rate_limit_error")
        #expect(error.extraHeaders[.init("retry-after")!] == "3")
        #expect(error.extraHeaders[.init("x-should-retry")!] == "true")
    }
}
