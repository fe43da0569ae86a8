import NIOCore
import NIOHTTP1

/// One side of a client connection and its upstream connection, both on the same event loop: what it reads it
/// hands its partner to write, converted, and it stops reading while the partner cannot write.
final class Relay<Inbound, Outbound>: ChannelDuplexHandler, RelayPartner {
    typealias InboundIn = Inbound
    typealias OutboundIn = Outbound
    typealias OutboundOut = Outbound

    private let convert: (Inbound) -> NIOAny
    private var context: ChannelHandlerContext?
    private var partner: (any RelayPartner)?
    private var pendingRead = false

    init(convert: @escaping (Inbound) -> NIOAny) {
        self.convert = convert
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.partner?.write(self.convert(self.unwrapInboundIn(data)))
    }

    func channelReadComplete(context: ChannelHandlerContext) { self.partner?.flush() }

    func channelInactive(context: ChannelHandlerContext) {
        self.partner?.close()
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

    // MARK: RelayPartner

    func write(_ data: NIOAny) { self.context?.write(data, promise: nil) }
    func flush() { self.context?.flush() }
    func close() {
        self.partner = nil
        self.context?.close(promise: nil)
    }
    var isWritable: Bool { self.context?.channel.isWritable ?? false }
    func resumeReading() {
        guard self.pendingRead, let context = self.context else { return }
        self.pendingRead = false
        context.read()
    }

    func pair(with partner: any RelayPartner) { self.partner = partner }
}

protocol RelayPartner: AnyObject {
    func write(_ data: NIOAny)
    func flush()
    func close()
    var isWritable: Bool { get }
    func resumeReading()
}

enum Join {
    /// Joins a client connection to its upstream connection, bytes both ways.
    static func bytes(_ client: any Channel, _ upstream: any Channel) throws {
        let down = Relay<ByteBuffer, ByteBuffer> { NIOAny($0) }
        let up = Relay<ByteBuffer, ByteBuffer> { NIOAny($0) }
        try join(down, client, up, upstream)
    }

    /// Joins them through NIO's HTTP/1.1 codecs on both sides, swapping the client's key for the upstream's.
    static func http(_ client: any Channel, _ upstream: any Channel, apiKey: String) throws {
        try client.pipeline.syncOperations.configureHTTPServerPipeline(
            withPipeliningAssistance: false, withErrorHandling: false)
        try upstream.pipeline.syncOperations.addHTTPClientHandlers()
        let down = Relay<HTTPServerRequestPart, HTTPServerResponsePart> { part in
            switch part {
            case .head(var head):
                head.headers.replaceOrAdd(name: "x-api-key", value: apiKey)
                return NIOAny(HTTPClientRequestPart.head(head))
            case .body(let buffer): return NIOAny(HTTPClientRequestPart.body(.byteBuffer(buffer)))
            case .end(let trailers): return NIOAny(HTTPClientRequestPart.end(trailers))
            }
        }
        let up = Relay<HTTPClientResponsePart, HTTPClientRequestPart> { part in
            switch part {
            case .head(let head): NIOAny(HTTPServerResponsePart.head(head))
            case .body(let buffer): NIOAny(HTTPServerResponsePart.body(.byteBuffer(buffer)))
            case .end(let trailers): NIOAny(HTTPServerResponsePart.end(trailers))
            }
        }
        try join(down, client, up, upstream)
    }

    private static func join<A, B, C, D>(
        _ down: Relay<A, B>, _ client: any Channel, _ up: Relay<C, D>, _ upstream: any Channel
    ) throws {
        down.pair(with: up)
        up.pair(with: down)
        try client.pipeline.syncOperations.addHandler(down)
        try upstream.pipeline.syncOperations.addHandler(up)
    }
}
