import Hummingbird
import NIOCore

extension MockRoutes {
    /// `POST /v1/messages` (also `?beta=true`): checks, picks the scenario, answers, records.
    func messages(_ request: Request, context: MockRequestContext) async throws -> Response {
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        var record = self.newRecord(request, body: body, context: context)
        let parsed: MockMessagesRequest
        let choice: MockChoice
        do throws(MockError) {
            try MockAuth.check(request.headers, apiKey: self.configuration.apiKey)
            parsed = try MockMessagesRequest.parse(body)
            record.model = parsed.model ?? ""
            record.stream = parsed.stream ?? false
            choice = try MockChoice(headers: request.headers, request: parsed, configuration: self.configuration)
        } catch {
            return self.send(error, record: record, context: context)
        }
        record.scenario = choice.scenario.rawValue
        switch choice.scenario {
        case .overloaded:
            return self.send(.overloaded, record: record, context: context)
        case .rateLimited:
            return self.send(.rateLimited, record: record, context: context)
        case .hang:
            self.recorder.store(record)
            try await context.pause.untilConnectionCloses()
            return self.send(.overloaded, record: record, context: context)
        case .errorMidstream where !record.stream:
            // A JSON answer cannot fail half-way; the real API answers the same failure with a 529.
            return self.send(.overloaded, record: record, context: context)
        default:
            let reply = MockReply(
                choice: choice,
                model: record.model,
                idSuffix: context.idSuffix,
                usage: MockUsage(requestBody: body)
            )
            record.usage = reply.usage
            if record.stream {
                return self.stream(reply, delayMs: choice.delayMs, record: record, pause: context.pause, pacer: context.pacer)
            }
            return try await self.json(reply, delayMs: choice.delayMs, record: record, pause: context.pause)
        }
    }

    /// A non-streaming answer. `no_final_usage` sends the first half of the body and ends (a cut).
    func json(_ reply: MockReply, delayMs: Int, record: MockRecord, pause: MockPause) async throws -> Response {
        if delayMs > 0 {
            try await pause(.milliseconds(Int64(delayMs * reply.usage.outputTokens)))
        }
        let body = MockMessageBody.render(reply)
        guard reply.ending == .cut else {
            return self.sendJSON(body, record: record)
        }
        let cut = body.getSlice(at: body.readerIndex, length: body.readableBytes / 2)!
        var record = record
        record.status = 200
        record.responseBytes = cut.readableBytes
        record.responseSHA256 = MockSHA256.hex(cut)
        self.recorder.store(record)
        return Response(
            status: .ok,
            headers: [.contentType: "application/json"],
            body: ResponseBody { writer in
                try await writer.write(cut)
                try await writer.finish(nil)
            }
        )
    }
}
