/// Finds credentials in a request or response body in one pass, with no regular expressions.
///
/// Every rule's prefix is at least three bytes long, so of any two neighbouring byte pairs in it, one
/// starts at an even offset in the body. The pass looks up the byte pair at every even offset in a
/// 64 Ki-bit table (8 KiB, in L1) that holds each prefix's first and second pair, and only at the rare
/// hits tries the rules whose prefix could start there. JSON escapes that could hide a secret (`\u002d`
/// for `-`, `\/` for `/`) are spotted in the same pass; a body with any is scanned again after decoding
/// them, and what is found there is mapped back to the bytes as written.
public struct SecretScanner: Sendable {
    public let rules: [SecretRule]
    let compiled: [CompiledSecretRule]
    let tables: SecretScannerTables

    /// The scanner for ``SecretRule/standard``.
    public static let standard = SecretScanner(rules: SecretRule.standard)

    public init(rules: [SecretRule]) {
        self.rules = rules
        self.compiled = rules.map(CompiledSecretRule.init)
        self.tables = SecretScannerTables(self.compiled)
    }

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
        var memo = SecretScanMemo()
        /// Where the last secret found ends: none starts inside it.
        var resumeAt = 0
    }

    func pass(over bytes: UnsafeRawBufferPointer) -> Pass {
        var pass = Pass()
        guard bytes.count >= 2 else { return pass }
        let pairs = self.tables.pairs
        var index = 0
        let last = bytes.count - 1
        while index < last {
            // Four pairs at a time while none is in the table (nearly always): one load, one branch.
            if index + 8 <= bytes.count {
                let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self).littleEndian
                var hits: UInt64 = 0
                for shift in stride(from: 0, to: 64, by: 16) {
                    let pair = UInt16(truncatingIfNeeded: word >> UInt64(shift))
                    hits |= pairs[Int(pair >> 6)] >> UInt64(pair & 63)
                }
                if hits & 1 == 0 {
                    index += 8
                    continue
                }
            }
            let pair = bytes.loadUnaligned(fromByteOffset: index, as: UInt16.self).littleEndian
            if pairs[Int(pair >> 6)] & (1 << UInt64(pair & 63)) != 0 {
                self.tryCandidates(for: pair, at: index, in: bytes, pass: &pass)
                if pass.resumeAt > index + 2 {
                    index = pass.resumeAt
                    continue
                }
            }
            index += 2
        }
        return pass
    }

    @inline(never)
    private func tryCandidates(for pair: UInt16, at index: Int, in bytes: UnsafeRawBufferPointer, pass: inout Pass) {
        for candidate in self.tables.candidates(for: pair) {
            let start = index - candidate.offset
            guard start >= pass.resumeAt, start + candidate.minimumLength <= bytes.count else { continue }
            if start + 16 <= bytes.count, !SecretScannerTables.prefixMatches(candidate, in: bytes, at: start) { continue }
            guard candidate.rule != SecretScannerTables.Candidate.escape else {
                if !pass.sawHidingEscape, JSONEscapes.hiddenCharacter(in: bytes, at: start) != nil { pass.sawHidingEscape = true }
                continue
            }
            let rule = self.compiled[candidate.rule]
            guard let match = rule.match(in: bytes, at: start, memo: &pass.memo) else { continue }
            pass.findings.append(
                SecretFinding(
                    kind: rule.rule.kind, family: rule.rule.family, parts: match.parts, sha256Hex: Self.hash(match.parts, in: bytes)
                )
            )
            pass.resumeAt = match.end
            return
        }
    }

    private static func hash(_ parts: [Range<Int>], in bytes: UnsafeRawBufferPointer) -> String {
        guard parts.count > 1 else { return Hex.sha256(of: UnsafeRawBufferPointer(rebasing: bytes[parts[0]])) }
        let joined = parts.flatMap { bytes[$0] }
        return joined.withUnsafeBytes { Hex.sha256(of: $0) }
    }
}
