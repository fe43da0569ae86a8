#if os(Linux)
import Glibc
import NIOCore
import NIOPosix
import Testing

@testable import Edge

struct BackgroundWorkTests {
    static func niceValue() -> Int32 {
        getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
    }

    /// Shipping waits for the cores; relaying answers and writing records (which drains the queue in memory) do not.
    @Test func onlyTheShippersWorkRunsAtBackgroundPriority() async throws {
        #expect(try await BackgroundWork.run { Self.niceValue() } == 10)
        let loopNice = try await MultiThreadedEventLoopGroup.singleton.next().submit { Self.niceValue() }.get()
        #expect(loopNice == 0)
        #expect(try await NIOThreadPool.singleton.runIfActive { Self.niceValue() } == 0)
    }
}
#endif
