import Shared

/// Made-up credentials in each format the scanner knows, from a seeded generator: realistic in shape and
/// randomness, never anyone's real secret.
struct SecretSamples {
    private var generator: SeededGenerator

    init(seed: UInt64) {
        self.generator = SeededGenerator(seed: seed)
    }

    static let base62 = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    static let base64URL = base62 + ["_", "-"]
    static let base64 = base62 + ["+", "/"]
    static let upperBase32 = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    static let digits = Array("0123456789")

    mutating func characters(_ count: Int, from alphabet: [Character]) -> String {
        String((0..<count).map { _ in alphabet[Int(self.generator.next() % UInt64(alphabet.count))] })
    }

    mutating func gooseyKey() -> String { VirtualKey.generate(using: &self.generator).secretText }
    mutating func anthropicAPIKey() -> String { "sk-ant-api03-" + self.characters(93, from: Self.base64URL) + "AA" }
    mutating func anthropicAdminKey() -> String { "sk-ant-admin01-" + self.characters(93, from: Self.base64URL) + "AA" }
    mutating func anthropicOAuthToken() -> String { "sk-ant-oat01-" + self.characters(88, from: Self.base64URL) }
    mutating func awsAccessKeyID() -> String { "AKIA" + self.characters(16, from: Self.upperBase32) }
    mutating func awsSecretAccessKey() -> String { self.characters(40, from: Self.base64) }
    mutating func githubToken() -> String { "ghp_" + self.characters(36, from: Self.base62) }
    mutating func githubFineGrainedToken() -> String { "github_pat_" + self.characters(82, from: Self.base62 + ["_"]) }
    mutating func gitlabToken() -> String { "glpat-" + self.characters(20, from: Self.base64URL) }
    mutating func slackBotToken() -> String {
        "xoxb-" + self.characters(12, from: Self.digits) + "-" + self.characters(13, from: Self.digits) + "-"
            + self.characters(24, from: Self.base62)
    }
    mutating func slackWebhook() -> String {
        "https://hooks.slack.com/services/T" + self.characters(8, from: Self.upperBase32) + "/B"
            + self.characters(8, from: Self.upperBase32) + "/" + self.characters(24, from: Self.base62)
    }
    mutating func openAIProjectKey() -> String {
        "sk-proj-" + self.characters(74, from: Self.base64URL) + "T3BlbkFJ" + self.characters(74, from: Self.base64URL)
    }
    mutating func openAILegacyKey() -> String {
        "sk-" + self.characters(20, from: Self.base62) + "T3BlbkFJ" + self.characters(20, from: Self.base62)
    }
    mutating func googleAPIKey() -> String { "AIza" + self.characters(35, from: Self.base64URL) }

    /// An OpenSSH private key block, lines joined with `newline` (`"\n"` raw, or `"\\n"` inside a JSON string).
    mutating func privateKeyBlock(newline: String) -> String {
        let lines = (0..<5).map { _ in self.characters(70, from: Self.base64) }
        return (["-----BEGIN OPENSSH PRIVATE KEY-----"] + lines + ["-----END OPENSSH PRIVATE KEY-----"]).joined(separator: newline)
    }

    /// A Messages request body with `text` (already JSON-escaped) as the content of a tool result, after a
    /// system prompt and a user turn, as Claude Code sends one.
    static func body(toolResult text: String) -> String {
        #"{"model":"claude-sonnet-4-5","max_tokens":32000,"stream":true,"system":[{"type":"text","text":"You are Claude Code.\n"}],"#
            + #""messages":[{"role":"user","content":"read my config"},{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"Bash","input":{"command":"cat .env"}}]},"#
            + #"{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":""# + text + #""}]}]}"#
    }
}
