import Foundation
import Shared
import Testing

@Suite struct SecretScannerTests {
    /// One made-up secret per format and the kind the scanner must name it.
    static func positives() -> [(kind: String, secret: String)] {
        var samples = SecretSamples(seed: 42)
        return [
            ("goosey-key", samples.gooseyKey()),
            ("anthropic-api-key", samples.anthropicAPIKey()),
            ("anthropic-admin-key", samples.anthropicAdminKey()),
            ("anthropic-oauth-token", samples.anthropicOAuthToken()),
            ("github-token", samples.githubToken()),
            ("github-token", samples.githubFineGrainedToken()),
            ("gitlab-token", samples.gitlabToken()),
            ("slack-token", samples.slackBotToken()),
            ("openai-api-key", samples.openAIProjectKey()),
            ("openai-api-key", samples.openAILegacyKey()),
            ("google-api-key", samples.googleAPIKey()),
        ]
    }

    static func findings(in body: String, scanner: SecretScanner = .standard) -> [SecretFinding] {
        scanner.scan(Array(body.utf8))
    }

    static func sha256(_ text: String) -> String {
        Array(text.utf8).withUnsafeBytes { Hex.sha256(of: $0) }
    }

    static func text(of part: Range<Int>, in body: String) -> String {
        String(decoding: Array(body.utf8)[part], as: UTF8.self)
    }

