import Foundation
import NIOCore
import Testing

@testable import Shared

/// Property-based fuzzing of the parsers that read what clients and the upstream send: random and mangled
/// inputs from a seeded generator must never crash or hang them, and each keeps its promise (found keys
/// are found wherever they sit, a stream's usage does not depend on how its bytes were split, a mangled key
/// never parses). `GOOSEY_FUZZ_ITERATIONS` (default 300) and `GOOSEY_FUZZ_SEED` run them longer or
/// elsewhere by hand; a failure names the seed and the iteration that found it, to keep as a regression.
@Suite(.timeLimit(.minutes(2)))
struct FuzzTests {
    static let iterations = ProcessInfo.processInfo.environment["GOOSEY_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 300
    static let seed = ProcessInfo.processInfo.environment["GOOSEY_FUZZ_SEED"].flatMap(UInt64.init) ?? 0x600_5E1

    @Test func theStreamReaderSurvivesAnyBytesAndAnySplit() {
        var random = SeededGenerator(seed: Self.seed)
        let events = Self.streamEvents
        for iteration in 0..<Self.iterations {
            // A real stream's events, some of them mangled, shuffled in with raw garbage.
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 1...12, using: &random) {
                switch Int.random(in: 0..<4, using: &random) {
                case 0: bytes += Self.garbage(Int.random(in: 0...300, using: &random), using: &random)
                case 1: bytes += Self.mangle(Array(events.randomElement(using: &random)!.utf8), using: &random)
                default: bytes += Array(events.randomElement(using: &random)!.utf8)
                }
            }
            var whole = UsageMeter(contentType: "text/event-stream")
            whole.feed(ByteBuffer(bytes: bytes))
            var split = UsageMeter(contentType: "text/event-stream")
            var offset = 0
            while offset < bytes.count {
                let end = min(bytes.count, offset + Int.random(in: 1...64, using: &random))
                split.feed(ByteBuffer(bytes: bytes[offset..<end]))
                offset = end
            }
            #expect(whole.finish() == split.finish(), "seed \(Self.seed) iteration \(iteration): the split changed the usage")
        }
    }

    @Test func jsonBodiesAreJudgedWithoutCrashingAndTruncationIsAlwaysCaught() throws {
        var random = SeededGenerator(seed: Self.seed &+ 1)
        for iteration in 0..<Self.iterations {
            let value: [String: Any] = ["model": "claude-sonnet-4-6", "messages": Self.randomJSON(depth: 0, using: &random)]
            let valid = try JSONSerialization.data(withJSONObject: value)
            #expect(valid.withUnsafeBytes { JSONValidator.validate($0) } == nil, "seed \(Self.seed) iteration \(iteration)")
            let cut = Int.random(in: 0..<valid.count, using: &random)
            #expect(valid.prefix(cut).withUnsafeBytes { JSONValidator.validate($0) } != nil, "a body cut at \(cut) passed")
            let mangled = Self.mangle(Array(valid), using: &random)
            _ = mangled.withUnsafeBytes { JSONValidator.validate($0) }
            let deep = Int.random(in: (JSONValidator.defaultMaxDepth + 1)...50_000, using: &random)
            let nested = Array(repeating: UInt8(ascii: "["), count: deep) + Array(repeating: UInt8(ascii: "]"), count: deep)
            #expect(nested.withUnsafeBytes { JSONValidator.validate($0) } != nil, "nesting past the limit is refused, not recursed")
        }
    }

