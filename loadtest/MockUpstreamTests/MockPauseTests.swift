import NIOCore
import NIOPosix
import Testing

@testable import MockUpstream

@Suite struct MockPauseTests {
    let loop = MultiThreadedEventLoopGroup.singleton.next()

    @Test func aPauseLastsItsDelay() async throws {
        let start = ContinuousClock.now
        try await MockPause.pause(.milliseconds(50), on: self.loop)
        #expect(ContinuousClock.now - start >= .milliseconds(50))
    }

    /// A hung or stalled answer pauses for an hour; the client leaving must end it, not leave it waiting.
    @Test func aCancelledPauseEndsAtOnce() async throws {
        let loop = self.loop
        let pause = Task { try await MockPause.pause(.hours(1), on: loop) }
        // Whichever comes first: the pause's end, or ten seconds. Unstructured, so a pause that ignores its
        // cancellation fails the test instead of holding it for an hour.
        let (outcomes, sink) = AsyncStream.makeStream(of: String.self)
        Task {
            do {
                try await pause.value
                sink.yield("finished")
            } catch is CancellationError {
                sink.yield("cancelled")
            } catch {
                sink.yield("failed with \(error)")
            }
        }
        Task {
            try? await Task.sleep(for: .seconds(10))
            sink.yield("still pausing after 10 s")
        }
        pause.cancel()
        var first = outcomes.makeAsyncIterator()
        let outcome = await first.next()
        #expect(outcome == "cancelled")
    }
}
