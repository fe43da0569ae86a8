import Logging
import LoopBoundServer
import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOHTTPTypes
import Shared
import Testing

@testable import Edge

/// The relay on its own, between an upstream's parts and a client channel.
@Suite struct UpstreamRelayTests {
    /// A relay of an answer to a request without an admission, into `client`.
    static func relay(into client: EmbeddedChannel) -> UpstreamRelay {
        let exchange = Exchange(
            requestID: "req_test", keyID: "key", student: StudentRef(course: "C", student: "s"), method: "POST",
            path: "/v1/messages", claudeCodeSessionID: nil, requestBytes: 0, receivedAtMillis: 0, started: .now,
            executor: EventLoopExecutor(client.eventLoop)
        )
        return UpstreamRelay(
            exchange: exchange, recorder: UsageRecorder(pricing: .standard, records: nil, settler: nil), client: client,
            logger: Logger(label: "test")
        )
    }

    /// An upstream that closes its connection right after a whole answer (`Connection: close`), before the answer's
    /// body has started towards the client, must not turn that answer into a failed one.
    @Test func anAnswerThatEndedIsRelayedWholeEvenIfTheUpstreamHangsUpBeforeItsBodyStarts() throws {
        let client = EmbeddedChannel()
        try client.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        let relay = Self.relay(into: client)
        let event = "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
        relay.receive(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: ["content-type": "text/event-stream"])))
        relay.receive(.body(ByteBuffer(string: event)))
        relay.receive(.end(nil))
        relay.upstreamFailed(.broken)

        try relay.relayBody(framing: .throughPipeline).wait()
        var relayed = ""
        while let part = try client.readOutbound(as: HTTPResponsePart.self) {
            if case .body(let bytes) = part { relayed += String(buffer: bytes) }
        }
        #expect(relayed == event)
    }

    /// A client whose connection a flush closed (a reset) is never writable again: the relay must end the answer
    /// as abandoned there and then, not wait for writability that will not come.
    @Test func aClientThatAFlushClosedEndsTheRelayAtOnce() throws {
        let client = EmbeddedChannel(handler: ClientWritability())
        try client.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        let relay = Self.relay(into: client)
        relay.receive(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: ["content-type": "text/event-stream"])))
        var ended = false
        relay.relayBody(framing: .throughPipeline).whenComplete { _ in ended = true }
        relay.receive(.body(ByteBuffer(string: "event: ping\ndata: {\"type\":\"ping\"}\n\n")))
        _ = try? client.close().wait()
        client.isWritable = false
        relay.readComplete()
        #expect(ended)
    }
}
