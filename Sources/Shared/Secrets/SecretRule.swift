/// Which kind of secret a rule finds, which decides what the edge does about it: Goosey and Anthropic keys
/// always stop the request; other credentials get the course's configured action.
public enum SecretFamily: String, Sendable, Hashable, Codable {
    case gooseyKey = "goosey"
    case anthropicKey = "anthropic"
    case otherCredential = "other"
}

/// A test beyond prefix, alphabet and length, for formats that carry more structure.
public enum SecretCheck: String, Sendable, Hashable, Codable {
    case none
    /// The CRC-32 tail of a Goosey key (``VirtualKey/isWellFormed(_:)-(UnsafeRawBufferPointer)``).
    case gooseyChecksum = "goosey-checksum"
    /// `T3BlbkFJ` (base64 of "OpenAI") inside the body.
    case openAIMarker = "openai-marker"
    /// `sk-ant-` + `[a-z]{3,6}\d{2}-`: Anthropic's versioned key kinds, for those not listed one by one.
    case anthropicVersion = "anthropic-version"
    /// An AWS access key id counts only with a 40-character secret access key within a few lines of it.
    case awsSecretNearby = "aws-secret-nearby"
    /// `-----BEGIN … PRIVATE KEY-----`, then the key material, then (if present) the `-----END …-----` line.
    case privateKeyBlock = "private-key-block"
    /// `services/`, `workflows/` or `triggers/` after a Slack webhook's host.
    case slackWebhookPath = "slack-webhook-path"
    /// At least one digit in the body (Slack tokens are mostly numbers; a word like `xoxb-example` is not one).
    case containsDigit = "contains-digit"
}

/// One credential format as data: a literal prefix, a body of ``minLength`` to ``maxLength`` characters of
/// one ``SecretAlphabet`` that ends where the alphabet ends, an optional literal ``suffix`` (inside the
/// body's length), and an optional ``SecretCheck``. Staff add rules of their own in a course's policy.
///
/// No regular expressions: the scanner finds every rule's prefix in one pass over the bytes.
public struct SecretRule: Sendable, Hashable, Codable {
    /// Names the format in refusals, alerts and redaction markers, e.g. `anthropic-api-key`.
    public var kind: String
    public var family: SecretFamily
    public var prefix: String
    public var alphabet: SecretAlphabet
    public var minLength: Int
    public var maxLength: Int
    public var suffix: String?
    /// The prefix may not follow a letter, digit or `_` (a `\n` escape before it is not a letter).
    public var wordBoundary: Bool
    public var check: SecretCheck
    /// Shannon entropy, in bits per character, the body needs: `sk-ant-api03-xxxx…` in documentation is not a key.
    public var minEntropy: Double

    public init(
        kind: String, family: SecretFamily = .otherCredential, prefix: String, alphabet: SecretAlphabet,
        minLength: Int, maxLength: Int? = nil, suffix: String? = nil, wordBoundary: Bool = true,
        check: SecretCheck = .none, minEntropy: Double = 3
    ) {
        self.kind = kind
        self.family = family
        self.prefix = prefix
        self.alphabet = alphabet
        self.minLength = minLength
        self.maxLength = maxLength ?? minLength
        self.suffix = suffix
        self.wordBoundary = wordBoundary
        self.check = check
        self.minEntropy = minEntropy
    }

    enum CodingKeys: String, CodingKey {
        case kind, family, prefix, alphabet, minLength, maxLength, suffix, wordBoundary, check, minEntropy
    }

    /// Staff write `{"kind": "…", "prefix": "…", "alphabet": "base62", "minLength": 32}`; the rest has defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let minLength = try container.decode(Int.self, forKey: .minLength)
        self.init(
            kind: try container.decode(String.self, forKey: .kind),
            family: try container.decodeIfPresent(SecretFamily.self, forKey: .family) ?? .otherCredential,
            prefix: try container.decode(String.self, forKey: .prefix),
            alphabet: try container.decode(SecretAlphabet.self, forKey: .alphabet),
            minLength: minLength,
            maxLength: try container.decodeIfPresent(Int.self, forKey: .maxLength),
            suffix: try container.decodeIfPresent(String.self, forKey: .suffix),
            wordBoundary: try container.decodeIfPresent(Bool.self, forKey: .wordBoundary) ?? true,
            check: try container.decodeIfPresent(SecretCheck.self, forKey: .check) ?? .none,
            minEntropy: try container.decodeIfPresent(Double.self, forKey: .minEntropy) ?? 3
        )
        if let problem = self.problem {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: problem))
        }
    }

    /// Why the scanner could not use this rule, or nil.
    public var problem: String? {
        if self.prefix.utf8.count < 3 { return "secret rule `\(self.kind)`: prefix needs at least 3 characters" }
        if self.kind.isEmpty || self.kind.utf8.contains(where: { !Self.kindCharacters.contains($0) }) {
            return "secret rule kind `\(self.kind)`: use lower-case letters, digits and `-`"
        }
        if self.minLength < 8 || self.maxLength < self.minLength || self.maxLength > 4096 {
            return "secret rule `\(self.kind)`: lengths must satisfy 8 ≤ minLength ≤ maxLength ≤ 4096"
        }
        return nil
    }

    private static let kindCharacters = Set("abcdefghijklmnopqrstuvwxyz0123456789-".utf8)
}
