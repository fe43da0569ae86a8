import NIOCore
import NIOHTTP1

/// The last handler of a client connection: writes the client's requests and hands every response
/// part and connection event back to its ``VirtualClient``, on the same event loop.
final class ResponseHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let client: VirtualClient
    private var context: ChannelHandlerContext?
    private(set) var isOpen = true

    init(client: VirtualClient) {
        self.client = client
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Writes the whole request; the body buffer is shared, not copied.
    func send(_ request: RequestTemplate) {
        guard let context = self.context else { return }
        context.write(self.wrapOutboundOut(.head(request.head)), promise: nil)
        context.write(self.wrapOutboundOut(.body(.byteBuffer(request.body))), promise: nil)
        context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
    }

    func close() {
        self.isOpen = false
        self.context?.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head): self.client.responseHead(head)
        case .body(let buffer): self.client.responseBody(buffer)
        case .end: self.client.responseEnd()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.isOpen = false
        self.client.connectionClosed(self)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.client.connectionFailed(self, error: error)
    }
}
