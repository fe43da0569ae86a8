import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOPosix
import Testing

@testable import MockUpstream

@Suite struct ClientDisconnectTests {
    /// A raw HTTP/1.1 streaming request (the test client cannot hang up mid-body).
    static func rawRequest(body: ByteBuffer) -> ByteBuffer {
        var request = ByteBuffer(string: "POST /v1/messages?beta=true HTTP/1.1\r\nhost: localhost\r\n")
        for field in MockTest.headers(["x-mock-delay-ms": "20", "x-mock-deltas": "40"]) {
            request.writeString("\(field.name.canonicalName): \(field.value)\r\n")
        }
        request.writeString("content-length: \(body.readableBytes)\r\n\r\n")
        request.writeImmutableBuffer(body)
        return request
    }

    @Test func recordShowsClientLeftMidStreamAndHashesOnlyWhatWasWritten() async throws {
        try await MockTest.app().test(.live) { client in
            let port = try #require(client.port)
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
            var head = ByteBuffer()
            try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(Self.rawRequest(body: MockTest.body()))
                for try await chunk in inbound {
                    head.writeImmutableBuffer(chunk)
                    if String(buffer: head).contains("content_block_delta") { break }
                }
            }
            let requestID = try #require(
                String(buffer: head).split(separator: "\r\n").first { $0.hasPrefix("request-id: ") }?.dropFirst(12)
            )
            var record = try await MockTest.record(String(requestID), client: client)
            for _ in 0..<100 where !record.clientDisconnected {
                try await Task.sleep(for: .milliseconds(20))
                record = try await MockTest.record(String(requestID), client: client)
            }
            #expect(record.clientDisconnected)
            #expect(!record.complete)
            #expect(record.responseBytes > 0)
            let fullStream = MockSSEScript(
                reply: MockReply(
                    choice: MockChoice(scenario: .text, toolResultText: nil, deltas: 40, delayMs: 20, webSearch: false),
                    model: "claude-sonnet-4-6",
                    idSuffix: String(requestID.dropFirst(4)),
                    usage: MockUsage(requestBody: MockTest.body())
                )
            )
            #expect(record.responseBytes < fullStream.body.readableBytes)
            #expect(record.responseSHA256 == MockSHA256.hex(fullStream.prefix(record.responseBytes)))
        }
    }
}
