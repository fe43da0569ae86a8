/// A ``SecretRule`` ready for the scanner: its literals as bytes and its alphabet as a bit set. A class, so
/// trying a rule costs one reference, not a copy of its arrays.
final class CompiledSecretRule: Sendable {
    let rule: SecretRule
    let prefix: [UInt8]
    let suffix: [UInt8]
    let alphabet: [UInt64]
    /// The alphabet's place in `SecretAlphabet.allCases`, where ``AlphabetRuns`` keeps what it has seen of it.
    let alphabetIndex: Int

    init(_ rule: SecretRule) {
        self.rule = rule
        self.prefix = Array(rule.prefix.utf8)
        self.suffix = Array((rule.suffix ?? "").utf8)
        self.alphabet = rule.alphabet.members
        self.alphabetIndex = SecretAlphabet.allCases.firstIndex(of: rule.alphabet)!
    }

    struct Match {
        /// The secret's bytes, in order.
        var parts: [Range<Int>]
        /// Where scanning goes on: after the part that starts with the prefix.
        var end: Int
    }

    /// The secret whose prefix starts at `start`, or nil.
    func match(in bytes: UnsafeRawBufferPointer, at start: Int, memo: inout SecretScanMemo) -> Match? {
        let bodyStart = start + self.prefix.count
        guard bodyStart <= bytes.count, SecretText.bytes(bytes, at: start, equal: self.prefix) else { return nil }
        guard !self.rule.wordBoundary || SecretText.isBoundary(before: start, in: bytes) else { return nil }
        let limit = min(bytes.count, bodyStart + self.rule.maxLength + 1)
        let end = memo.alphabetRuns.end(of: self.alphabet, index: self.alphabetIndex, from: bodyStart, limit: limit, in: bytes)
        let body = bodyStart..<end
        guard body.count >= self.rule.minLength, body.count <= self.rule.maxLength,
            self.suffix.isEmpty || SecretText.bytes(bytes, at: end - self.suffix.count, equal: self.suffix),
            self.rule.minEntropy == 0 || SecretText.entropy(of: bytes[body], counts: &memo.byteCounts) >= self.rule.minEntropy
        else { return nil }
        return self.check(bytes, secret: start..<end, body: body, memo: &memo)
    }

    private func check(_ bytes: UnsafeRawBufferPointer, secret: Range<Int>, body: Range<Int>, memo: inout SecretScanMemo) -> Match? {
        let whole = Match(parts: [secret], end: secret.upperBound)
        switch self.rule.check {
        case .none:
            return whole
        case .gooseyChecksum:
            return VirtualKey.isWellFormed(UnsafeRawBufferPointer(rebasing: bytes[secret])) ? whole : nil
        case .openAIMarker:
            return SecretText.range(of: SecretText.openAIMarker, in: bytes, within: body) != nil ? whole : nil
        case .anthropicVersion:
            return SecretText.startsWithAnthropicVersion(bytes[body]) ? whole : nil
        case .containsDigit:
            return bytes[body].contains(where: { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) ? whole : nil
        case .slackWebhookPath:
            let path = bytes[body]
            return SecretText.slackWebhookPaths.contains(where: { path.starts(with: $0) }) ? whole : nil
        case .awsSecretNearby:
            guard !bytes[body].reversed().starts(with: SecretText.awsExampleTail.reversed()),
                let secretKey = SecretText.awsSecretAccessKey(near: secret, in: bytes, seen: &memo.awsSecretRuns)
            else { return nil }
            let parts = secretKey.lowerBound < secret.lowerBound ? [secretKey, secret] : [secret, secretKey]
            return Match(parts: parts, end: secret.upperBound)
        case .privateKeyBlock:
            guard let end = SecretText.privateKeyBlockEnd(label: body, in: bytes) else { return nil }
            return Match(parts: [secret.lowerBound..<end], end: end)
        }
    }
}

/// What one pass has read already, so that text built to make the scanner read it again and again
/// is read once.
struct SecretScanMemo {
    var alphabetRuns = AlphabetRuns()
    var awsSecretRuns = AWSSecretRuns()
    /// Scratch space for entropy, all zeros between uses.
    var byteCounts = [UInt16](repeating: 0, count: 256)
}

/// How far each alphabet's current run of bytes reaches, so that a long run full of prefixes
/// (`sk-ant-sk-ant-…`) is read once rather than once per prefix.
struct AlphabetRuns {
    private var starts = [Int](repeating: 0, count: SecretAlphabet.allCases.count)
    private var ends = [Int](repeating: 0, count: SecretAlphabet.allCases.count)
    /// Whether `ends` is the run's true end (a byte outside the alphabet, or the end of the bytes).
    private var complete = [Bool](repeating: false, count: SecretAlphabet.allCases.count)

    /// The end of the run of `alphabet` starting at `start`, or `limit` if it reaches that far.
    mutating func end(of alphabet: [UInt64], index: Int, from start: Int, limit: Int, in bytes: UnsafeRawBufferPointer) -> Int {
        if !(self.starts[index] <= start && start <= self.ends[index]) {
            (self.starts[index], self.ends[index], self.complete[index]) = (start, start, false)
        }
        if self.complete[index] || self.ends[index] >= limit { return min(self.ends[index], limit) }
        var end = self.ends[index]
        while end < limit, SecretText.contains(alphabet, bytes[end]) { end += 1 }
        self.ends[index] = end
        self.complete[index] = end < limit || end == bytes.count
        return end
    }
}
