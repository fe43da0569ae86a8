import HTTPTypes
import NIOHTTP1
import Testing

@testable import Edge

@Suite struct ForwardedHeadersTests {
    @Test func clientCredentialIsReplacedAndEndToEndHeadersPass() {
        var client = HTTPFields()
        client[.authorization] = "Bearer goosey_student"
        client[.xAPIKey] = "goosey_student"
        client[HTTPField.Name("anthropic-beta")!] = "a,b,c"
        client[HTTPField.Name("anthropic-version")!] = "2023-06-01"
        client[HTTPField.Name("X-Claude-Code-Session-Id")!] = "s1"
        client[HTTPField.Name("host")!] = "edge.example"
        client[.acceptEncoding] = "gzip, br, zstd"
        client[.connection] = "keep-alive, x-hop"
        client[HTTPField.Name("x-hop")!] = "1"
        client[.contentLength] = "10"
        let upstream = ForwardedHeaders.upstreamRequest(from: client, apiKey: "sk-ant-api03-real")
        #expect(upstream["x-api-key"] == ["sk-ant-api03-real"])
        #expect(upstream["authorization"].isEmpty)
        #expect(upstream["anthropic-beta"] == ["a,b,c"])
        #expect(upstream["anthropic-version"] == ["2023-06-01"])
        #expect(upstream["x-claude-code-session-id"] == ["s1"])
        #expect(upstream["accept-encoding"] == ["identity"])
        for dropped in ["host", "connection", "x-hop", "content-length"] {
            #expect(upstream[dropped].isEmpty, "\(dropped) must not go upstream")
        }
    }

    @Test func upstreamResponseHeadersPassButHopByHop() {
        let upstream = HTTPHeaders([
            ("request-id", "req_1"), ("retry-after", "7"), ("anthropic-ratelimit-tokens-remaining", "9000"),
            ("content-type", "text/event-stream; charset=utf-8"), ("transfer-encoding", "chunked"),
            ("connection", "keep-alive"), ("keep-alive", "timeout=5"),
        ])
        let client = ForwardedHeaders.clientResponse(from: upstream)
        #expect(client[.requestID] == "req_1")
        #expect(client[HTTPField.Name("retry-after")!] == "7")
        #expect(client[HTTPField.Name("anthropic-ratelimit-tokens-remaining")!] == "9000")
        #expect(client[.contentType] == "text/event-stream; charset=utf-8")
        #expect(client[.transferEncoding] == nil)
        #expect(client[.connection] == nil)
        #expect(client[HTTPField.Name("keep-alive")!] == nil)
    }
}

@Suite struct ClientCredentialTests {
    @Test(arguments: [
        ([("x-api-key", "goosey_abc")], ClientCredential.key("goosey_abc")),
        ([("authorization", "Bearer goosey_abc")], .key("goosey_abc")),
        ([("authorization", "bearer  goosey_abc ")], .key("goosey_abc")),
        ([("authorization", "Basic Zm9v")], .missing),
        ([], .missing),
        ([("authorization", "Bearer sk-ant-oat01-abcdef")], .personalToken),
        ([("x-api-key", "sk-ant-api03-abcdef")], .anthropicKey),
        ([("x-api-key", "goosey_abc"), ("authorization", "Bearer goosey_abc")], .key("goosey_abc")),
    ])
    func credentialIsReadFromEitherHeader(fields: [(String, String)], expected: ClientCredential) {
        var headers = HTTPFields()
        for (name, value) in fields { headers.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
        #expect(ClientCredential(headers: headers) == expected)
    }
}
