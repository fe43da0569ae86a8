import HTTPTypes
import Hummingbird
import NIOCore
import Shared

/// An error the edge answers with itself, in the Anthropic envelope that SDKs and Claude Code parse
/// (`anthropic-wire.md` §4.1, §4.5). The only place that knows that wire shape.
///
/// `message` is shown to students: it says what to do and never holds a key or prompt text.
struct AnthropicError: HTTPResponseError, Equatable {
    var status: HTTPResponse.Status
    var type: String
    var message: String
    var extraHeaders: HTTPFields = [:]

    /// A bounded name for metrics and logs.
    var kind: String { self.type }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let requestID = (context as? EdgeRequestContext)?.requestID ?? "req_goosey_\(RequestID())"
        return self.response(requestID: requestID, includeBody: request.method != .head)
    }

    func response(requestID: String, includeBody: Bool = true) -> Response {
        var headers = self.extraHeaders
        headers[.contentType] = "application/json"
        headers[.requestID] = requestID
        guard includeBody else { return Response(status: self.status, headers: headers) }
        var body = ByteBuffer()
        body.writeString(#"{"type":"error","error":{"type":""#)
        body.writeJSONEscaped(self.type)
        body.writeString(#"","message":""#)
        body.writeJSONEscaped(self.message)
        body.writeString(#""},"request_id":""#)
        body.writeJSONEscaped(requestID)
        body.writeString(#""}"#)
        headers[.contentLength] = String(body.readableBytes)
        return Response(status: self.status, headers: headers, body: ResponseBody(byteBuffer: body))
    }
}

extension AnthropicError {
    static func notFound(_ method: HTTPRequest.Method, _ path: String) -> Self {
        Self(status: .notFound, type: "not_found_error", message: "Goosey does not serve \(method) \(path).")
    }

    /// For a client that has gone: nobody reads it, but the request is counted as nginx counts it.
    static let clientClosedRequest = Self(
        status: HTTPResponse.Status(code: 499, reasonPhrase: "Client Closed Request"),
        type: "api_error",
        message: "The connection was closed before the answer began."
    )

    static let missingKey = Self(
        status: .unauthorized,
        type: "authentication_error",
        message: "No API key was sent. Set ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN) to your Goosey key."
    )

    static let unknownKey = Self(
        status: .unauthorized,
        type: "authentication_error",
        message: "This Goosey key is not valid. Check ANTHROPIC_API_KEY, or ask your course staff for a new key."
    )

    static let personalToken = Self(
        status: .unauthorized,
        type: "authentication_error",
        message: "This request carries a personal claude.ai login, which Goosey will not forward. "
            + "Set ANTHROPIC_AUTH_TOKEN (or ANTHROPIC_API_KEY) to your Goosey key and try again."
    )

    static let anthropicKey = Self(
        status: .unauthorized,
        type: "authentication_error",
        message: "This request carries a real Anthropic API key, which Goosey will not forward. "
            + "Set ANTHROPIC_API_KEY to your Goosey key instead, and keep the other key private."
    )

    static let keySuspended = Self(
        status: .forbidden,
        type: "permission_error",
        message: "Your Goosey key is suspended. Ask your course staff to reinstate it; until then requests are refused."
    )

    /// A request refused for a secret in it (`anthropic-wire.md` §4.5): says what and where, never the value.
    static func secretFound(_ note: LeakNote, keySuspended: Bool) -> Self {
        let what = switch note.family {
        case .gooseyKey: note.owner == nil ? "a Goosey key" : "a live Goosey key"
        case .anthropicKey: "an Anthropic API key"
        case .otherCredential: "a credential"
        }
        let suspension = keySuspended
            ? "Your Goosey key is now suspended and your course staff have been alerted. "
            : "Your course staff have been alerted. "
        return Self(
            status: .forbidden,
            type: "permission_error",
            message: "Goosey found a secret in this request and did not send it: \(what) (\(note.kind), fingerprint "
                + "\(note.fingerprint)) in \(note.location). " + suspension
                + "Revoke that secret where it was issued, remove it from your files and start a new conversation, "
                + "then ask your course staff to reinstate your key.",
            extraHeaders: [.shouldRetry: "false"]
        )
    }

    static let keyRevoked = Self(
        status: .forbidden,
        type: "permission_error",
        message: "Your Goosey key has been revoked and will not work again. Ask your course staff for a new key."
    )

    static let noAllowance = Self(
        status: .forbidden,
        type: "permission_error",
        message: "Your course has no Claude allowance set up yet. Ask your course staff to set one."
    )

    static let directoryUnavailable = Self(
        status: .serviceUnavailable,
        type: "api_error",
        message: "Goosey cannot check keys right now. Please try again in a moment."
    )

    static let quotaUnavailable = Self(
        status: .serviceUnavailable,
        type: "api_error",
        message: "Goosey cannot check your allowance right now, so it is not serving requests for your course. "
            + "Please try again in a moment."
    )

    /// The key is over this edge's per-key limits: a rate limit the client retries after `retry-after`.
    static func throttled(_ refusal: KeyThrottle.Refusal) -> Self {
        let (message, wait) = switch refusal {
        case .tooManyInFlight(let limit):
            ("This key already has \(limit) requests in progress, the most Goosey runs at once for one key. Wait for some to finish.", 1)
        case .tooFast(let limit, let retryAfter):
            ("This key is sending requests faster than Goosey allows (\(limit) a minute). Slow down and try again shortly.", retryAfter)
        }
        return Self(
            status: .tooManyRequests, type: "rate_limit_error", message: message,
            extraHeaders: [HTTPField.Name("retry-after")!: String(wait), HTTPField.Name("x-should-retry")!: "true"]
        )
    }

    static func invalidJSON(_ reason: String) -> Self {
        Self(status: .badRequest, type: "invalid_request_error", message: "The request body is not valid JSON: \(reason).")
    }

    static func tooLarge(limit: Int) -> Self {
        Self(
            status: .contentTooLarge,
            type: "request_too_large",
            message: "Request exceeds the maximum allowed number of bytes (\(limit / (1024 * 1024)) MB)."
        )
    }

    static let upstreamUnreachable = Self(
        status: .badGateway,
        type: "api_error",
        message: "Goosey could not reach the Anthropic API. Please try again in a moment."
    )

    static let upstreamTimeout = Self(
        status: .gatewayTimeout,
        type: "timeout_error",
        message: "The Anthropic API did not answer in time. Please try again."
    )

    static let internalError = Self(
        status: .internalServerError,
        type: "api_error",
        message: "Goosey hit an internal error. Please try again; if it persists, tell your course staff."
    )
}

extension HTTPField.Name {
    static let requestID = Self("request-id")!
    static let xAPIKey = Self("x-api-key")!
}
