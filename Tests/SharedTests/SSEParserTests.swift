import NIOCore
import Shared
import Testing

@Suite struct SSEParserTests {
    static let exampleBytes = Array(SSEFixtures.exampleStream.utf8)
    static let exampleEvents = SSEFixtures.events([ByteBuffer(bytes: Self.exampleBytes)])

    @Test func exampleStreamGivesItsSeventeenEventsInOrder() {
        #expect(
            Self.exampleEvents.map(\.name) == [
                "message_start", "content_block_start", "ping", "content_block_delta", "content_block_delta",
                "content_block_stop", "content_block_start", "content_block_delta", "content_block_delta",
                "content_block_stop", "content_block_start", "content_block_delta", "content_block_delta",
                "content_block_delta", "content_block_stop", "message_delta", "message_stop",
            ]
        )
        #expect(Self.exampleEvents[2].data == #"{"type": "ping"}"#)
        #expect(Self.exampleEvents.last?.data == #"{"type":"message_stop"}"#)
    }

    @Test func splittingAtEveryByteOffsetGivesIdenticalEvents() {
        for offset in 0...Self.exampleBytes.count {
            let events = SSEFixtures.events(SSEFixtures.split(Self.exampleBytes, at: offset))
            #expect(events == Self.exampleEvents, "split at \(offset)")
        }
    }

    @Test(arguments: [1, 2, 3, 7, 64, 4096])
    func fixedSizeChunksGiveIdenticalEvents(size: Int) {
        #expect(SSEFixtures.events(SSEFixtures.chunks(Self.exampleBytes, sizes: [size])) == Self.exampleEvents)
    }

    @Test(arguments: 1...20)
    func randomChunksGiveIdenticalEvents(seed: Int) {
        let sizes = SSEFixtures.randomSizes(count: 64, upTo: 40, seed: UInt64(seed))
        #expect(SSEFixtures.events(SSEFixtures.chunks(Self.exampleBytes, sizes: sizes)) == Self.exampleEvents)
    }

    @Test(arguments: ["\r\n", "\r"])
    func crlfAndCRLineEndingsGiveTheSameEventsAsLF(ending: String) {
        let bytes = Array(SSEFixtures.exampleStream.replacing("\n", with: ending).utf8)
        for offset in 0...bytes.count {  // includes every split between a CR and its LF
            #expect(
                SSEFixtures.events(SSEFixtures.split(bytes, at: offset)) == Self.exampleEvents,
                "split at \(offset)"
            )
        }
        #expect(SSEFixtures.events(SSEFixtures.chunks(bytes, sizes: [1])) == Self.exampleEvents)
    }

    @Test func crThenLFInTheNextChunkIsOneLineEnding() {
        let chunks = ["event: a\r", "\ndata: 1\r", "\n\r", "\n"].map { ByteBuffer(string: $0) }
        #expect(SSEFixtures.events(chunks) == [.init(name: "a", data: "1")])
    }

    @Test func mixedLineEndingsInOneStreamAllEndLines() {
        #expect(SSEFixtures.events("data: a\r\ndata: b\rdata: c\n\r\n") == [.init(name: "message", data: "a\nb\nc")])
    }

    @Test func commentLinesAreIgnoredEvenBetweenDataLines() {
        let text = ": keep-alive\n\nevent: x\n: comment\ndata: 1\n:another\ndata: 2\n\n"
        #expect(SSEFixtures.events(text) == [.init(name: "x", data: "1\n2")])
    }

    @Test func multipleDataLinesJoinWithLF() {
        #expect(
            SSEFixtures.events("data: {\ndata: \"a\": 1\ndata: }\n\n") == [
                .init(name: "message", data: "{\n\"a\": 1\n}")
            ]
        )
    }

    @Test(arguments: [
        ("data:x\n\n", "x"), ("data: x\n\n", "x"), ("data:  x\n\n", " x"), ("data:\n\n", ""), ("data\n\n", ""),
        ("data: x \n\n", "x "),
    ])
    func onlyOneSpaceAfterTheColonIsDropped(text: String, data: String) {
        #expect(SSEFixtures.events(text) == [.init(name: "message", data: data)])
    }

    @Test func severalEventsInOneChunkAllDispatch() {
        let text = SSEFixtures.event("ping", "{}") + SSEFixtures.event("a", "1") + SSEFixtures.event("b", "2")
        #expect(SSEFixtures.events(text).map(\.name) == ["ping", "a", "b"])
    }

    @Test func anEventWithoutDataIsNotDispatched() {
        #expect(SSEFixtures.events("event: lonely\n\nevent: x\ndata: 1\n\n") == [.init(name: "x", data: "1")])
    }

    @Test func anEventWithoutANameIsAMessage() {
        #expect(SSEFixtures.events("data: 1\n\nevent:\ndata: 2\n\n").map(\.name) == ["message", "message"])
    }

    @Test func unknownFieldsIdAndRetryAreIgnored() {
        #expect(SSEFixtures.events("id: 7\nretry: 100\nfoo: bar\ndata: 1\n\n") == [.init(name: "message", data: "1")])
    }

    @Test func anEventStillOpenWhenTheBytesEndIsNeverDispatched() {
        #expect(SSEFixtures.events("event: a\ndata: 1\n\nevent: b\ndata: 2\n").map(\.name) == ["a"])
    }

    @Test func fieldNamesAreCaseSensitive() {
        #expect(SSEFixtures.events("Data: 1\nEVENT: x\ndata: 2\n\n") == [.init(name: "message", data: "2")])
    }

    @Test(arguments: 0...4)
    func aLeadingBOMIsDroppedWhereverItIsSplit(offset: Int) {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("data: 1\n\n".utf8)
        #expect(SSEFixtures.events(SSEFixtures.split(bytes, at: offset)) == [.init(name: "message", data: "1")])
    }

    @Test func aBOMPrefixThatIsNotABOMStaysInTheFirstLine() {
        let bytes: [UInt8] = [0xEF, 0xBB] + Array("\ndata: 1\n\n".utf8)
        #expect(SSEFixtures.events(SSEFixtures.chunks(bytes, sizes: [1])) == [.init(name: "message", data: "1")])
    }

    @Test func anOversizedEventIsDroppedAndParsingResumesAfterIt() {
        let huge = String(repeating: "x", count: 1000)
        let text = SSEFixtures.event("a", "1") + SSEFixtures.event("big", huge) + SSEFixtures.event("b", "2")
        for size in [1, 7, 100, 5000] {
            var parser = SSEParser(maxEventBytes: 100)
            var names: [String] = []
            for chunk in SSEFixtures.chunks(Array(text.utf8), sizes: [size]) {
                parser.feed(chunk) { names.append($0.name) }
            }
            #expect(names == ["a", "b"], "chunk size \(size)")
            #expect(parser.overflowed)
            #expect(parser.droppedEvents == 1)
        }
    }

    @Test func manyShortDataLinesCannotOutgrowTheCap() {
        let lines = String(repeating: "data: 0123456789\n", count: 50)
        var parser = SSEParser(maxEventBytes: 200)
        var events: [SSEEvent] = []
        parser.feed(ByteBuffer(string: lines + "\n" + SSEFixtures.event("after", "ok"))) { events.append($0) }
        #expect(events.map(\.name) == ["after"])
        #expect(parser.overflowed)
    }

    @Test func anAbsurdlyLongLineWithNoEndIsNotKept() {
        var parser = SSEParser(maxEventBytes: 1024)
        let chunk = ByteBuffer(repeating: UInt8(ascii: "a"), count: 512)
        for _ in 0..<10_000 { parser.feed(chunk) { _ in Issue.record("nothing should dispatch") } }
        #expect(parser.overflowed)
        var events: [SSEEvent] = []
        parser.feed(ByteBuffer(string: "\n\n" + SSEFixtures.event("next", "1"))) { events.append($0) }
        #expect(events.map(\.name) == ["next"])
    }

    @Test func pullStyleGivesTheSameEventsAsFeed() {
        var parser = SSEParser()
        var names: [String] = []
        for chunk in SSEFixtures.chunks(Self.exampleBytes, sizes: [5]) {
            parser.append(chunk)
            while let event = parser.next() { names.append(event.name) }
        }
        #expect(names == Self.exampleEvents.map(\.name))
    }
}
