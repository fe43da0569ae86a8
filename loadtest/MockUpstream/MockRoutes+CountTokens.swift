import Hummingbird
import NIOCore

extension MockRoutes {
    /// `POST /v1/messages/count_tokens`: `{"input_tokens":N}`, N = max(1, body bytes / 4).
    func countTokens(_ request: Request, context: MockRequestContext) async throws -> Response {
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        var record = self.newRecord(request, body: body, context: context)
        do throws(MockError) {
            try MockAuth.check(request.headers, apiKey: self.configuration.apiKey)
            record.model = try MockMessagesRequest.parse(body, requireMaxTokens: false).model ?? ""
        } catch {
            return self.send(error, record: record, context: context)
        }
        let total = MockUsage(requestBody: body).totalInputTokens
        record.scenario = "count_tokens"
        record.usage = .zero
        record.usage.inputTokens = total
        var json = MockJSONWriter(capacity: 32)
        json.raw("{\"input_tokens\":")
        json.int(total)
        json.raw("}")
        return self.sendJSON(json.buffer, record: record)
    }
}
