import Foundation

/// The files of a log spool: `<sequence>.open` while the edge appends to it, renamed to
/// `<sequence>.ndjson` once closed. Only closed segments are shipped, oldest first.
struct SpoolSegments: Sendable {
    let directory: String

    static let openSuffix = ".open"
    static let closedSuffix = ".ndjson"

    func path(_ sequence: Int, open: Bool) -> String {
        self.directory + "/" + String(format: "%016d", sequence) + (open ? Self.openSuffix : Self.closedSuffix)
    }

    /// Creates the directory (mode 0700: the records name students) and closes what a previous run left
    /// open: a segment cut short by a crash ends, at worst, in a torn line that ingest leaves out.
    /// - Returns: the next sequence number to use.
    func prepare() throws -> Int {
        try FileManager.default.createDirectory(atPath: self.directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // A directory made by someone else keeps its mode unless told: only the edge reads the records.
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: self.directory)
        var highest = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: self.directory) {
            guard let sequence = Self.sequence(of: name) else { continue }
            highest = max(highest, sequence)
            if name.hasSuffix(Self.openSuffix) {
                try FileManager.default.moveItem(atPath: self.path(sequence, open: true), toPath: self.path(sequence, open: false))
            }
        }
        return highest + 1
    }

    /// Closed segments, oldest first, with their sizes.
    func closed() throws -> [(path: String, bytes: Int)] {
        try FileManager.default.contentsOfDirectory(atPath: self.directory)
            .filter { $0.hasSuffix(Self.closedSuffix) && Self.sequence(of: $0) != nil }
            .sorted()
            .map { name in
                let path = self.directory + "/" + name
                let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
                return (path, size)
            }
    }

    /// Bytes in every segment, open or closed.
    func totalBytes() throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: self.directory).reduce(0) { total, name in
            guard Self.sequence(of: name) != nil else { return total }
            let size = try? FileManager.default.attributesOfItem(atPath: self.directory + "/" + name)[.size] as? Int
            return total + (size ?? 0)
        }
    }

    static func sequence(of name: String) -> Int? {
        guard let dot = name.firstIndex(of: "."), name.hasSuffix(Self.openSuffix) || name.hasSuffix(Self.closedSuffix) else { return nil }
        return Int(name[..<dot])
    }
}
