/// Finds credentials in a request or response body in one pass, with no regular expressions.
///
/// Every rule's prefix starts with one of a few dozen byte pairs. The pass looks each pair of adjacent
/// bytes up in a 64 Ki-bit table (8 KiB, in L1) and only at the rare hits tries the rules whose prefix
/// starts there. JSON escapes that could hide a secret (`\u002d` for `-`, `\/` for `/`) are spotted in the
/// same pass; a body with any is scanned again after decoding them, and what is found there is mapped back
/// to the bytes as written.
public struct SecretScanner: Sendable {
    public let rules: [SecretRule]
    let compiled: [CompiledSecretRule]
    /// Bit `pair` is set when some rule's prefix starts with the two bytes `pair` (first byte low) or the
    /// pair is `\u` / `\/`.
    let pairs: [UInt64]
    /// Per byte pair, 1 + the index in ``buckets`` of the rules whose prefix starts with it; 0 for none.
    let bucketOfPair: [UInt8]
    /// Rule indices, longest prefix first.
    let buckets: [[Int]]

    /// The scanner for ``SecretRule/standard``.
    public static let standard = SecretScanner(rules: SecretRule.standard)

    public init(rules: [SecretRule]) {
        self.rules = rules
        let compiled = rules.map(CompiledSecretRule.init)
        self.compiled = compiled
        var pairs = [UInt64](repeating: 0, count: 1024)
        var rulesByPair: [UInt16: [Int]] = [:]
        for (index, rule) in compiled.enumerated() where rule.prefix.count >= 2 {
            let pair = UInt16(rule.prefix[0]) | UInt16(rule.prefix[1]) << 8
            rulesByPair[pair, default: []].append(index)
        }
        var bucketOfPair = [UInt8](repeating: 0, count: 65536)
        var buckets: [[Int]] = []
        for (pair, indices) in rulesByPair.sorted(by: { $0.key < $1.key }) {
            buckets.append(indices.sorted { compiled[$0].prefix.count > compiled[$1].prefix.count })
            bucketOfPair[Int(pair)] = UInt8(buckets.count)
        }
        precondition(buckets.count < 255, "too many distinct secret prefixes")
        for pair in Array(rulesByPair.keys) + [Self.unicodeEscape, Self.slashEscape] {
            pairs[Int(pair >> 6)] |= 1 << UInt64(pair & 63)
        }
        self.pairs = pairs
        self.bucketOfPair = bucketOfPair
        self.buckets = buckets
    }

    static let unicodeEscape = UInt16(UInt8(ascii: "\\")) | UInt16(UInt8(ascii: "u")) << 8
    static let slashEscape = UInt16(UInt8(ascii: "\\")) | UInt16(UInt8(ascii: "/")) << 8

    /// Every secret in `bytes`, in order.
    public func scan(_ bytes: UnsafeRawBufferPointer) -> [SecretFinding] {
        let raw = self.pass(over: bytes)
        guard raw.sawHidingEscape else { return raw.findings }
        let decoded = JSONEscapes.decode(bytes)
        let findings = decoded.bytes.withUnsafeBytes { self.pass(over: $0).findings }
        return findings.map { finding in
            var mapped = finding
            mapped.parts = finding.parts.map { decoded.offsets[$0.lowerBound]..<decoded.offsets[$0.upperBound] }
            return mapped
        }
    }

    public func scan(_ bytes: [UInt8]) -> [SecretFinding] {
        bytes.withUnsafeBytes { self.scan($0) }
    }

    struct Pass {
        var findings: [SecretFinding] = []
        var sawHidingEscape = false
        var runs = AlphabetRuns()
    }

    func pass(over bytes: UnsafeRawBufferPointer) -> Pass {
        var pass = Pass()
        guard bytes.count >= 2 else { return pass }
        self.pairs.withUnsafeBufferPointer { pairs in
            var index = 0
            let last = bytes.count - 1
            while index < last {
                let pair = bytes.loadUnaligned(fromByteOffset: index, as: UInt16.self).littleEndian
                if pairs[Int(pair >> 6)] & (1 << UInt64(pair & 63)) != 0,
                    let end = self.candidate(pair, at: index, in: bytes, pass: &pass)
                {
                    index = end
                    continue
                }
                index += 1
            }
        }
        return pass
    }

    /// Tries the rules for `pair` at `index`; the end of the secret found, or nil.
    private func candidate(_ pair: UInt16, at index: Int, in bytes: UnsafeRawBufferPointer, pass: inout Pass) -> Int? {
        if pair == Self.unicodeEscape || pair == Self.slashEscape {
            if !pass.sawHidingEscape, JSONEscapes.hiddenCharacter(in: bytes, at: index) != nil { pass.sawHidingEscape = true }
            return nil
        }
        let bucket = Int(self.bucketOfPair[Int(pair)])
        guard bucket > 0 else { return nil }
        for ruleIndex in self.buckets[bucket - 1] {
            let rule = self.compiled[ruleIndex]
            guard let match = rule.match(in: bytes, at: index, runs: &pass.runs) else { continue }
            pass.findings.append(
                SecretFinding(
                    kind: rule.rule.kind, family: rule.rule.family, parts: match.parts, sha256Hex: Self.hash(match.parts, in: bytes)
                )
            )
            return match.end
        }
        return nil
    }

    private static func hash(_ parts: [Range<Int>], in bytes: UnsafeRawBufferPointer) -> String {
        guard parts.count > 1 else { return Hex.sha256(of: UnsafeRawBufferPointer(rebasing: bytes[parts[0]])) }
        let joined = parts.flatMap { bytes[$0] }
        return joined.withUnsafeBytes { Hex.sha256(of: $0) }
    }
}
