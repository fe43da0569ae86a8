import Hummingbird
import Logging
import LoopBoundServer
import NIOCore
import NIOHTTP1
import Shared

/// Sends one accepted request to the upstream and streams the answer back unchanged, reading the
/// usage off the bytes as they pass.
struct UpstreamProxy: Sendable {
    let connections: UpstreamConnections
    let configuration: UpstreamConfiguration
    let recorder: UsageRecorder

    func forward(_ request: Request, body: ByteBuffer, exchange: Exchange, client: any Channel, logger: Logger) async throws -> Response {
        let loop = client.eventLoop
        let upstreamRequest = self.upstreamRequest(request, body: body)
        let recorder = self.recorder
        let connections = self.connections
        // Built, sent and answered on the client's event loop: the relay never leaves it.
        let start = { @Sendable in
            let relay = UpstreamRelay(exchange: exchange, recorder: recorder, client: client, logger: logger)
            connections.send(upstreamRequest, relay: relay, on: loop)
            (try? client.pipeline.syncOperations.handler(type: ClientDeparture.self))?.watch(relay)
            return (NIOLoopBound(relay, eventLoop: loop), relay.headReceived)
        }
        let (relay, headReceived) = loop.inEventLoop ? start() : try await loop.submit(start).get()
        let head: HTTPResponseHead
        do {
            head = try await headReceived.get()
        } catch UpstreamFailure.clientGone {
            self.recorder.recordDeparted(exchange)
            throw AnthropicError.clientClosedRequest
        } catch {
            let answer = Self.clientError(for: error)
            logger.warning("upstream request failed", metadata: ["goosey.error.kind": "\(answer.kind)"])
            self.recorder.recordFailure(exchange, status: Int(answer.status.code), errorType: answer.type)
            throw answer
        }
        return self.response(head, relay: relay, exchange: exchange, client: client, requestMethod: request.method.rawValue)
    }

    private func upstreamRequest(_ request: Request, body: ByteBuffer) -> UpstreamRequest {
        // Only the path and query: an absolute-form target (`POST http://elsewhere/…`) must never pick the host
        // that receives the real key.
        let query = request.uri.query.map { "?" + $0 } ?? ""
        var headers = ForwardedHeaders.upstreamRequest(from: request.headers, apiKey: self.configuration.apiKey)
        headers.add(name: "host", value: self.connections.endpoint.hostHeader)
        let sendsBody = request.method != .get && request.method != .head
        if sendsBody { headers.add(name: "content-length", value: String(body.readableBytes)) }
        return UpstreamRequest(
            head: HTTPRequestHead(
                version: .http1_1,
                method: HTTPMethod(rawValue: request.method.rawValue),
                uri: self.connections.endpoint.basePath + request.uri.path + query,
                headers: headers
            ),
            body: sendsBody ? body : nil,
            headPatience: self.configuration.headTimeout,
            patience: self.configuration.idleTimeout
        )
    }

    private func response(
        _ head: HTTPResponseHead, relay: NIOLoopBound<UpstreamRelay>, exchange: Exchange, client: any Channel, requestMethod: String
    ) -> Response {
        let status = Int(head.status.code)
        var headers = ForwardedHeaders.clientResponse(from: head.headers)
        for field in exchange.extraHeaders { headers[field.name] = field.value }
        let framing = ClientBodyWriter.Framing(status: status, hasContentLength: headers[.contentLength] != nil, requestMethod: requestMethod)
        let recorder = self.recorder
        let loop = client.eventLoop
        let bodyStart = BodyStartGuard {
            recorder.recordAbandoned(exchange, status: status)
            loop.execute { relay.value.abandon() }
        }
        return Response(
            status: HTTPResponse.Status(code: status, reasonPhrase: head.status.reasonPhrase),
            headers: headers,
            body: ResponseBody { writer in
                bodyStart.markStarted()
                try await (loop.inEventLoop ? relay.value.relayBody(framing: framing) : loop.flatSubmit { relay.value.relayBody(framing: framing) }).get()
                // A client that left gets no end of the body; its connection is gone.
                guard client.isActive else { return }
                try await writer.finish(nil)
            }
        )
    }

    /// The answer for a request the upstream never answered (`anthropic-wire.md` §4.5).
    static func clientError(for error: any Error) -> AnthropicError {
        if case .stalled = error as? UpstreamFailure { return .upstreamTimeout }
        return .upstreamUnreachable
    }
}
