import NIOCore
import Testing

@testable import Shared

@Suite struct JSONFieldReaderTests {
    @Test(arguments: [
        (#""plain""#, "plain"),
        (#""tab\there \"q\" back\\slash \/ slash""#, "tab\there \"q\" back\\slash / slash"),
        (#""\u00e9\u4e2d\ud83d\ude00""#, "é中😀"),
        (#""lone \ud83d surrogate""#, "lone \u{FFFD} surrogate"),
        (#""ends with escape\n""#, "ends with escape\n"),
        (#""ü raw""#, "ü raw"),
    ])
    func stringsDecodeTheirEscapes(json: String, decoded: String) throws {
        let value = try Self.read(json) { reader throws(JSONFieldReader.Malformed) in try reader.readString() }
        #expect(value == decoded)
    }

    @Test(arguments: [
        (#""abc""#, Int64(3)), (#""""#, 0), (#""\u00e9\ud83d\ude00""#, 2), (#""ü😀\n""#, 3), ("null", 0), ("12", 0),
    ])
    func scalarCountsMatchTheDecodedString(json: String, count: Int64) throws {
        #expect(
            try Self.read(json) { reader throws(JSONFieldReader.Malformed) in try reader.countStringScalars() } == count
        )
    }

    @Test(arguments: [
        ("0", Int64?(0)), ("96", 96), ("null", nil), ("-3", nil), ("1.5", nil), ("\"7\"", nil),
        ("99999999999999999999", JSONFieldReader.maxInteger),
    ])
    func integersAreNonNegativeAndClamped(json: String, value: Int64?) throws {
        #expect(try Self.read(json) { reader throws(JSONFieldReader.Malformed) in try reader.readInt64() } == value)
    }

    @Test func unknownMembersOfEveryShapeAreSkipped() throws {
        let json = #"{"a":[1,{"b":[true,false,null]},"x\"y"],"c":{"d":{}},"e":-1.5e+3,"f":[],"want":42}"#
        let value = try Self.read(json) { reader throws(JSONFieldReader.Malformed) in
            var want: Int64?
            try reader.members { (reader, key) throws(JSONFieldReader.Malformed) in
                if key.is("want") { want = try reader.readInt64() } else { try reader.skipValue() }
            }
            return want
        }
        #expect(value == 42)
    }

    @Test func deepNestingIsRefusedNotRecursedForever() {
        let json = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONFieldReader.Malformed.self) {
            try Self.read(json) { reader throws(JSONFieldReader.Malformed) in try reader.skipValue() }
        }
    }

    /// Every prefix of every example event, fed as a whole event: the meter never reads out of bounds
    /// (debug builds check every access) and never crashes.
    @Test func everyTruncationOfTheExampleEventsIsSafe() {
        for event in SSEFixtures.events(SSEFixtures.exampleStream) {
            let bytes = Array(event.data.utf8)
            for length in 0...bytes.count {
                let text = String(decoding: bytes[..<length], as: UTF8.self)
                _ = SSEFixtures.report(SSEFixtures.event(event.name, text))
                _ = SSEFixtures.report(text, contentType: "application/json")
            }
        }
    }

    @Test func randomBytesNeverCrashTheMeter() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let alphabet = Array(#"{}[]":,\ nu0123456789event: data:\#n\#r"type_delta text"#.utf8)
        for _ in 0..<200 {
            var bytes: [UInt8] = []
            for _ in 0..<300 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                bytes.append(alphabet[Int(state >> 33) % alphabet.count])
            }
            _ = SSEFixtures.report(SSEFixtures.chunks(bytes, sizes: [7, 1, 13]))
            _ = SSEFixtures.report([ByteBuffer(bytes: bytes)], contentType: "application/json")
        }
    }

    static func read<T>(
        _ json: String,
        _ body: (inout JSONFieldReader) throws(JSONFieldReader.Malformed) -> T
    ) throws -> T {
        var bytes = Array(json.utf8)
        return try bytes.withUnsafeMutableBytes { raw in
            var reader = JSONFieldReader(UnsafeRawBufferPointer(raw))
            return try body(&reader)
        }
    }
}
