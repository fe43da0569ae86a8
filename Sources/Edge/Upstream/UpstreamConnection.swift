import NIOCore
import NIOHTTP1

/// The end of an upstream connection's pipeline: sends one request at a time and passes its answer, part by
/// part, to that request's relay. Lives on its connection's event loop, as does everything it touches.
final class UpstreamConnection: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private var context: ChannelHandlerContext?
    private var relay: UpstreamRelay?
    /// The relay stopped reading until its client can take more.
    private var paused = false
    private var lastRead = NIODeadline.now()
    private var headPatience = TimeAmount.seconds(600)
    private var patience = TimeAmount.seconds(300)
    /// Nothing of the answer has come yet: the head's patience applies.
    private var awaitingHead = false
    private var watchdog: Scheduled<Void>?
    /// Offers this connection to its loop's idle list; false when the list is full.
    private let onIdle: (UpstreamConnection) -> Bool

    init(onIdle: @escaping (UpstreamConnection) -> Bool) {
        self.onIdle = onIdle
    }

    /// Open, between requests, and nobody's.
    var isReusable: Bool { self.context?.channel.isActive == true && self.relay == nil }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func begin(_ request: UpstreamRequest, relay: UpstreamRelay) {
        guard let context = self.context else {
            relay.upstreamFailed(UpstreamFailure.broken)
            return
        }
        self.relay = relay
        self.headPatience = request.headPatience
        self.patience = request.patience
        self.awaitingHead = true
        self.paused = false
        self.lastRead = .now()
        relay.attach(self)
        context.write(self.wrapOutboundOut(.head(request.head)), promise: nil)
        if let body = request.body { context.write(self.wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
        self.armWatchdog(after: min(request.headPatience, request.patience))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.lastRead = .now()
        self.awaitingHead = false
        guard let relay = self.relay else {
            context.close(promise: nil)  // nothing was asked: a confused upstream, not to be reused
            return
        }
        relay.receive(self.unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        self.relay?.readComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.fail(UpstreamFailure.broken)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.fail(UpstreamFailure.broken)
        context.close(promise: nil)
    }

    /// Stops reading until `resume()`: the client cannot take more yet.
    func pause() {
        guard let context = self.context, !self.paused else { return }
        self.paused = true
        _ = context.channel.setOption(ChannelOptions.autoRead, value: false)
    }

    func resume() {
        guard let context = self.context, self.paused else { return }
        self.paused = false
        self.lastRead = .now()
        _ = context.channel.setOption(ChannelOptions.autoRead, value: true)
    }

    /// The relay is done with this connection: back to the idle list when the answer ended cleanly and the
    /// upstream keeps the connection open, closed otherwise (which also cancels an unfinished answer).
    func release(reusable: Bool) {
        self.relay = nil
        self.watchdog?.cancel()
        self.watchdog = nil
        self.resume()
        guard let context = self.context else { return }
        if !(reusable && context.channel.isActive && self.onIdle(self)) {
            context.close(promise: nil)
        }
    }

    private func fail(_ failure: UpstreamFailure) {
        guard let relay = self.relay else { return }
        self.relay = nil
        self.watchdog?.cancel()
        self.watchdog = nil
        relay.upstreamFailed(failure)
        self.context?.close(promise: nil)
    }

    /// One timer per silence rather than one per read: it fires, finds the reads that came meanwhile, and
    /// sleeps again until the patience after the last of them is over.
    private func armWatchdog(after delay: TimeAmount) {
        guard let context = self.context else { return }
        self.watchdog = context.eventLoop.assumeIsolated().scheduleTask(in: delay) { [self] in
            guard self.relay != nil else { return }
            if self.paused {
                self.armWatchdog(after: self.patience)
                return
            }
            let silentSince = self.lastRead + (self.awaitingHead ? self.headPatience : self.patience)
            if silentSince <= .now() {
                self.fail(UpstreamFailure.stalled)
            } else {
                self.armWatchdog(after: silentSince - .now())
            }
        }
    }
}
