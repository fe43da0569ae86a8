import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// swift-log's `StreamLogHandler.standardError`, line for line, except that a logger's metadata is only
/// rendered when a line is written.
///
/// The stream handler renders all of it again on every change, and the edge changes it on every request
/// (Hummingbird's request ID, the student's key ID) while writing almost no lines: that rendering was ~2% of
/// an edge's CPU.
public struct StandardErrorLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String

    public init(label: String, metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider) {
        self.label = label
        self.metadataProvider = metadataProvider
    }

    /// Makes every logger of the process write through this handler.
    public static func bootstrap() {
        LoggingSystem.bootstrap { label in StandardErrorLogHandler(label: label) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = self.line(for: event, at: Self.timestamp())
        line.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(STDERR_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
                if written > 0 { offset += written } else if written < 0 && errno == EINTR { continue } else { return }
            }
        }
    }

    /// The line `StreamLogHandler` writes for `event`: the logger's metadata, then the provider's, then the
    /// event's own, each overriding the one before, sorted by key.
    func line(for event: LogEvent, at timestamp: String) -> String {
        var metadata = self.metadata
        if let provided = self.metadataProvider?.get() { metadata.merge(provided) { _, new in new } }
        if let explicit = event.metadata { metadata.merge(explicit) { _, new in new } }
        if let error = event.error {
            metadata["error.message"] = "\(error)"
            metadata["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        let rendered = metadata.isEmpty ? "" : " " + metadata.sorted { $0.key < $1.key }.map { "\($0)=\($1)" }.joined(separator: " ")
        let labelPart = self.label.isEmpty ? "" : " \(self.label)"
        return "\(timestamp) \(event.level)\(labelPart):\(rendered) [\(event.source)] \(event.message)\n"
    }

    /// Local time, as `StreamLogHandler` writes it (`2026-11-24T10:20:00+0000`).
    private static func timestamp() -> String {
        var now = time(nil)
        var local = tm()
        guard localtime_r(&now, &local) != nil else { return "<unknown>" }
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &local)
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
