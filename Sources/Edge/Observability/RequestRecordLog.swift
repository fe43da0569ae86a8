import Foundation
import Logging
import NIOPosix
import ServiceLifecycle
import Shared

/// Appends one JSON line per request to a local file, off the request path.
///
/// Key: `records.path` (string, optional) [RECORDS_PATH]. The log spool and shipper to the
/// coordinator will take this file's place; until then it is what tests and ops read.
final class RequestRecordLog: Service, Sendable {
    private let path: String
    private let stream: AsyncStream<RequestRecord>
    private let continuation: AsyncStream<RequestRecord>.Continuation
    private let logger: Logger

    init(path: String, logger: Logger) {
        self.path = path
        self.logger = logger
        (self.stream, self.continuation) = AsyncStream.makeStream(of: RequestRecord.self)
    }

    func append(_ record: RequestRecord) {
        self.continuation.yield(record)
    }

    func run() async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let handle = try self.openForAppending()
        defer { try? handle.close() }
        await withGracefulShutdownHandler {
            for await record in self.stream {
                guard var encoded = try? encoder.encode(record) else { continue }
                encoded.append(0x0A)
                let line = encoded
                do {
                    try await NIOThreadPool.singleton.runIfActive { try handle.write(contentsOf: line) }
                } catch {
                    self.logger.error("request record not written", metadata: ["goosey.error": "\(error)"])
                }
            }
        } onGracefulShutdown: {
            self.continuation.finish()
        }
    }

    private func openForAppending() throws -> FileHandle {
        if !FileManager.default.fileExists(atPath: self.path) {
            _ = FileManager.default.createFile(atPath: self.path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        guard let handle = FileHandle(forWritingAtPath: self.path) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: self.path])
        }
        handle.seekToEndOfFile()
        return handle
    }
}
