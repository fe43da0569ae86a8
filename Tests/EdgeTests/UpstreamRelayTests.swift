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
    /// An upstream that closes its connection right after a whole answer (`Connection: close`), before the answer's
    /// body has started towards the client, must not turn that answer into a failed one.
    @Test func anAnswerThatEndedIsRelayedWholeEvenIfTheUpstreamHangsUpBeforeItsBodyStarts() throws {
        let client = EmbeddedChannel()
        try client.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        let exchange = Exchange(
            requestID: "req_test", keyID: "key", student: StudentRef(course: "C", student: "s"), method: "POST",
            path: "/v1/messages", claudeCodeSessionID: nil, requestBytes: 0, receivedAtMillis: 0, started: .now,
            executor: EventLoopExecutor(client.eventLoop)
        )
        let relay = UpstreamRelay(
            exchange: exchange, recorder: UsageRecorder(pricing: .standard, records: nil, settler: nil), client: client,
            logger: Logger(label: "test")
        )
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
}
