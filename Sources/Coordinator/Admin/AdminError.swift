import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An admin API refusal: a status and `{"error": {"type", "message", "field"}}`, the field naming what to fix.
struct AdminError: HTTPResponseError, Equatable {
    var status: HTTPResponse.Status
    var type: String
    var message: String
    var field: String?

    static let unauthenticated = Self(status: .unauthorized, type: "authentication_error", message: "send an admin token: Authorization: Bearer gooseyadmin_…")
    static func forbidden(_ course: String) -> Self {
        Self(status: .forbidden, type: "permission_error", message: "this token has no access to course \(course)")
    }
    static let adminOnly = Self(status: .forbidden, type: "permission_error", message: "only a university admin may do this")
    static func invalid(_ field: String, _ message: String) -> Self {
        Self(status: .badRequest, type: "invalid_request_error", message: message, field: field)
    }
    static func notFound(_ what: String) -> Self { Self(status: .notFound, type: "not_found_error", message: "no such \(what)") }
    static func conflict(_ message: String) -> Self { Self(status: .conflict, type: "conflict_error", message: message) }
    static let noRedis = Self(
        status: .serviceUnavailable, type: "api_error",
        message: "this coordinator has no Redis configured (redis.url), so it cannot tell the edges"
    )

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var error: [String: String] = ["type": self.type, "message": self.message]
        if let field { error["field"] = field }
        return try AdminJSON.response(self.status, ["error": error])
    }
}

enum AdminJSON {
    static func response(_ value: some Encodable) throws -> Response {
        try Self.response(.ok, value)
    }

    static func response(_ status: HTTPResponse.Status, _ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    /// Decodes a request body, or a 400 that names the field at fault.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
        let body = try await request.body.collect(upTo: 1 << 20)
        do {
            return try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
        } catch let DecodingError.keyNotFound(key, context) {
            throw AdminError.invalid(Self.path(context.codingPath + [key]), "missing field `\(Self.path(context.codingPath + [key]))`")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw AdminError.invalid(Self.path(context.codingPath), "wrong type for `\(Self.path(context.codingPath))`")
        } catch let DecodingError.dataCorrupted(context) {
            throw AdminError.invalid(Self.path(context.codingPath), context.debugDescription)
        } catch {
            throw AdminError.invalid("body", "the body is not a JSON object of the expected shape")
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "body" : keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}
