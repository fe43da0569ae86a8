import Foundation

/// New keys for handing out: a CSV created with mode 0600 before anything is applied (so a sync that cannot
/// write its keys issues none), with each student's ready Claude Code settings.
struct KeyFile {
    struct Row {
        var id: String
        var email: String
        var key: String
    }

    let path: String
    private let handle: FileHandle

    static func defaultName(course: String) -> String {
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        return "goosey-keys-\(course)-\(stamp).csv"
    }

    /// Creates the file, empty, readable by its owner only; fails if it exists.
    static func create(at path: String) throws -> KeyFile {
        KeyFile(path: path, handle: try Self.createPrivate(path, what: "for the new keys", option: "--keys-out"))
    }

    /// A new file only its owner may read (keys, research data); refuses to overwrite one that exists.
    static func createPrivate(_ path: String, what: String, option: String) throws -> FileHandle {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            throw StaffError("cannot create \(path) \(what) (\(String(cString: strerror(errno)))); give another \(option)")
        }
        return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }

    func write(_ rows: [Row], edgeURL: String) throws {
        var text = "id,email,key,claude_code_settings\n"
        for row in rows {
            let settings = #"{"env": {"ANTHROPIC_BASE_URL": "\#(edgeURL)", "ANTHROPIC_API_KEY": "\#(row.key)"}}"#
            text += [row.id, row.email, row.key, settings].map(Self.quoted).joined(separator: ",") + "\n"
        }
        try self.handle.write(contentsOf: Data(text.utf8))
        try self.handle.close()
    }

    /// Removes the file, still empty, when nothing could be applied: the next run may create it again.
    func discard() {
        try? self.handle.close()
        try? FileManager.default.removeItem(atPath: self.path)
    }

    static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
