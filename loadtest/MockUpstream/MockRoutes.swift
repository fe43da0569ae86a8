import Foundation
import Hummingbird
import NIOCore

/// Request handlers of the mock upstream.
struct MockRoutes: Sendable {
    let configuration: MockConfiguration
    let recorder: MockRecorder

    func register(on router: Router<MockRequestContext>) {
        router.post("/v1/messages") { request, context in try await self.messages(request, context: context) }
        router.post("/v1/messages/count_tokens") { request, context in
            try await self.countTokens(request, context: context)
        }
        router.get("/v1/models") { request, context in try self.models(request, context: context) }
        router.get("/v1/models/:modelID") { request, context in try self.model(request, context: context) }
        router.head("/api/hello") { _, _ in Response(status: .ok) }
        router.get("/mock/requests") { _, _ in try Self.json(self.recorder.all) }
        router.get("/mock/requests/:requestID") { _, context in try self.record(context: context) }
    }

    /// `GET /mock/requests/{requestID}`: the record as JSON, or a 404 envelope. `GET /mock/requests`
    /// lists every record kept, oldest first: what the mock billed, for a test to account for.
    func record(context: MockRequestContext) throws -> Response {
        let requestID = context.parameters.get("requestID") ?? ""
        guard let record = self.recorder.record(id: requestID) else {
            throw MockError.notFound("no record for request id \(requestID)")
        }
        return try Self.json(record)
    }

    /// `value` as a JSON answer.
    static func json(_ value: some Encodable) throws -> Response {
        let data = try JSONEncoder().encode(value)
        return Response(
            status: .ok,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }

    static let emptySHA256 = MockSHA256.hex([UInt8]())

    /// A fresh record for a request: nothing answered yet, input usage from the body.
    func newRecord(_ request: Request, body: ByteBuffer, context: MockRequestContext) -> MockRecord {
        MockRecord(
            requestID: context.requestID,
            path: request.uri.path,
            model: "",
            stream: false,
            scenario: "rejected",
            status: 0,
            usage: .zero,
            complete: false,
            clientDisconnected: false,
            responseBytes: 0,
            responseSHA256: Self.emptySHA256,
            requestBodySHA256: MockSHA256.hex(body),
            requestHeaders: MockRecord.headerMap(request.headers),
            clientPort: context.clientPort
        )
    }

    /// Answers with an error envelope and records exactly the bytes sent.
    func send(_ error: MockError, record: MockRecord, context: MockRequestContext) -> Response {
        let body = error.body(requestID: context.requestID)
        var record = record
        record.status = Int(error.status.code)
        record.usage = .zero
        record.complete = true
        record.responseBytes = body.readableBytes
        record.responseSHA256 = MockSHA256.hex(body)
        self.recorder.store(record)
        return error.response(body: body)
    }

    /// A complete JSON answer: records the bytes, returns the response.
    func sendJSON(_ body: ByteBuffer, record: MockRecord) -> Response {
        var record = record
        record.status = 200
        record.complete = true
        record.responseBytes = body.readableBytes
        record.responseSHA256 = MockSHA256.hex(body)
        self.recorder.store(record)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
    }
}