    /// The scanner looks up byte pairs at even offsets only: every secret is tried at both parities.
    @Test(arguments: ["", " "])
    func everyFormatIsFoundInAToolResultAndNamed(padding: String) {
        for (kind, secret) in Self.positives() {
            let body = SecretSamples.body(toolResult: padding + #"API_TOKEN=\"\#(secret)\"\nDEBUG=1\n"#)
            let findings = Self.findings(in: body)
            #expect(findings.map(\.kind) == [kind], "\(kind)")
            guard let finding = findings.first else { continue }
            #expect(Self.text(of: finding.parts[0], in: body) == secret, "\(kind)")
            #expect(finding.sha256Hex == Self.sha256(secret), "\(kind)")
        }
    }

    /// Clean text is skipped eight bytes at a time: a secret is found wherever it falls in such a stretch,
    /// including when it ends the body.
    @Test func aSecretIsFoundAtEveryOffsetAndAtTheVeryEnd() {
        for (kind, secret) in Self.positives() {
            for padding in 0..<16 {
                let lead = String(repeating: "x", count: padding)
                for body in [lead + " " + secret + " trailing text", lead + " " + secret] {
                    let findings = Self.findings(in: body)
                    #expect(findings.map(\.kind) == [kind], "\(kind), \(padding) bytes before")
                    #expect(findings.first.map { Self.text(of: $0.parts[0], in: body) } == secret, "\(kind), \(padding) bytes before")
                }
            }
        }
    }

    @Test func aGooseyKeysFingerprintIsItsKeyID() throws {
        var samples = SecretSamples(seed: 3)
        let key = try #require(VirtualKey(parsing: samples.gooseyKey()))
        let findings = Self.findings(in: SecretSamples.body(toolResult: key.secretText))
        #expect(findings.map(\.sha256Hex) == [key.sha256Hex])
        #expect(findings.map(\.fingerprint) == [key.keyID])
    }

    @Test func secretsAreFoundWhereverClaudeCodePutsThem() {
        var samples = SecretSamples(seed: 9)
        let (system, user, toolInput, toolResult) =
            (samples.anthropicAPIKey(), samples.gooseyKey(), samples.githubToken(), samples.googleAPIKey())
        let body = #"{"system":[{"type":"text","text":"Use the key \#(system) for tests."}],"messages":["#
            + #"{"role":"user","content":[{"type":"text","text":"my key is \#(user), why 401?"}]},"#
            + #"{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"Bash","input":{"command":"curl -H 'Authorization: token \#(toolInput)' https://api.github.com"}}]},"#
            + #"{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"text","text":"GOOGLE_KEY=\#(toolResult)"}]}]}]}"#
        let findings = Self.findings(in: body)
        #expect(findings.map(\.kind) == ["anthropic-api-key", "goosey-key", "github-token", "google-api-key"])
        #expect(findings.map { Self.text(of: $0.parts[0], in: body) } == [system, user, toolInput, toolResult])
    }

    @Test func escapesThatWouldHideASecretAreSeenThrough() throws {
        var samples = SecretSamples(seed: 11)
        let key = samples.anthropicAPIKey()
        let escaped = key.replacingOccurrences(of: "-", with: #"\u002d"#)
        let body = SecretSamples.body(toolResult: "export ANTHROPIC_API_KEY=" + escaped)
        let finding = try #require(Self.findings(in: body).first)
        #expect(finding.kind == "anthropic-api-key")
        #expect(finding.sha256Hex == Self.sha256(key), "hashed as the key, not as written")
        #expect(Self.text(of: finding.parts[0], in: body) == escaped, "located as written, escapes included")

        let webhook = samples.slackWebhook()
        for padding in ["", " "] {
            let slashed = SecretSamples.body(toolResult: padding + webhook.replacingOccurrences(of: "/", with: #"\/"#))
            #expect(Self.findings(in: slashed).map(\.kind) == ["slack-webhook"])
            let oneSlash = SecretSamples.body(toolResult: padding + webhook.replacingOccurrences(of: "services/", with: #"services\/"#))
            #expect(Self.findings(in: oneSlash).map(\.kind) == ["slack-webhook"], "a single \\/ at either parity")
        }
    }

    @Test func secretsNextToEscapedLineBreaksAndQuotesAreFound() {
        var samples = SecretSamples(seed: 12)
        let key = samples.gooseyKey()
        for text in [#"line\n\#(key)\nnext"#, #"\t\#(key)"#, #"\u0027\#(key)\u0027"#, #"\"\#(key)\""#] {
            let findings = Self.findings(in: SecretSamples.body(toolResult: text))
            #expect(findings.map(\.kind) == ["goosey-key"], "\(text)")
        }
    }

    @Test func aPrivateKeySplitAcrossLinesIsOneFinding() throws {
        var samples = SecretSamples(seed: 13)
        let escapedBlock = samples.privateKeyBlock(newline: #"\n"#)
        let body = SecretSamples.body(toolResult: #"$ cat ~/.ssh/id_ed25519\n"# + escapedBlock + #"\n$ "#)
        let finding = try #require(Self.findings(in: body).first)
        #expect(finding.kind == "private-key")
        #expect(Self.text(of: finding.parts[0], in: body) == escapedBlock)

        let rawBlock = samples.privateKeyBlock(newline: "\n")
        let plain = Self.findings(in: "key follows:\n" + rawBlock + "\ndone\n")
        #expect(plain.map(\.kind) == ["private-key"])
    }

    @Test func anAWSKeyIDCountsOnlyWithItsSecretNearby() throws {
        var samples = SecretSamples(seed: 14)
        let (id, secret) = (samples.awsAccessKeyID(), samples.awsSecretAccessKey())
        let body = SecretSamples.body(toolResult: #"[default]\naws_access_key_id = \#(id)\naws_secret_access_key = \#(secret)\n"#)
        let finding = try #require(Self.findings(in: body).first)
        #expect(finding.kind == "aws-access-key")
        #expect(finding.parts.map { Self.text(of: $0, in: body) } == [id, secret])

        #expect(Self.findings(in: SecretSamples.body(toolResult: "AWS_ACCESS_KEY_ID=" + id)).isEmpty)
        let documented = #"aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"#
        #expect(Self.findings(in: SecretSamples.body(toolResult: documented)).isEmpty)
    }

    /// Text that looks like a secret to a careless scanner and is not one.
    static let nearMisses: [String] = {
        var samples = SecretSamples(seed: 15)
        let goosey = samples.gooseyKey()
        let badChecksum = String(goosey.dropLast()) + (goosey.last == "A" ? "B" : "A")
        return [
            "id 3f2b8c1e-9a4d-4c7b-8e21-5d6f0a9b3c17 and 7f3b2a64-9c1e-4d7a-8b25-3e0f6c9d1a42",
            "commit 9fceb02d0ae598e95dc970b74767f19372d61af8 sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
            "Anthropic keys start with sk-ant and are secret; never paste an sk-ant-api03 key here.",
            "ANTHROPIC_API_KEY=sk-ant-api03-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxAA",
            "ANTHROPIC_API_KEY=sk-ant-api03-...",
            "ANTHROPIC_API_KEY=sk-ant-api03-XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXAA",
            "key: " + badChecksum,
            "the goosey_ prefix marks a Goosey key; see goosey_key_format.md",
            "ghp_ tokens: ghp_abc and GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "xoxb-your-token-here and xoxb-not-a-real-token-at-all-example",
            "AIzaXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
            "-----BEGIN PUBLIC KEY-----\\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\\n-----END PUBLIC KEY-----",
            "-----BEGIN RSA PRIVATE KEY-----\\n...\\n-----END RSA PRIVATE KEY-----",
            "see https://hooks.slack.com/services/ for webhooks",
            "risk-management/task-runner and disk-usage-sk-ant-ennae",
            "myghp_" + samples.characters(36, from: SecretSamples.base62),
            "sk-" + samples.characters(48, from: SecretSamples.base62),
            "AKIAIOSFODNN7EXAMPLE",
        ]
    }()

    @Test(arguments: nearMisses)
    func nearMissesAreNotSecrets(text: String) {
        #expect(Self.findings(in: SecretSamples.body(toolResult: text)).isEmpty)
    }

    @Test func aLongCleanBodyHasNoFindings() {
        var text = ""
        var line = 0
        while text.utf8.count < 300_000 {
            line += 1
            text += #"    \#(line)\tlet session = try await store.settle(lease, charge: usage.weighted) // ghost host skip go-to --flag sk \u001b[0m\n"#
        }
        #expect(Self.findings(in: SecretSamples.body(toolResult: text)).isEmpty)
    }

    @Test func longRunsOfPrefixesFindNothingAndEnd() {
        let body = String(repeating: "sk-ant-", count: 50_000) + String(repeating: "-----BEGIN PRIVATE KEY-----", count: 5_000)
            + String(repeating: "goosey_goosey_", count: 5_000)
        #expect(Self.findings(in: body).isEmpty)
    }

    @Test func redactionReplacesEachSecretWithItsKindAndFingerprint() throws {
        var samples = SecretSamples(seed: 16)
        let (key, id, secret) = (samples.anthropicAPIKey(), samples.awsAccessKeyID(), samples.awsSecretAccessKey())
        let body = SecretSamples.body(toolResult: #"KEY=\#(key)\nAWS_ACCESS_KEY_ID=\#(id)\nAWS_SECRET_ACCESS_KEY=\#(secret)"#)
        let findings = Self.findings(in: body)
        let redacted = String(decoding: Array(body.utf8).withUnsafeBytes { SecretRedaction.redact($0, findings: findings) }, as: UTF8.self)
        #expect(!redacted.contains(key) && !redacted.contains(id) && !redacted.contains(secret))
        #expect(redacted.contains("KEY=[REDACTED:anthropic-api-key:\(findings[0].fingerprint)]"))
        #expect(redacted.contains("AWS_SECRET_ACCESS_KEY=[REDACTED:aws-access-key:\(findings[1].fingerprint)]"))
        #expect(JSONValidator.validate(Array(redacted.utf8)) == nil, "still JSON")
        #expect(Self.findings(in: redacted).isEmpty)
    }

    @Test func staffRulesComeFromJSONAndAreScannedWithTheRest() throws {
        let json = #"{"kind": "course-lab-token", "prefix": "lab_", "alphabet": "hex", "minLength": 32}"#
        let rule = try JSONDecoder().decode(SecretRule.self, from: Data(json.utf8))
        let scanner = SecretScanner(rules: SecretRule.standard + [rule])
        let token = "lab_" + String(repeating: "0123456789abcdef", count: 2)
        let body = SecretSamples.body(toolResult: "LAB=" + token)
        #expect(Self.findings(in: body, scanner: scanner).map(\.kind) == ["course-lab-token"])
        #expect(Self.findings(in: body).isEmpty, "the standard scanner does not know it")
    }

    @Test(arguments: [
        (#"{"kind": "x", "prefix": "ab", "alphabet": "hex", "minLength": 32}"#, "prefix needs at least 3 characters"),
        (#"{"kind": "Lab Token", "prefix": "lab_", "alphabet": "hex", "minLength": 32}"#, "use lower-case letters"),
        (#"{"kind": "lab", "prefix": "lab_", "alphabet": "hex", "minLength": 4}"#, "8 ≤ minLength"),
    ])
    func badStaffRulesSayWhatIsWrong(json: String, problem: String) {
        #expect {
            try JSONDecoder().decode(SecretRule.self, from: Data(json.utf8))
        } throws: { error in
            "\(error)".contains(problem)
        }
    }
}
