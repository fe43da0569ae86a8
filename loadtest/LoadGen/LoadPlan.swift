import Foundation
import NIOCore
import NIOHTTP1

/// Everything one run needs, validated and prepared before the first connection opens.
struct LoadPlan: Sendable {
    var mode: LoadMode
    var url: String
    var target: TargetURL
    /// One template per credential (one in all without `--key-file`); client `i` sends `requests[i % count]`.
    var requests: [RequestTemplate]
    var clients: Int
    var rate: Double
    var duration: TimeAmount
    var warmup: TimeAmount
    var timeout: TimeAmount
    var ramp: TimeAmount
    var onTime: TimeAmount
    var threads: Int
    var connectBatch: Int

    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    /// - Throws: ``Invalid`` or ``TargetURL/Invalid`` for a bad URL, header or body file.
    init(command: LoadGenCommand) throws {
        self.mode = command.mode
        self.url = command.url
        self.target = try TargetURL(command.url)
        let body: ByteBuffer
        if let path = command.bodyFile {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw Invalid(description: "--body-file: cannot read \(path)")
            }
            body = ByteBuffer(bytes: data)
        } else {
            body = ByteBuffer(string: ClaudeCodeBody.make(targetBytes: command.bodyBytes))
        }
        let keys = try command.keyFile.map(Self.keys(in:)) ?? [nil]
        let target = self.target
        self.requests = try keys.map { key in
            try RequestTemplate(target: target, extraHeaders: command.headers + (key.map { ["x-api-key: \($0)"] } ?? []), body: body)
        }
        self.clients = command.clients
        self.rate = command.rate
        self.duration = .fromSeconds(command.duration)
        self.warmup = .fromSeconds(command.warmup)
        self.timeout = .fromSeconds(command.timeout)
        self.ramp = .fromSeconds(command.ramp)
        self.onTime = .fromSeconds(command.onTime)
        self.threads = command.threads
        self.connectBatch = command.connectBatch
    }
}

extension LoadPlan {
    func request(for client: Int) -> RequestTemplate {
        self.requests[client % self.requests.count]
    }

    /// The non-empty lines of `path`.
    static func keys(in path: String) throws -> [String?] {
        guard let data = FileManager.default.contents(atPath: path) else { throw Invalid(description: "--key-file: cannot read \(path)") }
        let keys = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).map { String($0).trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        guard !keys.isEmpty else { throw Invalid(description: "--key-file: \(path) holds no key") }
        return keys
    }
}

extension TimeAmount {
    /// Whole nanoseconds of a duration given in seconds.
    static func fromSeconds(_ seconds: Double) -> TimeAmount {
        .nanoseconds(Int64((seconds * 1e9).rounded()))
    }
}