    @Test func keysAreFoundWhereverTheySitAndGarbageNeverCrashesTheScanner() {
        var random = SeededGenerator(seed: Self.seed &+ 2)
        let scanner = SecretScanner(rules: SecretRule.standard)
        for iteration in 0..<Self.iterations {
            let key = VirtualKey.generate(using: &random).secretText
            var bytes = Self.garbage(Int.random(in: 0...4000, using: &random), using: &random)
            let at = Int.random(in: 0...bytes.count, using: &random)
            let planted = Array(" \(key) ".utf8)
            bytes.insert(contentsOf: planted, at: at)
            let findings = scanner.scan(bytes)
            #expect(
                findings.contains { $0.kind == "goosey-key" && $0.span == (at + 1)..<(at + 1 + key.utf8.count) },
                "seed \(Self.seed) iteration \(iteration): the key at \(at) was missed"
            )
            _ = scanner.scan(Self.mangle(bytes, using: &random))
        }
    }

    @Test func anyChangeToAKeyIsCaughtByItsChecksum() {
        var random = SeededGenerator(seed: Self.seed &+ 3)
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-!é".unicodeScalars)
        for iteration in 0..<Self.iterations {
            var key = Array(VirtualKey.generate(using: &random).secretText.unicodeScalars)
            #expect(VirtualKey(parsing: String(String.UnicodeScalarView(key))) != nil)
            let position = Int.random(in: VirtualKey.prefix.count..<key.count, using: &random)
            let replacement = alphabet.randomElement(using: &random)!
            guard replacement != key[position] else { continue }
            key[position] = replacement
            #expect(VirtualKey(parsing: String(String.UnicodeScalarView(key))) == nil, "seed \(Self.seed) iteration \(iteration)")
            let noise = String(String.UnicodeScalarView((0..<Int.random(in: 0...80, using: &random)).map { _ in alphabet.randomElement(using: &random)! }))
            _ = VirtualKey(parsing: noise)
            _ = VirtualKey(parsing: "goosey_" + noise)
        }
    }

    // MARK: - Inputs

    static let streamEvents = [
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"claude-sonnet-4-6\",\"usage\":{\"input_tokens\":12,\"cache_creation_input_tokens\":5,\"cache_read_input_tokens\":100,\"output_tokens\":1}}}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"héllo \\u00e9 wörld\"}}\n\n",
        "event: ping\ndata: {\"type\": \"ping\"}\n\n",
        "event: message_delta\r\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":42}}\r\n\r\n",
        ": a comment line\n\n",
        "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n",
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
    ]

    static func garbage(_ count: Int, using random: inout SeededGenerator) -> [UInt8] {
        (0..<count).map { _ in
            Int.random(in: 0..<4, using: &random) == 0 ? [UInt8(ascii: "\n"), 0x0D, 0x3A, 0x7B, 0x22, 0x00, 0xFF].randomElement(using: &random)! : UInt8.random(in: 0...255, using: &random)
        }
    }

    /// Flips, drops, duplicates or truncates a few bytes.
    static func mangle(_ bytes: [UInt8], using random: inout SeededGenerator) -> [UInt8] {
        guard !bytes.isEmpty else { return bytes }
        var bytes = bytes
        for _ in 0..<Int.random(in: 1...4, using: &random) where !bytes.isEmpty {
            let at = Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<4, using: &random) {
            case 0: bytes[at] ^= UInt8(1) << UInt8.random(in: 0...7, using: &random)
            case 1: bytes.remove(at: at)
            case 2: bytes.insert(bytes[at], at: at)
            default: bytes.removeSubrange(at...)
            }
        }
        return bytes
    }

    static func randomJSON(depth: Int, using random: inout SeededGenerator) -> Any {
        switch depth > 6 ? Int.random(in: 0..<3, using: &random) : Int.random(in: 0..<6, using: &random) {
        case 0: return Int.random(in: -1_000_000...1_000_000, using: &random)
        case 1: return String(String.UnicodeScalarView((0..<Int.random(in: 0...20, using: &random)).compactMap { _ in Unicode.Scalar(UInt32.random(in: 0x20...0x2FF, using: &random)) }))
        case 2: return Bool.random(using: &random)
        case 3, 4: return (0..<Int.random(in: 0...4, using: &random)).map { _ in Self.randomJSON(depth: depth + 1, using: &random) }
        default:
            var object: [String: Any] = [:]
            for index in 0..<Int.random(in: 0...4, using: &random) { object["k\(index)"] = Self.randomJSON(depth: depth + 1, using: &random) }
            return object
        }
    }
}
