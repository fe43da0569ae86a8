import NIOCore

/// Turns the flushes one event-loop task asks for into one flush at the end of that task.
///
/// Hummingbird flushes the answer's head as it writes it, and the relay flushes the first chunk of the
/// body after it: with this, a short answer read whole from the upstream (head, events and end in one
/// read) goes to the client in one `writev`, not one per flush. The delay is the rest of the current
/// event-loop task, microseconds, and the bytes and their order are unchanged. (The events of later
/// reads are flushed from the response encoder's place, below this handler: `ClientBodyWriter.flush()`.)
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
