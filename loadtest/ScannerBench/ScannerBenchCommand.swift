import ArgumentParser
import Foundation
import Shared

/// `goosey-scanner-bench`: the secret scanner's throughput on request bodies and on inputs built to slow
/// it down, next to `memchr` over the same bytes (the floor: one byte looked at per byte, vectorised).
@main
struct ScannerBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "goosey-scanner-bench",
        abstract: "Secret scanner throughput (MB/s on one core) against a memchr pass over the same bytes, and the JSON validator's on the bodies."
    )

    @Option(name: .customLong("body"), help: "A request body file to measure (repeatable).") var bodies: [String] = []
    @Option(help: "Bytes of each built worst-case input (0: none).") var worstCaseBytes = 1_048_576
    @Option(help: "Seconds to spend on each input.") var seconds = 1.0

    func run() throws {
        var inputs = try self.bodies.map { path in
            (URL(fileURLWithPath: path).lastPathComponent, Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        }
        if self.worstCaseBytes > 0 { inputs += WorstCase.all(bytes: self.worstCaseBytes) }
        print("| input | bytes | findings | memchr MB/s | scanner MB/s | scanner µs per body | scanner / memchr time |")
        print("|---|---|---|---|---|---|---|")
        for (name, bytes) in inputs {
            let floor = Timing.bytesPerSecond(bytes, seconds: self.seconds) { Timing.memchrPass($0) }
            var findings = 0
            let scanner = Timing.bytesPerSecond(bytes, seconds: self.seconds) { buffer in
                findings = SecretScanner.standard.scan(buffer).count
                return findings
            }
            let micros = Double(bytes.count) / scanner * 1e6
            print(
                "| \(name) | \(bytes.count) | \(findings) | \(Int(floor / 1e6)) | \(Int(scanner / 1e6)) | "
                    + String(format: "%.1f", micros) + " | " + String(format: "%.1f×", floor / scanner) + " |"
            )
        }
        guard !self.bodies.isEmpty else { return }
        // The other pass every body takes before it goes upstream.
        print("")
        print("| body | bytes | JSON validator MB/s | validator µs per body |")
        print("|---|---|---|---|")
        for (name, bytes) in inputs.prefix(self.bodies.count) {
            let validator = Timing.bytesPerSecond(bytes, seconds: self.seconds) { JSONValidator.validate($0) == nil ? 1 : 0 }
            print("| \(name) | \(bytes.count) | \(Int(validator / 1e6)) | " + String(format: "%.1f", Double(bytes.count) / validator * 1e6) + " |")
        }
    }
}

enum Timing {
    /// Repeats `work` over `bytes` for about `seconds` and returns bytes per second.
    static func bytesPerSecond(_ bytes: [UInt8], seconds: Double, _ work: (UnsafeRawBufferPointer) -> Int) -> Double {
        bytes.withUnsafeBytes { buffer in
            var sink = 0
            for _ in 0..<3 { sink &+= work(buffer) }
            let clock = ContinuousClock()
            var rounds = 0
            let start = clock.now
            var elapsed = Duration.zero
            repeat {
                for _ in 0..<8 { sink &+= work(buffer) }
                rounds += 8
                elapsed = start.duration(to: clock.now)
            } while elapsed < .seconds(seconds)
            withExtendedLifetime(sink) {}
            let spent = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            return Double(bytes.count * rounds) / spent
        }
    }

    typealias Memchr = @convention(c) (UnsafeRawPointer?, Int32, Int) -> UnsafeMutableRawPointer?

    /// libc's `memchr`, looked up at run time: the compiler knows `memchr` is pure and would call it once.
    static let memchrFunction = unsafeBitCast(dlsym(UnsafeMutableRawPointer(bitPattern: 0), "memchr")!, to: Memchr.self)

    /// `memchr` for a byte the bodies never hold, so it reads every byte.
    static func memchrPass(_ bytes: UnsafeRawBufferPointer) -> Int {
        Self.memchrFunction(bytes.baseAddress, 0x01, bytes.count) == nil ? 0 : 1
    }
}

/// Inputs that make the scanner try its rules at nearly every position.
enum WorstCase {
    static func all(bytes: Int) -> [(String, [UInt8])] {
        [
            ("worst: `sk-ant-` repeated", Self.repeating("sk-ant-", bytes)),
            ("worst: `sk-ant-api03-` + 40 key characters, repeated", Self.repeating("sk-ant-api03-" + String(repeating: "aZ9_", count: 10) + " ", bytes)),
            ("worst: `goosey_` repeated", Self.repeating("goosey_", bytes)),
            ("worst: AWS key ids with no secret", Self.repeating("AKIAQWERTYUIOPASDFGH ", bytes)),
            ("worst: `-----BEGIN PRIVATE KEY-----` repeated", Self.repeating("-----BEGIN PRIVATE KEY-----", bytes)),
            ("worst: `\\u002d` escapes (second, decoded pass)", Self.repeating(#"sk\u002dant\u002d "#, bytes)),
        ]
    }

    static func repeating(_ unit: String, _ bytes: Int) -> [UInt8] {
        Array(String(repeating: unit, count: bytes / unit.utf8.count + 1).utf8.prefix(bytes))
    }
}
