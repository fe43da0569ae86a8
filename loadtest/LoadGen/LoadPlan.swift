import Foundation
import NIOCore
import NIOHTTP1

/// Everything one run needs, validated and prepared before the first connection opens.
struct LoadPlan: Sendable {
    var mode: LoadMode
    var url: String
    var target: TargetURL
    var request: RequestTemplate
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
        self.request = try RequestTemplate(target: self.target, extraHeaders: command.headers, body: body)
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

extension TimeAmount {
    /// Whole nanoseconds of a duration given in seconds.
    static func fromSeconds(_ seconds: Double) -> TimeAmount {
        .nanoseconds(Int64((seconds * 1e9).rounded()))
    }
}
