import Testing

@testable import Edge

@Suite struct UpstreamEndpointTests {
    @Test func theRealAPIIsTLSOnItsDefaultPort() throws {
        let endpoint = try #require(UpstreamEndpoint(url: "https://api.anthropic.com"))
        #expect(endpoint.host == "api.anthropic.com")
        #expect(endpoint.port == 443)
        #expect(endpoint.usesTLS)
        #expect(endpoint.basePath == "")
        #expect(endpoint.hostHeader == "api.anthropic.com")
        #expect(endpoint.serverName == "api.anthropic.com")
    }

    @Test func aPortAndAPathAreKeptAndTheHostHeaderNamesThePort() throws {
        let endpoint = try #require(UpstreamEndpoint(url: "http://127.0.0.1:18199/proxy/"))
        #expect(endpoint.host == "127.0.0.1")
        #expect(endpoint.port == 18199)
        #expect(!endpoint.usesTLS)
        #expect(endpoint.basePath == "/proxy")
        #expect(endpoint.hostHeader == "127.0.0.1:18199")
        #expect(endpoint.serverName == nil, "an address is never sent as a server name")
    }

    @Test func anIPv6HostLosesItsBracketsForConnectingOnly() throws {
        let endpoint = try #require(UpstreamEndpoint(url: "http://[::1]:8080"))
        #expect(endpoint.host == "::1")
        #expect(endpoint.port == 8080)
        #expect(endpoint.hostHeader == "[::1]:8080")
        #expect(endpoint.serverName == nil)
    }

    @Test(arguments: ["ftp://example.com", "https://", "http://host:0", "http://host:99999", "http://host:abc", "api.anthropic.com"])
    func whatIsNotAnHTTPURLIsRefused(_ url: String) {
        #expect(UpstreamEndpoint(url: url) == nil)
    }
}
