/// What a course does about secrets in its students' requests. Goosey and Anthropic keys always stop the
/// request; this sets what other credentials do, and adds the course's own formats.
///
/// ```json
/// {"otherCredentials": "forward", "rules": [{"kind": "lab-token", "prefix": "lab_", "alphabet": "hex", "minLength": 32}]}
/// ```
public struct LeakPolicy: Sendable, Hashable, Codable {
    public enum Action: String, Sendable, Hashable, Codable {
        /// Refuse the request and suspend the key, as for an Anthropic key.
        case block
        /// Send the request on, store it redacted, and alert staff.
        case forward
    }

    public var otherCredentials: Action
    /// Formats on top of ``SecretRule/standard``.
    public var rules: [SecretRule]

    public init(otherCredentials: Action = .forward, rules: [SecretRule] = []) {
        self.otherCredentials = otherCredentials
        self.rules = rules
    }

    enum CodingKeys: String, CodingKey {
        case otherCredentials, rules
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            otherCredentials: try container.decodeIfPresent(Action.self, forKey: .otherCredentials) ?? .forward,
            rules: try container.decodeIfPresent([SecretRule].self, forKey: .rules) ?? []
        )
    }
}
