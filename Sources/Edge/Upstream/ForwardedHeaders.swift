import HTTPTypes
import NIOHTTP1
import Shared

/// Which headers cross the edge, in each direction.
///
/// Everything end-to-end passes unchanged (`anthropic-*`, `x-claude-code-*`, `request-id`,
/// `retry-after`, … are open sets, `anthropic-wire.md` §0.2); hop-by-hop headers and `Host` do not,
/// and the client's credential is replaced by the real key.
enum ForwardedHeaders {
    /// Headers that describe one connection, not the message (RFC 9110 §7.6.1).
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization",
        "te", "trailer", "transfer-encoding", "upgrade",
    ]

    /// Headers the edge sets itself on the way up.
    private static let replacedUpstream: Set<String> = ["host", "content-length", "x-api-key", "authorization", "accept-encoding", "expect"]
    private static let droppedUpstream = Self.hopByHop.union(Self.replacedUpstream)

    /// The client's headers as the upstream should see them.
    ///
    /// `accept-encoding: identity` lets the edge read usage off the bytes; an identity answer is
    /// acceptable to any client that did not refuse it explicitly (RFC 9110 §12.5.3).
    static func upstreamRequest(from client: HTTPFields, apiKey: String) -> HTTPHeaders {
        let named = Self.connectionTokens(client[values: .connection])
        var headers = HTTPHeaders()
        headers.reserveCapacity(client.count + 2)
        for field in client where !Self.droppedUpstream.contains(field.name.canonicalName) && !named.contains(field.name.canonicalName) {
            headers.add(name: field.name.rawName, value: field.value)
        }
        headers.add(name: "x-api-key", value: apiKey)
        headers.add(name: "accept-encoding", value: "identity")
        return headers
    }

    /// The upstream's headers as the client should see them.
    static func clientResponse(from upstream: HTTPHeaders) -> HTTPFields {
        let named = Self.connectionTokens(upstream[canonicalForm: "connection"].map(String.init))
        var fields = HTTPFields()
        fields.reserveCapacity(upstream.count)
        for (name, value) in upstream {
            guard let fieldName = HTTPField.Name(name),
                !Self.hopByHop.contains(fieldName.canonicalName), !named.contains(fieldName.canonicalName)
            else { continue }
            fields.append(HTTPField(name: fieldName, value: value))
        }
        return fields
    }

    private static func connectionTokens(_ values: [String]) -> Set<String> {
        var tokens: Set<String> = []
        for value in values {
            for token in value.split(separator: ",") {
                tokens.insert(token.trimmingSpaces().lowercased())
            }
        }
        return tokens
    }
}
