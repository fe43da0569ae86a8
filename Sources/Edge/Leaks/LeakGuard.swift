import Logging
import NIOCore
import Shared

/// What the edge does about secrets in a request (`DESIGN.md`, Leak detection): a live Goosey key, an
/// Anthropic key, or another credential the course blocks stops the request, suspends the sender's key
/// (and a leaked Goosey key's) and is noted for an incident; a secret already reported for this student,
/// or a Goosey key already revoked, goes through; stored bodies are redacted either way.
struct LeakGuard: Sendable {
    let directory: Directory
    let reported: ReportedSecrets
    let scanners = ScannerCache()

    struct Assessment {
        var findings: [SecretFinding]
        var notes: [LeakNote]
        var refusal: AnthropicError?
    }

    func scan(_ body: ByteBuffer, policy: QuotaPolicy) -> [SecretFinding] {
        let scanner = self.scanners.scanner(for: policy.leaks)
        return body.withUnsafeReadableBytes { scanner.scan($0) }
    }

    /// Decides, suspends and notes; `findings` is not empty.
    func assess(_ findings: [SecretFinding], in body: ByteBuffer, student: AuthenticatedStudent, logger: Logger) async -> Assessment {
        var sightings: [Sighting] = []
        for finding in findings where !sightings.contains(where: { $0.finding.sha256Hex == finding.sha256Hex }) {
            sightings.append(await self.sighting(of: finding, policy: student.policy, logger: logger))
        }
        let reportable = sightings.filter { !$0.isInert }.map(\.finding.sha256Hex)
        var fresh = Set(reportable)
        var marked = Set(reportable)
        do {
            fresh = try await self.reported.unreported(reportable, for: student.student)
        } catch {
            logger.warning("could not read reported secrets; treating all as new", metadata: ["goosey.error": "\(error)"])
        }
        let blocking = sightings.filter { fresh.contains($0.finding.sha256Hex) && $0.blocks }
        let suspended = blocking.isEmpty ? [] : await self.suspend(blocking, sender: student, logger: logger)
        do {
            marked = try await self.reported.markReported(Array(fresh), for: student.student)
        } catch {
            logger.warning("could not mark secrets reported", metadata: ["goosey.error": "\(error)"])
        }
        let notes = body.withUnsafeReadableBytes { bytes in
            sightings.map { sighting in
                let blocked = blocking.contains { $0.finding.sha256Hex == sighting.finding.sha256Hex }
                return LeakNote(
                    kind: sighting.finding.kind, family: sighting.finding.family, fingerprint: sighting.finding.fingerprint,
                    location: JSONLocator.path(to: sighting.finding.span.lowerBound, in: bytes),
                    action: blocked ? .blocked : .forwarded, isNew: marked.contains(sighting.finding.sha256Hex),
                    suspendedKeys: blocked ? suspended : [], owner: sighting.owner
                )
            }
        }
        let refusal = notes.first { $0.action == .blocked }.map { AnthropicError.secretFound($0, keySuspended: !suspended.isEmpty) }
        return Assessment(findings: findings, notes: notes, refusal: refusal)
    }

    private struct Sighting {
        var finding: SecretFinding
        /// A Goosey key that is revoked or unknown: nothing to protect any more.
        var isInert = false
        var blocks = false
        var owner: StudentRef?
    }

    private func sighting(of finding: SecretFinding, policy: QuotaPolicy, logger: Logger) async -> Sighting {
        switch finding.family {
        case .gooseyKey:
            do {
                guard let record = try await self.directory.key(sha256Hex: finding.sha256Hex), record.state != .revoked else {
                    return Sighting(finding: finding, isInert: true)
                }
                return Sighting(finding: finding, blocks: true, owner: record.student)
            } catch {
                logger.warning("could not look up a leaked key; blocking", metadata: ["goosey.error": "\(error)"])
                return Sighting(finding: finding, blocks: true)
            }
        case .anthropicKey:
            return Sighting(finding: finding, blocks: true)
        case .otherCredential:
            return Sighting(finding: finding, blocks: (policy.leaks?.otherCredentials ?? .forward) == .block)
        }
    }

    /// Suspends the sender's key and every leaked Goosey key among `blocking`; returns the hashes this leak
    /// suspends. A key Redis could not take the suspension for is among them: the coordinator suspends it in
    /// Postgres and Redis from the record.
    private func suspend(_ blocking: [Sighting], sender: AuthenticatedStudent, logger: Logger) async -> [String] {
        var hashes = [sender.keyHash]
        for sighting in blocking where sighting.finding.family == .gooseyKey && !hashes.contains(sighting.finding.sha256Hex) {
            hashes.append(sighting.finding.sha256Hex)
        }
        for hash in hashes {
            do {
                try await self.directory.setKeyState(sha256Hex: hash, .suspended)
            } catch {
                logger.error("could not suspend a key after a leak", metadata: ["goosey.key.id": "\(VirtualKey.keyID(sha256Hex: hash))", "goosey.error": "\(error)"])
            }
        }
        return hashes
    }
}
