import NIOCore
import NIOPosix

/// Connects every client, runs the plan on one shared clock, and merges what the clients measured.
struct LoadRun {
    let plan: LoadPlan

    func run() async throws -> LoadSummary {
        FileDescriptorLimit.raise(toAtLeast: self.plan.clients + 128)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: self.plan.threads)
        let gauge = InFlightGauge()
        let clients = (0..<self.plan.clients).map {
            VirtualClient(index: $0, eventLoop: group.next(), plan: self.plan, gauge: gauge)
        }
        let connectStarted = NIODeadline.now()
        try await self.connectAll(clients, group: group)
        let connectTime = NIODeadline.now() - connectStarted
        let clock = RunClock(plan: self.plan, start: .now() + .milliseconds(100))
        for client in clients { client.start(clock) }
        var tally = ClientTally()
        for client in clients { tally.merge(try await client.report.futureResult.get()) }
        try await group.shutdownGracefully()
        return LoadSummary(
            plan: self.plan,
            clock: clock,
            tally: tally,
            peakInFlight: gauge.peak,
            connectTime: connectTime
        )
    }

    /// Opens the connections a batch at a time, so that the target's listen backlog is not what is measured.
    private func connectAll(_ clients: [VirtualClient], group: MultiThreadedEventLoopGroup) async throws {
        var start = 0
        while start < clients.count {
            let batch = clients[start..<min(start + self.plan.connectBatch, clients.count)]
            _ = try await EventLoopFuture.whenAllComplete(batch.map { $0.connect() }, on: group.any()).get()
            start += batch.count
        }
    }
}
