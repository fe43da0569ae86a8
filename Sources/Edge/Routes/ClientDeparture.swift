import NIOCore

/// Tells the relay of the request in flight that its client has gone: its side of the connection closed (the
/// client quit, or Claude Code's Esc aborted the request), or the connection did.
///
/// Hummingbird allows half-closed connections, so a client's FIN leaves the channel active, and nothing is
/// written to fail while an answer has not begun: without this the upstream would go on answering nobody
/// until the head's patience ran out. nginx, likewise, cancels the upstream request when the client closes.
final class ClientDeparture: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private weak var relay: UpstreamRelay?
    private var gone = false

    /// Tells `relay` when the client goes (at once if it has gone already). Each request's relay replaces the last.
    func watch(_ relay: UpstreamRelay) {
        self.relay = relay
        if self.gone { relay.clientLeft() }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .inputClosed = event as? ChannelEvent { self.clientLeft() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.clientLeft()
        context.fireChannelInactive()
    }

    private func clientLeft() {
        self.gone = true
        let relay = self.relay
        self.relay = nil
        relay?.clientLeft()
    }
}
