import NIOCore
import NIOHTTP1

/// Pairs a client connection with its upstream connection.
enum Join {
    /// Bytes both ways, unparsed.
    static func bytes(client: any Channel, upstream: any Channel) throws {
        let clientSide = Relay<ByteBuffer, ByteBuffer, ByteBuffer> { $0 }
        let upstreamSide = Relay<ByteBuffer, ByteBuffer, ByteBuffer> { $0 }
        try self.join(clientSide, on: client, upstreamSide, on: upstream)
    }

    /// Through NIO's HTTP/1.1 codecs on both sides, the client's key swapped for the upstream's.
    static func http(client: any Channel, upstream: any Channel, apiKey: String) throws {
        try client.pipeline.syncOperations.configureHTTPServerPipeline(withPipeliningAssistance: false, withErrorHandling: false)
        try upstream.pipeline.syncOperations.addHTTPClientHandlers()
        let clientSide = Relay<HTTPServerRequestPart, HTTPServerResponsePart, HTTPClientRequestPart> { part in
            switch part {
            case .head(var head):
                head.headers.replaceOrAdd(name: "x-api-key", value: apiKey)
                return .head(head)
            case .body(let buffer): return .body(.byteBuffer(buffer))
            case .end(let trailers): return .end(trailers)
            }
        }
        let upstreamSide = Relay<HTTPClientResponsePart, HTTPClientRequestPart, HTTPServerResponsePart> { part in
            switch part {
            case .head(let head): .head(head)
            case .body(let buffer): .body(.byteBuffer(buffer))
            case .end(let trailers): .end(trailers)
            }
        }
        try self.join(clientSide, on: client, upstreamSide, on: upstream)
    }

    private static func join<ClientIn, ClientOut, UpstreamIn, UpstreamOut>(
        _ clientSide: Relay<ClientIn, ClientOut, UpstreamOut>, on client: any Channel,
        _ upstreamSide: Relay<UpstreamIn, UpstreamOut, ClientOut>, on upstream: any Channel
    ) throws {
        clientSide.pair(with: upstreamSide)
        upstreamSide.pair(with: clientSide)
        try client.pipeline.syncOperations.addHandler(clientSide)
        try upstream.pipeline.syncOperations.addHandler(upstreamSide)
    }
}
