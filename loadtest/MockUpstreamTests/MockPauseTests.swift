import NIOCore
import NIOPosix
import Testing

@testable import MockUpstream

@Suite(.timeLimit(.minutes(1))) struct MockPauseTests {
    let loop = MultiThreadedEventLoopGroup.singleton.next()

    @Test func aPauseLastsItsDelay() async throws {
        let closed = self.loop.makePromise(of: Void.self)
        defer { closed.succeed() }
        let pause = MockPause(loop: self.loop, connectionClosed: closed.futureResult)
        let start = ContinuousClock.now
        try await pause(.milliseconds(50))
        #expect(ContinuousClock.now - start >= .milliseconds(50))
    }

    @Test func aCancelledPauseEndsAtOnce() async throws {
        let closed = self.loop.makePromise(of: Void.self)
        defer { closed.succeed() }
        let pause = MockPause(loop: self.loop, connectionClosed: closed.futureResult)
        let waiting = Task { try await pause(.hours(1)) }
        try await Task.sleep(for: .milliseconds(50))  // under way, most likely; cancelled before it began is fine too
        waiting.cancel()
        #expect(await Self.outcome(of: waiting) == "cancelled")
    }

    /// Hummingbird does not cancel the handler of a client that left: the closed connection must end the wait.
    @Test func anAnswerThatNeverComesEndsWhenTheConnectionCloses() async throws {
        let closed = self.loop.makePromise(of: Void.self)
        let pause = MockPause(loop: self.loop, connectionClosed: closed.futureResult)
        let waiting = Task { try await pause.untilConnectionCloses() }
        try await Task.sleep(for: .milliseconds(50))
        closed.succeed()
        #expect(await Self.outcome(of: waiting) == "cancelled")
    }

    /// How `task` ended, or that it had not within ten seconds. Unstructured, so a pause that goes on for its
    /// hour fails the test instead of holding it.
    static func outcome(of task: Task<Void, any Error>) async -> String {
        let (outcomes, sink) = AsyncStream.makeStream(of: String.self)
        Task {
            do {
                try await task.value
                sink.yield("finished")
            } catch is CancellationError {
                sink.yield("cancelled")
            } catch {
                sink.yield("failed with \(error)")
            }
        }
        let watchdog = Task {
            try await Task.sleep(for: .seconds(10))
            sink.yield("still pausing after 10 s")
        }
        var first = outcomes.makeAsyncIterator()
        let outcome = await first.next() ?? "nothing"
        watchdog.cancel()
        return outcome
    }
}
