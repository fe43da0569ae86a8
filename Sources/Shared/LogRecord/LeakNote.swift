/// A secret an edge found in a request, as the request's log record carries it to the coordinator. Names
/// the secret by kind and fingerprint only.
public struct LeakNote: Codable, Sendable, Equatable {
    public enum Action: String, Codable, Sendable {
        /// The request was refused and the keys in ``suspendedKeys`` suspended.
        case blocked
        /// The request went upstream; the stored body is redacted.
        case forwarded
    }

    public var kind: String
    public var family: SecretFamily
    /// The first 12 hex digits of the secret's SHA-256 (a Goosey key's key ID).
    public var fingerprint: String
    /// Where in the body, e.g. `messages[3].content[0].content`.
    public var location: String
    public var action: Action
    /// True the first time this student's requests carry this secret: the coordinator opens an incident
    /// and alerts. Claude Code resends the whole conversation every turn; later sightings are false.
    public var isNew: Bool
    /// SHA-256 of the keys suspended because of it (the sender's, and a leaked Goosey key's): not secret,
    /// it is how Goosey stores keys, and it lets staff reinstate them.
    public var suspendedKeys: [String]
    /// Whose Goosey key it is, when it is one of Goosey's keys.
    public var owner: StudentRef?

    public init(
        kind: String, family: SecretFamily, fingerprint: String, location: String, action: Action, isNew: Bool,
        suspendedKeys: [String] = [], owner: StudentRef? = nil
    ) {
        self.kind = kind
        self.family = family
        self.fingerprint = fingerprint
        self.location = location
        self.action = action
        self.isNew = isNew
        self.suspendedKeys = suspendedKeys
        self.owner = owner
    }
}
