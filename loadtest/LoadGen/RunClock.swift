import NIOCore

/// The instants of one run, shared by every client. No request is scheduled at or after `end`;
/// only requests scheduled at or after `measureFrom` are counted.
struct RunClock: Sendable {
    var start: NIODeadline
    var measureFrom: NIODeadline
    var end: NIODeadline
    /// Whatever has not ended by now is a timeout, and whatever was not sent is `not_sent`.
    var drainUntil: NIODeadline

    init(plan: LoadPlan, start: NIODeadline) {
        self.start = start
        switch plan.mode {
        case .paced, .closed:
            self.measureFrom = start + plan.warmup
            self.end = self.measureFrom + plan.duration
        case .concurrent:
            self.measureFrom = start
            self.end = start + plan.ramp + .nanoseconds(1)
        }
        self.drainUntil = self.end + plan.timeout
    }

    /// Paced mode: when client `index` sends its `k`-th request. The clients interleave evenly,
    /// so the aggregate is exactly `rate` requests per second.
    static func pacedSend(plan: LoadPlan, start: NIODeadline, index: Int, k: Int) -> NIODeadline {
        let slot = Double(index) + Double(k) * Double(plan.clients)
        return start + .nanoseconds(Int64(slot * 1e9 / plan.rate))
    }

    /// Concurrent mode: when client `index` sends its one request (spread evenly over the ramp).
    static func rampSend(plan: LoadPlan, start: NIODeadline, index: Int) -> NIODeadline {
        start + .nanoseconds(plan.ramp.nanoseconds * Int64(index) / Int64(plan.clients))
    }
}
