import NIOCore

extension VirtualClient {
    /// Starts issuing requests on the run's clock.
    func start(_ clock: RunClock) {
        self.eventLoop.execute { self.begin(clock) }
    }

    private func begin(_ clock: RunClock) {
        self.clock = clock
        self.drainTask = self.eventLoop.scheduleTask(deadline: clock.drainUntil) { self.drain() }
        switch self.plan.mode {
        case .paced:
            self.schedulePaced(k: 0)
        case .closed:
            self.eventLoop.scheduleTask(deadline: clock.start) { self.enqueue(.now()) }
        case .concurrent:
            guard !self.unreachable else {
                self.tally.fail("connect")
                return self.finish()
            }
            let due = RunClock.rampSend(plan: self.plan, start: clock.start, index: self.index)
            self.eventLoop.scheduleTask(deadline: due) {
                self.schedulingDone = true
                self.enqueue(due)
            }
        }
    }

    private func schedulePaced(k: Int) {
        guard let clock = self.clock else { return }
        let due = RunClock.pacedSend(plan: self.plan, start: clock.start, index: self.index, k: k)
        guard due < clock.end else {
            self.schedulingDone = true
            return self.checkDone()
        }
        self.eventLoop.scheduleTask(deadline: due) {
            self.enqueue(due)
            self.schedulePaced(k: k + 1)
        }
    }

    func enqueue(_ due: NIODeadline) {
        self.queue.append(due)
        self.trySend()
    }

    func dequeue() -> NIODeadline {
        let due = self.queue[self.queueHead]
        self.queueHead += 1
        if self.queueHead == self.queue.count {
            self.queue.removeAll(keepingCapacity: true)
            self.queueHead = 0
        }
        return due
    }

    /// After a response ended or failed: the next request, or the end.
    func afterExchange() {
        if self.plan.mode == .closed, let clock = self.clock {
            let now = NIODeadline.now()
            if now < clock.end {
                self.enqueue(now)
            } else {
                self.schedulingDone = true
            }
        }
        self.trySend()
        self.checkDone()
    }

    func checkDone() {
        if self.schedulingDone, self.exchange == nil, self.queueHead == self.queue.count { self.finish() }
    }

    /// The run's hard end: whatever is still open or unsent is a failure.
    private func drain() {
        guard !self.finished, let clock = self.clock else { return }
        self.failExchange("timeout")
        for due in self.queue[self.queueHead...] where due >= clock.measureFrom { self.tally.fail("not_sent") }
        self.queue.removeAll()
        self.queueHead = 0
        self.finish()
    }

    func finish() {
        guard !self.finished else { return }
        self.finished = true
        self.drainTask?.cancel()
        if let connection = self.connection {
            self.connection = nil
            connection.close()
        }
        self.report.succeed(self.tally)
    }
}
