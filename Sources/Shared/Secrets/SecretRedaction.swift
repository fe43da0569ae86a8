/// Bodies as Goosey stores them: each secret's bytes replaced by `[REDACTED:<kind>:<fingerprint>]`, which
/// is plain ASCII with nothing to escape, so a JSON body stays valid JSON and an SSE stream stays SSE.
public enum SecretRedaction {
    public static func marker(for finding: SecretFinding) -> String {
        "[REDACTED:\(finding.kind):\(finding.fingerprint)]"
    }

    /// `bytes` with every part of every finding replaced by its marker.
    public static func redact(_ bytes: UnsafeRawBufferPointer, findings: [SecretFinding]) -> [UInt8] {
        let replacements = findings.flatMap { finding in finding.parts.map { ($0, Self.marker(for: finding)) } }
            .sorted { $0.0.lowerBound < $1.0.lowerBound }
        var redacted: [UInt8] = []
        redacted.reserveCapacity(bytes.count)
        var copied = 0
        for (range, marker) in replacements where range.lowerBound >= copied {
            redacted.append(contentsOf: bytes[copied..<range.lowerBound])
            redacted.append(contentsOf: marker.utf8)
            copied = range.upperBound
        }
        redacted.append(contentsOf: bytes[copied...])
        return redacted
    }
}
