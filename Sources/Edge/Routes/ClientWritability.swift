import NIOCore

/// Tells a relay paused on a slow client when that client's connection can take more again.
final class ClientWritability: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private var waiting: [() -> Void] = []

    /// `resume` runs once, on the connection's event loop, when it is writable again (or closes).
    func whenWritable(_ resume: @escaping () -> Void) {
        self.waiting.append(resume)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { self.runWaiting() }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.runWaiting()
        context.fireChannelInactive()
    }

    private func runWaiting() {
        let waiting = self.waiting
        self.waiting = []
        for resume in waiting { resume() }
    }
}
