/// Where a virtual key stands. Suspended keys can be reinstated; revoked ones never come back.
public enum KeyState: String, Codable, Sendable, Equatable {
    case active
    case suspended
    case revoked
}

/// What Redis holds for one virtual key, found by the SHA-256 of the key (the key itself is never stored).
public struct KeyRecord: Codable, Sendable, Equatable {
    public var student: StudentRef
    public var state: KeyState
    /// The first 12 hex digits of the key's SHA-256: safe to show and log.
    public var keyID: String

    public init(student: StudentRef, state: KeyState, keyID: String) {
        self.student = student
        self.state = state
        self.keyID = keyID
    }
}

/// Names of the directory's Redis keys and of the channel that announces changes to every edge.
public enum DirectoryKeys {
    public static func key(sha256Hex: String) -> String { "goosey:key:\(sha256Hex)" }
    public static func coursePolicy(_ course: String) -> String { "goosey:policy:\(course)" }
    public static func studentPolicy(_ student: StudentRef) -> String { "goosey:policy:\(student.course):\(student.student)" }

    /// Every change to a key or a policy is published here, so edges drop what they cached.
    public static let invalidations = "goosey:invalidate"

    /// Set by the leading coordinator once Redis holds what Postgres knows; missing after Redis lost its data.
    public static let restored = "goosey:rebuilt"
}

/// A message on `DirectoryKeys.invalidations`.
public enum Invalidation: Sendable, Equatable {
    case key(sha256Hex: String)
    case coursePolicy(course: String)
    case studentPolicy(StudentRef)

    public var payload: String {
        switch self {
        case .key(let hash): "key \(hash)"
        case .coursePolicy(let course): "policy \(course)"
        case .studentPolicy(let student): "policy \(student.course) \(student.student)"
        }
    }

    public init?(payload: String) {
        let parts = payload.split(separator: " ").map(String.init)
        switch (parts.first, parts.count) {
        case ("key", 2): self = .key(sha256Hex: parts[1])
        case ("policy", 2): self = .coursePolicy(course: parts[1])
        case ("policy", 3): self = .studentPolicy(StudentRef(course: parts[1], student: parts[2]))
        default: return nil
        }
    }
}
