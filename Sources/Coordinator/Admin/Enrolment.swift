import Shared

/// One student of a course as the university's roster lists them.
struct Enrolment: Codable, Sendable, Equatable {
    var id: String
    var name: String
    var email: String
    var group: String?
    var researchConsent: Bool
}

/// What a sync changes: who is new (or back), who dropped, who moved group, whose details or consent changed.
struct EnrolmentPlan: Encodable, Sendable, Equatable {
    var new: [String] = []
    var dropped: [String] = []
    var moved: [Moved] = []
    var updated: [String] = []

    struct Moved: Encodable, Sendable, Equatable {
        var student: String
        var from: String?
        var to: String?
    }

    var isEmpty: Bool { self.new.isEmpty && self.dropped.isEmpty && self.moved.isEmpty && self.updated.isEmpty }

    /// The plan that takes `current` (enrolled, not dropped, by id) to `roster`.
    init(current: [String: Enrolment], roster: [Enrolment]) {
        let listed = Set(roster.map(\.id))
        for student in roster {
            guard let now = current[student.id] else {
                self.new.append(student.id)
                continue
            }
            if now.group != student.group { self.moved.append(Moved(student: student.id, from: now.group, to: student.group)) }
            if now.name != student.name || now.email != student.email || now.researchConsent != student.researchConsent {
                self.updated.append(student.id)
            }
        }
        self.dropped = current.keys.filter { !listed.contains($0) }.sorted()
    }
}
