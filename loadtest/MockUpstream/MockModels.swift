import Hummingbird
import NIOCore

/// The models list of `GET /v1/models` (anthropic-wire.md §5), newest first.
enum MockModels {
    struct Model: Sendable {
        var id: String
        var displayName: String
        var createdAt: String
        var maxInputTokens: Int
        var maxTokens: Int
    }

    static let all: [Model] = [
        Model(
            id: "claude-opus-5-5",
            displayName: "Claude Opus 5.5",
            createdAt: "2026-09-15T00:00:00Z",
            maxInputTokens: 1_000_000,
            maxTokens: 128_000
        ),
        Model(
            id: "claude-sonnet-4-6",
            displayName: "Claude Sonnet 4.6",
            createdAt: "2026-02-17T00:00:00Z",
            maxInputTokens: 1_000_000,
            maxTokens: 64_000
        ),
        Model(
            id: "claude-opus-4-5-20251101",
            displayName: "Claude Opus 4.5",
            createdAt: "2025-11-24T00:00:00Z",
            maxInputTokens: 200_000,
            maxTokens: 64_000
        ),
        Model(
            id: "claude-haiku-4-5-20251001",
            displayName: "Claude Haiku 4.5",
            createdAt: "2025-10-15T00:00:00Z",
            maxInputTokens: 200_000,
            maxTokens: 64_000
        ),
    ]

    /// `{"data":[…],"has_more":false,"first_id":…,"last_id":…}`.
    static let listBody: ByteBuffer = {
        var json = MockJSONWriter(capacity: 1024)
        json.raw("{\"data\":[")
        for (index, model) in Self.all.enumerated() {
            if index > 0 { json.raw(",") }
            Self.write(model, to: &json)
        }
        json.raw("],\"has_more\":false,\"first_id\":")
        json.string(Self.all.first!.id)
        json.raw(",\"last_id\":")
        json.string(Self.all.last!.id)
        json.raw("}")
        return json.buffer
    }()

    static func body(for model: Model) -> ByteBuffer {
        var json = MockJSONWriter(capacity: 256)
        Self.write(model, to: &json)
        return json.buffer
    }

    private static func write(_ model: Model, to json: inout MockJSONWriter) {
        json.raw("{\"type\":\"model\",\"id\":")
        json.string(model.id)
        json.raw(",\"display_name\":")
        json.string(model.displayName)
        json.raw(",\"created_at\":")
        json.string(model.createdAt)
        json.raw(",\"max_input_tokens\":")
        json.int(model.maxInputTokens)
        json.raw(",\"max_tokens\":")
        json.int(model.maxTokens)
        json.raw("}")
    }
}

extension MockRoutes {
    /// `GET /v1/models`.
    func models(_ request: Request, context: MockRequestContext) throws -> Response {
        try MockAuth.check(request.headers, apiKey: self.configuration.apiKey)
        return Response(
            status: .ok,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: MockModels.listBody)
        )
    }

    /// `GET /v1/models/{modelID}`.
    func model(_ request: Request, context: MockRequestContext) throws -> Response {
        try MockAuth.check(request.headers, apiKey: self.configuration.apiKey)
        let id = context.parameters.get("modelID") ?? ""
        guard let model = MockModels.all.first(where: { $0.id == id }) else {
            throw MockError.notFound("model: \(id)")
        }
        return Response(
            status: .ok,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: MockModels.body(for: model))
        )
    }
}
