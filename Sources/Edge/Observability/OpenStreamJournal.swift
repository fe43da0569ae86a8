import Foundation
import NIOPosix
import Shared

/// The answers this edge is relaying, on disk beside the spool, so that a stream the upstream billed keeps
/// its record when the edge is killed mid-stream: each stream's record as it would stand if the edge died
/// (`+` and the record's JSON) goes in when its answer begins, and is crossed out (`-` and its id) once the
/// full record is in the spool. A restarted edge spools what it finds not crossed out.
///
/// Owned by the spool's one writer task. A record spooled but not yet crossed out when the edge dies is
/// spooled twice; the coordinator stores a record once.
struct OpenStreamJournal {
    static let fileName = "open-streams.journal"

    private let handle: FileHandle
    /// The lines of the streams still open, by request id.
    private var open: [String: Data] = [:]
    private var openBytes = 0
    private var fileBytes = 0

    /// Opens the journal in `directory` and reads what a previous run left open.
    /// - Returns: the journal, still holding those records until they are spooled, and the records.
    static func recover(in directory: String) async throws -> (OpenStreamJournal, [RequestRecord]) {
        let path = directory + "/" + Self.fileName
        let previous = FileManager.default.contents(atPath: path) ?? Data()
        var journal = try OpenStreamJournal(path: path)
        var orphans: [String: RequestRecord] = [:]
        let decoder = JSONDecoder()
        for line in previous.split(separator: 0x0A) {
            guard let mark = line.first else { continue }
            let rest = line.dropFirst()
            if mark == UInt8(ascii: "+"), let record = try? decoder.decode(RequestRecord.self, from: rest) {
                orphans[record.id] = record
                journal.open[record.id] = Data(line) + [0x0A]
            } else if mark == UInt8(ascii: "-") {
                let id = String(decoding: rest, as: UTF8.self)
                orphans[id] = nil
                journal.open[id] = nil
            }
            // Anything else is a line torn by the crash: its stream's record was never complete.
        }
        journal.openBytes = journal.open.values.reduce(0) { $0 + $1.count }
        try await journal.rewrite()
        return (journal, orphans.values.sorted { $0.receivedAtMillis < $1.receivedAtMillis })
    }

    private init(path: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        self.handle = handle
    }

    mutating func opened(_ record: RequestRecord, encoder: JSONEncoder) async throws {
        var line = Data([UInt8(ascii: "+")])
        line.append(try encoder.encode(record))
        line.append(0x0A)
        self.open[record.id] = line
        self.openBytes += line.count
        try await self.append(line)
    }

    /// Crosses out `id` once its full record is spooled; nothing when it was never noted.
    mutating func closed(_ id: String) async throws {
        guard let line = self.open.removeValue(forKey: id) else { return }
        self.openBytes -= line.count
        // Most of the journal is crossed-out streams: keep only the open ones.
        if self.fileBytes > 1 << 20 && self.fileBytes > 4 * self.openBytes {
            try await self.rewrite()
            return
        }
        try await self.append(Data([UInt8(ascii: "-")] + Array(id.utf8) + [0x0A]))
    }

    private mutating func append(_ line: Data) async throws {
        let handle = self.handle
        try await NIOThreadPool.singleton.runIfActive { try handle.write(contentsOf: line) }
        self.fileBytes += line.count
    }

    private mutating func rewrite() async throws {
        var contents = Data(capacity: self.openBytes)
        for line in self.open.values { contents.append(line) }
        let (handle, kept) = (self.handle, contents)
        try await NIOThreadPool.singleton.runIfActive {
            try handle.truncate(atOffset: 0)
            try handle.write(contentsOf: kept)
        }
        self.fileBytes = contents.count
    }
}
