import NIOCore

/// Turns the flushes one event-loop task asks for into one flush at the end of that task.
///
/// The upstream delivers an answer's SSE events in batches (everything one read brought), and each
/// event is relayed with its own write-and-flush: without this, one batch of 26 events costs 26
/// `writev` calls to the client; with it, one. The delay is the rest of the current event-loop task,
/// microseconds, and the bytes and their order are unchanged.
final class FlushCoalescingHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = NIOAny

    private var flushPending = false

    func flush(context: ChannelHandlerContext) {
        guard !self.flushPending else { return }
        self.flushPending = true
        context.eventLoop.assumeIsolated().execute {
            self.flushPending = false
            context.flush()
        }
    }

    /// A close (a graceful shutdown ends connections right after their last write) would drop writes
    /// still waiting for the deferred flush: they go out first.
    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        self.flushNow(context: context)
        context.close(mode: mode, promise: promise)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.flushNow(context: context)
    }

    private func flushNow(context: ChannelHandlerContext) {
        if self.flushPending {
            self.flushPending = false
            context.flush()
        }
    }
}
