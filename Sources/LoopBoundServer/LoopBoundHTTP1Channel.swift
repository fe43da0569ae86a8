import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1.1 channel, with each connection's task run on its channel's own event loop.
///
/// Otherwise the task runs on the global executor and every step between the route and Hummingbird's
/// response writer (returning the head, starting the body) is a job queued back onto the loop.
public struct LoopBoundHTTP1Channel: ServerChildChannel {
    public let http1: HTTP1Channel

    public init(http1: HTTP1Channel) {
        self.http1 = http1
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1Channel.Value> {
        self.http1.setup(channel: channel, logger: logger)
    }

    public func handle(value: HTTP1Channel.Value, logger: Logger) async {
        await withTaskExecutorPreference(EventLoopExecutor.of(value.channel.eventLoop)) {
            await self.http1.handle(value: value, logger: logger)
        }
    }
}

extension HTTPServerBuilder {
    /// `.http1(configuration:)` with every connection's task on its own event loop.
    public static func loopBoundHTTP1(configuration: HTTP1Channel.Configuration) -> HTTPServerBuilder {
        .init { responder in LoopBoundHTTP1Channel(http1: HTTP1Channel(responder: responder, configuration: configuration)) }
    }
}
