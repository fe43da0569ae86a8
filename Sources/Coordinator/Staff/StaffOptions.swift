import ArgumentParser
import Configuration
import Shared

/// What every staff command takes: the configuration file and the course.
///
/// Keys in the file (environment variable in brackets): `goosey.url` [GOOSEY_URL], the coordinator;
/// `goosey.token` [GOOSEY_TOKEN], an admin token; `goosey.course` [GOOSEY_COURSE]; `goosey.edgeURL`
/// [GOOSEY_EDGE_URL], the address students point Claude Code at (for the key file's snippet).
struct StaffOptions: ParsableArguments {
    @Option(help: "The configuration file (goosey.url, goosey.token, goosey.course; GOOSEY_URL, GOOSEY_TOKEN, GOOSEY_COURSE override them).")
    var config: String = GooseyConfigFile.defaultPath

    @Option(help: "The course, e.g. COMP4020-2026-S2 (default: goosey.course in the configuration).")
    var course: String?

    func reader() throws -> ConfigReader {
        try GooseyConfigFile.reader(path: self.config, required: self.config != GooseyConfigFile.defaultPath)
    }

    func client() throws -> StaffClient {
        let reader = try self.reader()
        guard let url = reader.string(forKey: "goosey.url") else {
            throw StaffError("no coordinator address: set goosey.url in \(self.config) or GOOSEY_URL (e.g. https://goosey.uni.example)")
        }
        guard let token = reader.string(forKey: "goosey.token", isSecret: true) else {
            throw StaffError("no admin token: set GOOSEY_TOKEN (or goosey.token in \(self.config)); ask a Goosey admin for one")
        }
        return StaffClient(baseURL: url, token: token)
    }

    func courseID() throws -> String {
        guard let course = try self.course ?? self.reader().string(forKey: "goosey.course") else {
            throw ValidationError("which course? Give --course (e.g. --course COMP4020-2026-S2) or set goosey.course / GOOSEY_COURSE")
        }
        guard StudentRef.isValidID(course) else { throw ValidationError("`\(course)` is not a course id") }
        return course
    }

    /// The address students point Claude Code at, for the key file.
    func edgeURL() throws -> String {
        try self.reader().string(forKey: "goosey.edgeURL") ?? "https://goosey.example.edu"
    }
}

/// A staff command's failure: what went wrong and what to do, exit code 1.
struct StaffError: Error, CustomStringConvertible {
    var description: String
    /// False when no answer came: the request may have been acted on all the same.
    var answered: Bool
    init(_ description: String, answered: Bool = true) {
        self.description = description
        self.answered = answered
    }
}
