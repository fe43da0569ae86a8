/// One student in one course: whose allowance a request draws on.
public struct StudentRef: Hashable, Sendable, Codable, CustomStringConvertible {
    public var course: String
    public var student: String

    public init(course: String, student: String) {
        self.course = course
        self.student = student
    }

    public var description: String { "\(self.course)/\(self.student)" }

    /// Whether both ids are fit for Redis keys and logs: 1–128 printable ASCII characters, without
    /// braces (they would break the hash tag), colons, slashes or spaces.
    public static func isValidID(_ id: String) -> Bool {
        guard (1...128).contains(id.utf8.count) else { return false }
        return id.utf8.allSatisfy { byte in
            byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: "{") && byte != UInt8(ascii: "}")
                && byte != UInt8(ascii: ":") && byte != UInt8(ascii: "/")
        }
    }
}

/// Redis key names. Every key of one student carries the hash tag `{course:student}`, so each script
/// touches one Redis Cluster slot.
public enum QuotaKeys {
    static func tag(_ student: StudentRef) -> String { "goosey:{\(student.course):\(student.student)}" }
    public static func balance(_ student: StudentRef) -> String { self.tag(student) + ":balance" }
    public static func closed(_ student: StudentRef) -> String { self.tag(student) + ":closed" }
    public static func leases(_ student: StudentRef) -> String { self.tag(student) + ":leases" }
    public static func deadlines(_ student: StudentRef) -> String { self.tag(student) + ":deadlines" }
    public static func settled(_ student: StudentRef) -> String { self.tag(student) + ":settled" }

    /// The student a key such as `goosey:{course:student}:deadlines` belongs to (ids hold no colons or
    /// braces, so the tag splits cleanly).
    public static func student(fromKey key: String, kind: String) -> StudentRef? {
        let suffix = "}:" + kind
        guard key.hasPrefix("goosey:{"), key.hasSuffix(suffix) else { return nil }
        let tag = key.dropFirst("goosey:{".count).dropLast(suffix.count)
        let parts = tag.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return StudentRef(course: String(parts[0]), student: String(parts[1]))
    }
}

/// Redis key names of a course's reserve, under the hash tag `{reserve:course}`: drawing from it is one
/// script on one slot, separate from the student's.
public enum CourseReserveKeys {
    static func tag(_ course: String) -> String { "goosey:{reserve:\(course)}" }
    /// Hash: `period` (the index it was filled for) and `left`.
    public static func pool(_ course: String) -> String { self.tag(course) + ":pool" }
    /// Hash: student id to what they drew this period.
    public static func drawn(_ course: String) -> String { self.tag(course) + ":drawn" }
}
