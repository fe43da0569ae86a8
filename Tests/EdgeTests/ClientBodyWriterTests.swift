import NIOCore
import Testing

@testable import LoopBoundServer

/// The relay frames body parts itself: the same framing NIO's response encoder chose for the head.
@Suite struct ClientBodyWriterTests {
    @Test(arguments: [(0, "0"), (9, "9"), (10, "a"), (255, "ff"), (0x1d8, "1d8"), (0x10000, "10000"), (Int.max, "7fffffffffffffff")])
    func chunkLengthsAreLowercaseHexWithoutLeadingZeros(value: Int, hex: String) {
        var buffer = ByteBuffer()
        buffer.writeHexadecimal(value)
        #expect(String(buffer: buffer) == hex)
    }

    @Test func aStreamWithoutALengthIsChunkedAndOneWithALengthGoesAsIs() {
        #expect(ClientBodyWriter.Framing(status: 200, hasContentLength: false, requestMethod: "POST") == .chunked)
        #expect(ClientBodyWriter.Framing(status: 400, hasContentLength: true, requestMethod: "POST") == .asIs)
        #expect(ClientBodyWriter.Framing(status: 200, hasContentLength: true, requestMethod: "GET") == .asIs)
    }

    @Test func answersWithoutABodyAreLeftToTheEncoder() {
        #expect(ClientBodyWriter.Framing(status: 204, hasContentLength: false, requestMethod: "POST") == .throughPipeline)
        #expect(ClientBodyWriter.Framing(status: 304, hasContentLength: false, requestMethod: "GET") == .throughPipeline)
        #expect(ClientBodyWriter.Framing(status: 200, hasContentLength: true, requestMethod: "HEAD") == .throughPipeline)
    }
}
