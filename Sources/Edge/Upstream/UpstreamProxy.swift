import AsyncHTTPClient
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Shared

/// Sends one accepted request to the upstream and streams the answer back unchanged, reading the
/// usage off the bytes as they pass.
struct UpstreamProxy: Sendable {
    let clients: UpstreamClients
    let configuration: UpstreamConfiguration
    let recorder: UsageRecorder

    func forward(_ request: Request, body: ByteBuffer, exchange: Exchange, logger: Logger) async throws -> Response {
        // Only the path and query: an absolute-form target (`POST http://elsewhere/…`) must never pick the host
        // that receives the real key.
        let query = request.uri.query.map { "?" + $0 } ?? ""
        var upstreamRequest = HTTPClientRequest(url: self.configuration.baseURL + request.uri.path + query)
        upstreamRequest.method = HTTPMethod(rawValue: request.method.rawValue)
        upstreamRequest.headers = ForwardedHeaders.upstreamRequest(from: request.headers, apiKey: self.configuration.apiKey)
        if request.method != .get && request.method != .head {
            upstreamRequest.body = .bytes(body)
        }
        let response: HTTPClientResponse
        do {
            response = try await self.clients.client(on: exchange.executor.eventLoop).execute(upstreamRequest, deadline: .distantFuture, logger: logger)
        } catch {
            let answer = Self.clientError(for: error)
            logger.warning("upstream request failed", metadata: ["goosey.error.kind": "\(answer.kind)"])
            self.recorder.recordFailure(exchange, status: Int(answer.status.code), errorType: answer.type)
            throw answer
        }
        return self.relay(response, exchange: exchange, logger: logger)
    }

    private func relay(_ response: HTTPClientResponse, exchange: Exchange, logger: Logger) -> Response {
        let status = Int(response.status.code)
        var headers = ForwardedHeaders.clientResponse(from: response.headers)
        for field in exchange.extraHeaders { headers[field.name] = field.value }
        let upstreamRequestID = response.headers.first(name: "request-id")
        let contentType = response.headers.first(name: "content-type")
        let recorder = self.recorder
        let bodyStart = BodyStartGuard { recorder.recordAbandoned(exchange, status: status) }
        return Response(
            status: HTTPResponse.Status(code: status, reasonPhrase: response.status.reasonPhrase),
            headers: headers,
            body: ResponseBody { writer in
                bodyStart.markStarted()
                try await withTaskExecutorPreference(exchange.executor) {
                    try await Self.relayBody(
                        response.body,
                        contentType: contentType,
                        to: &writer,
                        outcome: ExchangeOutcome(status: status, upstreamRequestID: upstreamRequestID, meter: UsageMeter(contentType: contentType)),
                        exchange: exchange,
                        recorder: recorder,
                        logger: logger
                    )
                }
            }
        )
    }

    /// Streams the upstream body to the client chunk by chunk, reading usage as it passes, and records
    /// (and settles) the exchange however it ends.
    private static func relayBody(
        _ body: HTTPClientResponse.Body,
        contentType: String?,
        to writer: inout any ResponseBodyWriter,
        outcome: ExchangeOutcome,
        exchange: Exchange,
        recorder: UsageRecorder,
        logger: Logger
    ) async throws {
        var outcome = outcome
        outcome.keepsResponse = recorder.records != nil
        EdgeMetrics.streamStarted()
        defer {
            EdgeMetrics.streamEnded()
            recorder.record(exchange, outcome: outcome)
        }
        do {
            for try await chunk in body {
                let first = outcome.firstByteAt == nil
                outcome.noteChunk(chunk)
                recorder.renewLeaseIfDue(exchange, outcome: &outcome)
                do {
                    try await writer.write(chunk)
                } catch {
                    // The client left (Esc in Claude Code). Returning drops the upstream body,
                    // which cancels the upstream request: nobody pays for tokens nobody reads.
                    outcome.markClientAborted()
                    return
                }
                // After the write: the first byte is what the student waits for.
                if first { recorder.noteAnswerBegun(exchange, outcome: outcome) }
            }
        } catch {
            outcome.markUpstreamFailed()
            logger.warning("upstream stream failed", metadata: ["goosey.error": "\(String(reflecting: type(of: error)))"])
            // A stream ends as the API ends one that fails: with an error event the client reads and can retry
            // on, not a cut connection.
            guard UsageMeter.isEventStream(contentType) else { throw error }
            try await writer.write(Self.upstreamFailedEvent(for: error))
        }
        try await writer.finish(nil)
    }

    static func upstreamFailedEvent(for error: any Error) -> ByteBuffer {
        let stalled = (error as? HTTPClientError) == .readTimeout
        let message = stalled ? "The Anthropic API stopped sending this answer. Please try again." : "The connection to the Anthropic API broke off mid-answer. Please try again."
        return ByteBuffer(string: "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"\(message)\"}}\n\n")
    }

    /// The answer for a request the upstream never answered (`anthropic-wire.md` §4.5).
    static func clientError(for error: any Error) -> AnthropicError {
        if let error = error as? HTTPClientError,
            error == .readTimeout || error == .deadlineExceeded || error == .connectTimeout
        {
            return error == .connectTimeout ? .upstreamUnreachable : .upstreamTimeout
        }
        return .upstreamUnreachable
    }
}
