import NIOCore

/// One side of a client connection and its upstream connection, both on the same event loop: each part it reads
/// it converts and hands its partner to write, and it stops reading while the partner cannot write.
final class Relay<Inbound, Outbound, PartnerOutbound>: ChannelDuplexHandler, RelayPartner {
    typealias InboundIn = Inbound
    typealias OutboundIn = Outbound
    typealias OutboundOut = Outbound

    private let convert: (Inbound) -> PartnerOutbound
    private var context: ChannelHandlerContext?
    private var partner: (any RelayPartner<PartnerOutbound>)?
    private var pendingRead = false

    init(convert: @escaping (Inbound) -> PartnerOutbound) {
        self.convert = convert
    }

    func pair(with partner: any RelayPartner<PartnerOutbound>) {
        self.partner = partner
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.partner?.write(self.convert(self.unwrapInboundIn(data)))
    }

    func channelReadComplete(context: ChannelHandlerContext) { self.partner?.flush() }

    func channelInactive(context: ChannelHandlerContext) {
        self.partner?.finish()
        self.partner = nil
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { self.partner?.resumeReading() }
    }

    func read(context: ChannelHandlerContext) {
        if self.partner?.isWritable == false {
            self.pendingRead = true
        } else {
            context.read()
        }
    }

    // MARK: - RelayPartner

    func write(_ part: Outbound) { self.context?.write(self.wrapOutboundOut(part), promise: nil) }

    func flush() { self.context?.flush() }

    /// The partner's connection has ended: what is queued here still goes out, then this connection closes too (which,
    /// upstream, cancels an answer nobody reads).
    func finish() {
        self.partner = nil
        guard let context = self.context else { return }
        context.flush()
        let channel = context.channel
        let drained = context.eventLoop.makePromise(of: Void.self)
        drained.futureResult.whenComplete { _ in channel.close(promise: nil) }
        context.close(mode: .output, promise: drained)
    }

    var isWritable: Bool { self.context?.channel.isWritable ?? false }

    func resumeReading() {
        guard self.pendingRead, let context = self.context else { return }
        self.pendingRead = false
        context.read()
    }
}

/// What one side of a relay asks of the other.
protocol RelayPartner<Outbound>: AnyObject {
    associatedtype Outbound
    func write(_ part: Outbound)
    func flush()
    func finish()
    var isWritable: Bool { get }
    func resumeReading()
}
