// Formats restated from gitleaks' `config/gitleaks.toml` (MIT, github.com/gitleaks/gitleaks) as summarised
// in `anthropic-wire.md` §8, turned from regular expressions into prefix + alphabet + length.
extension SecretRule {
    /// Every credential format Goosey knows out of the box.
    public static let standard: [SecretRule] = gooseyAndAnthropic + cloudAndForges + chatAndOthers

    static let gooseyAndAnthropic: [SecretRule] = [
        SecretRule(
            kind: "goosey-key", family: .gooseyKey, prefix: VirtualKey.prefix, alphabet: .base62,
            minLength: VirtualKey.bodyLength + VirtualKey.checksumLength, check: .gooseyChecksum, minEntropy: 0
        ),
        SecretRule(kind: "anthropic-api-key", family: .anthropicKey, prefix: "sk-ant-api03-", alphabet: .base64URL, minLength: 95, suffix: "AA"),
        SecretRule(kind: "anthropic-admin-key", family: .anthropicKey, prefix: "sk-ant-admin01-", alphabet: .base64URL, minLength: 95, suffix: "AA"),
        SecretRule(kind: "anthropic-oauth-token", family: .anthropicKey, prefix: "sk-ant-oat01-", alphabet: .base64URL, minLength: 20, maxLength: 400),
        SecretRule(kind: "anthropic-refresh-token", family: .anthropicKey, prefix: "sk-ant-ort01-", alphabet: .base64URL, minLength: 20, maxLength: 400),
        SecretRule(
            kind: "anthropic-key", family: .anthropicKey, prefix: "sk-ant-", alphabet: .base64URL, minLength: 26, maxLength: 400,
            check: .anthropicVersion
        ),
    ]

    static let cloudAndForges: [SecretRule] =
        ["AKIA", "ASIA", "ABIA", "ACCA"].map {
            SecretRule(kind: "aws-access-key", prefix: $0, alphabet: .upperBase32, minLength: 16, check: .awsSecretNearby, minEntropy: 2.5)
        } + [
            SecretRule(kind: "google-api-key", prefix: "AIza", alphabet: .base64URL, minLength: 35),
            SecretRule(kind: "openai-api-key", prefix: "sk-proj-", alphabet: .base64URL, minLength: 100, maxLength: 200, check: .openAIMarker),
            SecretRule(kind: "openai-api-key", prefix: "sk-svcacct-", alphabet: .base64URL, minLength: 100, maxLength: 200, check: .openAIMarker),
            SecretRule(kind: "openai-api-key", prefix: "sk-admin-", alphabet: .base64URL, minLength: 100, maxLength: 200, check: .openAIMarker),
            SecretRule(kind: "openai-api-key", prefix: "sk-", alphabet: .base62, minLength: 48, check: .openAIMarker),
            SecretRule(kind: "github-token", prefix: "github_pat_", alphabet: .word, minLength: 82),
        ] + ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"].map {
            SecretRule(kind: "github-token", prefix: $0, alphabet: .base62, minLength: 36)
        } + [
            SecretRule(kind: "gitlab-token", prefix: "glpat-", alphabet: .base64URLDot, minLength: 20, maxLength: 320),
            SecretRule(kind: "gitlab-token", prefix: "GR1348941", alphabet: .base64URL, minLength: 20, maxLength: 64),
        ] + ["gldt-", "glrt-", "glcbt-", "glptt-", "glft-", "glimt-", "glagent-", "gloas-", "glsoat-", "glffct-"].map {
            SecretRule(kind: "gitlab-token", prefix: $0, alphabet: .base64URLDot, minLength: 20, maxLength: 320)
        }

    static let chatAndOthers: [SecretRule] =
        ["xoxb-", "xoxp-", "xoxe-", "xoxa-", "xoxr-", "xoxo-", "xoxs-", "xapp-"].map {
            SecretRule(kind: "slack-token", prefix: $0, alphabet: .alphanumericDash, minLength: 20, maxLength: 250, check: .containsDigit)
        } + [
            SecretRule(
                kind: "slack-webhook", prefix: "hooks.slack.com/", alphabet: .base64, minLength: 52, maxLength: 80,
                wordBoundary: false, check: .slackWebhookPath
            ),
            SecretRule(
                kind: "private-key", prefix: "-----BEGIN ", alphabet: .pemLabel, minLength: 16, maxLength: 100,
                wordBoundary: false, check: .privateKeyBlock, minEntropy: 0
            ),
        ]
}
